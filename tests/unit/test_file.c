/* Image file mapping (src/util/file.c). */
#include "test.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/file.h"

static void write_tmp(char *path, const uint8_t *data, size_t n)
{
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_EQ(write(fd, data, n), (ssize_t)n);
	close(fd);
}

/* Pages of [p, p+len) mapped in this process (present bit of
 * /proc/self/pagemap; mincore would report the page cache instead). */
static size_t resident_pages(const void *p, size_t len)
{
	long pg = sysconf(_SC_PAGESIZE);
	uintptr_t lo = (uintptr_t)p / (uintptr_t)pg;
	uintptr_t hi = ((uintptr_t)p + len + (uintptr_t)pg - 1) / (uintptr_t)pg;
	size_t r = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return (size_t)-1;
	for (uintptr_t v = lo; v < hi; v++) {
		uint64_t e;

		if (pread(fd, &e, sizeof(e), (off_t)(v * sizeof(e))) != (ssize_t)sizeof(e)) {
			r = (size_t)-1;
			break;
		}
		r += (e >> 63) & 1;
	}
	close(fd);
	return r;
}

TEST(file_map_reads_whole_file_and_gives_pages_back, "REQ-MEM-006")
{
	enum { N = 64 * 4096 + 100 };
	char path[] = "/tmp/keel-test-file-XXXXXX";
	uint8_t *data = malloc(N);
	struct file_buf fb;
	char err[256];

	CHECK(data != NULL);
	if (data == NULL)
		return;
	for (size_t i = 0; i < N; i++)
		data[i] = (uint8_t)(i * 7 + (i >> 12));
	write_tmp(path, data, N);
	CHECK_EQ(file_map(path, &fb, err, sizeof(err)), 0);
	CHECK_EQ(fb.size, (size_t)N);
	CHECK(fb.map_len == (size_t)N);
	CHECK(memcmp(fb.data, data, N) == 0);
	/* All touched: resident in our address space. */
	CHECK(resident_pages(fb.data, N) >= 64);
	/* Give back pages 1..62 (the range starts and ends mid-page: partial
	 * edge pages stay). */
	file_buf_release(&fb, fb.data + 4096 + 10, 62 * 4096);
	CHECK(resident_pages(fb.data + 2 * 4096, 60 * 4096) == 0);
	CHECK(resident_pages(fb.data + 4096, 1) == 1);
	/* Still the file's bytes when read again. */
	CHECK(memcmp(fb.data, data, N) == 0);
	/* A range outside the mapping changes nothing (and does not crash). */
	file_buf_release(&fb, data, N);
	file_buf_release(&fb, fb.data + N - 10, 4096 * 4);
	CHECK(memcmp(fb.data, data, N) == 0);
	file_buf_free(&fb);
	CHECK(fb.data == NULL && fb.size == 0 && fb.map_len == 0);
	unlink(path);
	free(data);
}

TEST(file_map_empty_and_bad_files, "REQ-MEM-006")
{
	char path[] = "/tmp/keel-test-file-XXXXXX";
	struct file_buf fb;
	char err[256];

	write_tmp(path, (const uint8_t *)"", 0);
	CHECK_EQ(file_map(path, &fb, err, sizeof(err)), 0);
	CHECK(fb.data != NULL);
	CHECK_EQ(fb.size, 0u);
	file_buf_release(&fb, fb.data, 0);
	file_buf_free(&fb);
	unlink(path);
	CHECK_EQ(file_map(path, &fb, err, sizeof(err)), -1);
	CHECK_STR_CONTAINS(err, "cannot open");
	CHECK_EQ(file_map("/tmp", &fb, err, sizeof(err)), -1);
	CHECK_STR_CONTAINS(err, "not a regular file");
}

TEST(file_release_ignores_heap_buffers, "REQ-MEM-006")
{
	struct file_buf fb = { .data = malloc(3 * 4096), .size = 3 * 4096, .map_len = 0 };

	CHECK(fb.data != NULL);
	if (fb.data == NULL)
		return;
	memset(fb.data, 0x5a, fb.size);
	file_buf_release(&fb, fb.data, fb.size);
	for (size_t i = 0; i < fb.size; i++)
		if (fb.data[i] != 0x5a) {
			CHECK(!"heap buffer changed");
			break;
		}
	file_buf_free(&fb);
}
