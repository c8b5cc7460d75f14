// libjpeg(-turbo) classic API (Debian: libjpeg-dev). jpeglib.h needs stdio's FILE and size_t first.
#include <stdio.h>
#include <stddef.h>
#include <jpeglib.h>
