// libpng 1.6 simplified and full API (Debian: libpng-dev).
#include <png.h>
