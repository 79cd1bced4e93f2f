#ifndef KEEL_UTIL_FILE_H
#define KEEL_UTIL_FILE_H

#include <stddef.h>
#include <stdint.h>

/* Largest image or module keel reads (guest RAM below 4 GiB bounds it anyway). */
#define FILE_MAX_SIZE (4ULL << 30)

struct file_buf {
	uint8_t *data;
	size_t size;
	size_t map_len;  /* > 0: data is a read-only private mapping of this length */
};

/* Reads a whole regular file. Returns 0, or -1 with errno-style text in err. */
int file_read_all(const char *path, struct file_buf *out, char *err, size_t errlen);
/* Maps a whole regular file read-only (REQ-MEM-006): its pages are read on
 * first touch and can be given back with file_buf_release, so a large image
 * never sits in keel's memory as a whole. The file must not shrink while
 * keel runs (a mapped page past the new end would fault). */
int file_map(const char *path, struct file_buf *out, char *err, size_t errlen);
/* Gives back the resident pages of [p, p+len) when they lie inside b's
 * mapping (whole pages only); later reads fetch them from the file again.
 * No effect on a malloc'd buffer. */
void file_buf_release(const struct file_buf *b, const void *p, size_t len);
void file_buf_free(struct file_buf *b);

/* Joins base_dir and rel unless rel is absolute; result in out (PATH_MAX). */
int path_join(const char *base_dir, const char *rel, char *out, size_t outlen);

#endif
