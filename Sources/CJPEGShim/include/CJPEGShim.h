// A setjmp-guarded libjpeg(-turbo) decoder for Swift callers.
//
// libjpeg reports fatal errors through error_exit, which must not return: the default one calls
// exit(), and the usual fix (longjmp back to a setjmp point) is impossible from Swift, where
// setjmp is unavailable. These two functions keep every libjpeg call and the setjmp point in C,
// so a corrupt file becomes a return code and a message instead of a dead process.
#ifndef DDPM_CJPEGSHIM_H
#define DDPM_CJPEGSHIM_H

#include <stddef.h>
#include <stdint.h>

#define DDPM_JPEG_MESSAGE_LENGTH 200

/// What the header says about a JPEG, and the reason when a call fails.
typedef struct {
    uint32_t width;            // pixels
    uint32_t height;           // pixels
    int32_t components;        // samples per pixel the decoder writes: 1 (gray), 3 (RGB), 4 (CMYK)
    int32_t inverted_cmyk;     // 1 when an Adobe APP14 marker is present: CMYK is stored inverted
    int32_t progressive;       // 1 for a progressive (multi-scan) JPEG
    char message[DDPM_JPEG_MESSAGE_LENGTH];  // libjpeg's text for the failure; "" on success
} ddpm_jpeg_info;

/// Reads only the header. Returns 0 on success, else -1 with `info->message` set.
int ddpm_jpeg_read_info(const uint8_t *data, size_t size, ddpm_jpeg_info *info);

/// Decodes the whole image into `pixels` (height rows of width*components bytes, top row first).
///
/// `capacity` is the size of `pixels` in bytes; it must be at least width*height*components
/// from ddpm_jpeg_read_info. Gray stays gray, YCbCr/RGB become RGB, CMYK/YCCK become CMYK
/// (as stored: check inverted_cmyk). A progressive file with more than `max_scans` scans is
/// refused (a crafted file can otherwise take minutes). Damaged entropy data and a truncated
/// file are errors, not gray padding. Returns 0 on success, else -1 with `info->message` set.
int ddpm_jpeg_decode(const uint8_t *data, size_t size, uint8_t *pixels, size_t capacity,
                     int32_t max_scans, ddpm_jpeg_info *info);

#endif
