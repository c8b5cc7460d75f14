// See include/CJPEGShim.h. Every libjpeg call below runs with a setjmp point in this file, so
// error_exit can longjmp without crossing a Swift frame.
#include "CJPEGShim.h"

#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

/// libjpeg's error manager plus where to jump; cinfo->err points at `pub`, the first member.
typedef struct {
    struct jpeg_error_mgr pub;
    struct jpeg_progress_mgr progress;
    jmp_buf escape;
    int32_t max_scans;
    char message[DDPM_JPEG_MESSAGE_LENGTH];
} guard_t;

/// Replaces the default error_exit (which calls exit()): keep the text, jump back.
static void guard_error_exit(j_common_ptr cinfo) {
    guard_t *guard = (guard_t *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    snprintf(guard->message, sizeof guard->message, "%s", text);
    longjmp(guard->escape, 1);
}

/// Warnings (level -1) that mean the pixels are wrong are fatal here: libjpeg would pad a
/// truncated file with gray and carry on, and a damaged training image is worse than a skipped
/// one. Other warnings (e.g. extraneous bytes between markers) are common and harmless.
static void guard_emit_message(j_common_ptr cinfo, int msg_level) {
    if (msg_level >= 0) return;  // trace messages
    switch (cinfo->err->msg_code) {
    case JWRN_JPEG_EOF:
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_MUST_RESYNC:
        guard_error_exit(cinfo);
        break;
    default:
        cinfo->err->num_warnings++;
        break;
    }
}

/// Never print to stderr: the caller reports through its own error values.
static void guard_output_message(j_common_ptr cinfo) { (void)cinfo; }

/// Called between scans: a progressive file with thousands of tiny scans is a CPU bomb.
static void guard_progress(j_common_ptr cinfo) {
    guard_t *guard = (guard_t *)cinfo->err;
    if (!cinfo->is_decompressor) return;
    j_decompress_ptr dinfo = (j_decompress_ptr)cinfo;
    if (guard->max_scans > 0 && dinfo->progressive_mode && dinfo->input_scan_number > guard->max_scans) {
        snprintf(guard->message, sizeof guard->message,
                 "progressive JPEG has more than %d scans", (int)guard->max_scans);
        longjmp(guard->escape, 1);
    }
}

static void guard_init(guard_t *guard, struct jpeg_decompress_struct *cinfo, int32_t max_scans) {
    memset(guard, 0, sizeof *guard);
    cinfo->err = jpeg_std_error(&guard->pub);
    guard->pub.error_exit = guard_error_exit;
    guard->pub.emit_message = guard_emit_message;
    guard->pub.output_message = guard_output_message;
    guard->progress.progress_monitor = guard_progress;
    guard->max_scans = max_scans;
}

static void fill_info(const struct jpeg_decompress_struct *cinfo, ddpm_jpeg_info *info) {
    info->width = cinfo->image_width;
    info->height = cinfo->image_height;
    info->progressive = cinfo->progressive_mode ? 1 : 0;
    info->inverted_cmyk = 0;
    switch (cinfo->jpeg_color_space) {
    case JCS_GRAYSCALE:
        info->components = 1;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        info->components = 4;
        // Photoshop (the Adobe APP14 writer) stores CMYK inverted: 0 = full ink.
        info->inverted_cmyk = cinfo->saw_Adobe_marker ? 1 : 0;
        break;
    default:
        info->components = 3;
        break;
    }
}

/// Output colour space for the components fill_info chose.
static J_COLOR_SPACE output_space(int32_t components) {
    return components == 1 ? JCS_GRAYSCALE : components == 4 ? JCS_CMYK : JCS_RGB;
}

int ddpm_jpeg_read_info(const uint8_t *data, size_t size, ddpm_jpeg_info *info) {
    struct jpeg_decompress_struct cinfo;
    guard_t guard;
    memset(info, 0, sizeof *info);
    guard_init(&guard, &cinfo, 0);
    if (setjmp(guard.escape)) {
        jpeg_destroy_decompress(&cinfo);
        snprintf(info->message, sizeof info->message, "%s", guard.message);
        return -1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    fill_info(&cinfo, info);
    jpeg_destroy_decompress(&cinfo);
    return 0;
}

int ddpm_jpeg_decode(const uint8_t *data, size_t size, uint8_t *pixels, size_t capacity,
                     int32_t max_scans, ddpm_jpeg_info *info) {
    struct jpeg_decompress_struct cinfo;
    guard_t guard;
    memset(info, 0, sizeof *info);
    guard_init(&guard, &cinfo, max_scans);
    if (setjmp(guard.escape)) {
        jpeg_destroy_decompress(&cinfo);
        snprintf(info->message, sizeof info->message, "%s", guard.message);
        return -1;
    }
    jpeg_create_decompress(&cinfo);
    cinfo.progress = &guard.progress;
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    fill_info(&cinfo, info);
    cinfo.out_color_space = output_space(info->components);
    jpeg_start_decompress(&cinfo);

    size_t row_bytes = (size_t)cinfo.output_width * (size_t)cinfo.output_components;
    if (cinfo.output_width != info->width || cinfo.output_height != info->height ||
        cinfo.output_components != info->components ||
        row_bytes * (size_t)cinfo.output_height > capacity) {
        snprintf(guard.message, sizeof guard.message,
                 "decoder output %ux%ux%d does not fit the %zu-byte buffer",
                 (unsigned)cinfo.output_width, (unsigned)cinfo.output_height,
                 (int)cinfo.output_components, capacity);
        longjmp(guard.escape, 1);
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = pixels + (size_t)cinfo.output_scanline * row_bytes;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    return 0;
}
