#ifndef KEEL_UTIL_FILE_H
#define KEEL_UTIL_FILE_H

#include <stddef.h>
#include <stdint.h>

/* Largest image or module keel reads (guest RAM below 4 GiB bounds it anyway). */
#define FILE_MAX_SIZE (4ULL << 30)

struct file_buf {
	uint8_t *data;
	size_t size;
};

/* Reads a whole regular file. Returns 0, or -1 with errno-style text in err. */
int file_read_all(const char *path, struct file_buf *out, char *err, size_t errlen);
void file_buf_free(struct file_buf *b);

/* Joins base_dir and rel unless rel is absolute; result in out (PATH_MAX). */
int path_join(const char *base_dir, const char *rel, char *out, size_t outlen);

#endif
