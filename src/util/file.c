#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Empties out, then opens a regular file keel may load whole: fd, or -1
 * with a message. */
static int open_image(const char *path, struct file_buf *out, struct stat *st, char *err,
		      size_t errlen)
{
	int fd;

	out->data = NULL;
	out->size = 0;
	out->map_len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "'%s' is not a regular file", path);
		close(fd);
		return -1;
	}
	if ((uint64_t)st->st_size > FILE_MAX_SIZE) {
		snprintf(err, errlen, "'%s' is too large (%lld bytes)", path, (long long)st->st_size);
		close(fd);
		return -1;
	}
	return fd;
}

int file_read_all(const char *path, struct file_buf *out, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	fd = open_image(path, out, &st, err, errlen);
	if (fd < 0)
		return -1;
	out->size = (size_t)st.st_size;
	/* malloc(0) may return NULL; keep a valid pointer for empty files. */
	out->data = malloc(out->size ? out->size : 1);
	if (out->data == NULL) {
		snprintf(err, errlen, "out of memory reading '%s'", path);
		close(fd);
		return -1;
	}
	for (size_t done = 0; done < out->size;) {
		ssize_t n = read(fd, out->data + done, out->size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "cannot read '%s': %s", path,
				 n < 0 ? strerror(errno) : "file shrank while reading");
			file_buf_free(out);
			close(fd);
			return -1;
		}
		done += (size_t)n;
	}
	close(fd);
	return 0;
}

/* What an empty mapped file points at (never freed). */
static uint8_t empty_file[1];

int file_map(const char *path, struct file_buf *out, char *err, size_t errlen)
{
	struct stat st;
	void *p;
	int fd;

	fd = open_image(path, out, &st, err, errlen);
	if (fd < 0)
		return -1;
	if (st.st_size == 0) {
		/* mmap cannot map nothing; the parsers see an empty, valid buffer. */
		close(fd);
		out->data = empty_file;
		return 0;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "cannot map '%s': %s", path, strerror(errno));
		return -1;
	}
	out->data = p;
	out->size = (size_t)st.st_size;
	out->map_len = (size_t)st.st_size;
	return 0;
}

void file_buf_release(const struct file_buf *b, const void *p, size_t len)
{
	uintptr_t base = (uintptr_t)b->data, lo = (uintptr_t)p, hi;
	long pg = sysconf(_SC_PAGESIZE);
	uintptr_t mask = (uintptr_t)(pg > 0 ? pg : 4096) - 1;

	if (b->map_len == 0 || lo < base || len > b->map_len || lo - base > b->map_len - len)
		return;
	/* Whole pages inside the range only: a shared edge page may still be needed. */
	hi = (lo + len) & ~mask;
	lo = (lo + mask) & ~mask;
	if (hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

void file_buf_free(struct file_buf *b)
{
	if (b->map_len > 0)
		munmap(b->data, b->map_len);
	else if (b->data != empty_file)
		free(b->data);
	b->data = NULL;
	b->size = 0;
	b->map_len = 0;
}

int path_join(const char *base_dir, const char *rel, char *out, size_t outlen)
{
	int n;

	if (rel[0] == '/' || base_dir == NULL || base_dir[0] == '\0')
		n = snprintf(out, outlen, "%s", rel);
	else
		n = snprintf(out, outlen, "%s/%s", base_dir, rel);
	return (n < 0 || (size_t)n >= outlen) ? -1 : 0;
}
