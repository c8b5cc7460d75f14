// giflib 5 (Debian: libgif-dev): the encoder (EGif*) and decoder (DGif*) APIs.
#include <gif_lib.h>
