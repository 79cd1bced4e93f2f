/* Unit tests of the ELF program-header reader (src/boot/elf.c). Also home of
 * the in-memory ELF image builder that test_multiboot.c uses. */
#include "test.h"

#include "boot/elf.h"

#include "image_builder.h"

void mbt_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void mbt_put32(uint8_t *p, uint32_t v)
{
	mbt_put16(p, (uint16_t)v);
	mbt_put16(p + 2, (uint16_t)(v >> 16));
}

void mbt_put64(uint8_t *p, uint64_t v)
{
	mbt_put32(p, (uint32_t)v);
	mbt_put32(p + 4, (uint32_t)(v >> 32));
}

/* Writes an x86 ET_EXEC ELF header of class `cls` with `n` program headers
 * right after it, and fills each segment's file bytes with 0x11 * (i + 1).
 * Returns the image size (the last byte written + 1). Zeroes `cap` bytes. */
size_t mbt_elf(uint8_t *img, size_t cap, int cls, uint64_t entry, const struct mbt_seg *s,
	       unsigned n)
{
	size_t eh = cls == 32 ? 52 : 64, ph = cls == 32 ? 32 : 56;
	size_t size = eh + n * ph;

	memset(img, 0, cap);
	img[0] = 0x7f;
	img[1] = 'E';
	img[2] = 'L';
	img[3] = 'F';
	img[4] = cls == 32 ? 1 : 2;
	img[5] = 1;
	img[6] = 1;
	mbt_put16(img + 16, 2);
	mbt_put16(img + 18, cls == 32 ? 3 : 62);
	mbt_put32(img + 20, 1);
	if (cls == 32) {
		mbt_put32(img + 24, (uint32_t)entry);
		mbt_put32(img + 28, (uint32_t)eh);
		mbt_put16(img + 40, (uint16_t)eh);
		mbt_put16(img + 42, (uint16_t)ph);
		mbt_put16(img + 44, (uint16_t)n);
	} else {
		mbt_put64(img + 24, entry);
		mbt_put64(img + 32, eh);
		mbt_put16(img + 52, (uint16_t)eh);
		mbt_put16(img + 54, (uint16_t)ph);
		mbt_put16(img + 56, (uint16_t)n);
	}
	for (unsigned i = 0; i < n; i++) {
		uint8_t *p = img + eh + i * ph;

		if (cls == 32) {
			mbt_put32(p, s[i].type);
			mbt_put32(p + 4, (uint32_t)s[i].offset);
			mbt_put32(p + 8, (uint32_t)s[i].vaddr);
			mbt_put32(p + 12, (uint32_t)s[i].paddr);
			mbt_put32(p + 16, (uint32_t)s[i].filesz);
			mbt_put32(p + 20, (uint32_t)s[i].memsz);
			mbt_put32(p + 28, 0x1000);
		} else {
			mbt_put32(p, s[i].type);
			mbt_put64(p + 8, s[i].offset);
			mbt_put64(p + 16, s[i].vaddr);
			mbt_put64(p + 24, s[i].paddr);
			mbt_put64(p + 32, s[i].filesz);
			mbt_put64(p + 40, s[i].memsz);
			mbt_put64(p + 48, 0x1000);
		}
		/* Only fill bytes that fit the buffer; error tests use wild offsets. */
		if (s[i].offset < cap && s[i].filesz <= cap - s[i].offset) {
			memset(img + s[i].offset, 0x11 * (int)(i + 1), s[i].filesz);
			if (s[i].offset + s[i].filesz > size)
				size = s[i].offset + s[i].filesz;
		}
	}
	return size;
}

static uint8_t g_elf[0x4000];
static char g_err[256];

/* ELF32: text + data/bss, with a PT_NOTE and an empty PT_LOAD to skip. */
static size_t elf32_sample(void)
{
	const struct mbt_seg s[] = {
		{ 1, 0x1000, 0x100000, 0x100000, 0x800, 0x800 },
		{ 4, 0x1800, 0, 0, 0x10, 0x10 },
		{ 1, 0x1800, 0x200000, 0x180000, 0x100, 0x3000 },
		{ 1, 0, 0x300000, 0x300000, 0, 0 },
	};

	return mbt_elf(g_elf, sizeof(g_elf), 32, 0x100010, s, 4);
}

static size_t elf64_sample(void)
{
	const struct mbt_seg s[] = {
		{ 1, 0x1000, 0xffffffff80100000ull, 0x100000, 0x400, 0x2000 },
	};

	return mbt_elf(g_elf, sizeof(g_elf), 64, 0xffffffff80100020ull, s, 1);
}

/* Parses, expecting failure with `needle` in the message. */
static int parse_fails(size_t size, const char *needle)
{
	struct elf_image img;

	g_err[0] = '\0';
	if (elf_parse(g_elf, size, &img, g_err, sizeof(g_err)) != -1)
		return 0;
	return strstr(g_err, needle) != NULL;
}

TEST(elf_is_elf_magic, "REQ-MB-006")
{
	static const uint8_t good[4] = { 0x7f, 'E', 'L', 'F' };
	static const uint8_t bad[4][4] = {
		{ 0x7e, 'E', 'L', 'F' }, { 0x7f, 'e', 'L', 'F' },
		{ 0x7f, 'E', 'l', 'F' }, { 0x7f, 'E', 'L', 'f' },
	};

	CHECK_EQ(elf_is_elf(good, 4), 1);
	CHECK_EQ(elf_is_elf(good, 3), 0);
	CHECK_EQ(elf_is_elf(NULL, 4), 0);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(elf_is_elf(bad[i], 4), 0);
}

TEST(elf_parse_elf32, "REQ-MB-006 REQ-MB-007")
{
	struct elf_image img;
	size_t size = elf32_sample();

	CHECK_EQ(elf_parse(g_elf, size, &img, g_err, sizeof(g_err)), 0);
	CHECK_EQ(img.elf_class, 32);
	CHECK_EQ(img.entry, 0x100010);
	/* The PT_NOTE and the empty PT_LOAD are not collected. */
	CHECK_EQ(img.nsegments, 2);
	CHECK_EQ(img.segments[0].paddr, 0x100000);
	CHECK_EQ(img.segments[0].vaddr, 0x100000);
	CHECK_EQ(img.segments[0].offset, 0x1000);
	CHECK_EQ(img.segments[0].filesz, 0x800);
	CHECK_EQ(img.segments[0].memsz, 0x800);
	CHECK_EQ(img.segments[1].paddr, 0x180000);
	CHECK_EQ(img.segments[1].vaddr, 0x200000);
	CHECK_EQ(img.segments[1].filesz, 0x100);
	CHECK_EQ(img.segments[1].memsz, 0x3000);
	/* No error buffer is fine too. */
	CHECK_EQ(elf_parse(g_elf, size, &img, NULL, 0), 0);
}

TEST(elf_parse_elf64, "REQ-MB-006 REQ-MB-008")
{
	struct elf_image img;
	size_t size = elf64_sample();

	CHECK_EQ(elf_parse(g_elf, size, &img, g_err, sizeof(g_err)), 0);
	CHECK_EQ(img.elf_class, 64);
	CHECK_EQ(img.entry, 0xffffffff80100020ull);
	CHECK_EQ(img.nsegments, 1);
	CHECK_EQ(img.segments[0].vaddr, 0xffffffff80100000ull);
	CHECK_EQ(img.segments[0].paddr, 0x100000);
	CHECK_EQ(img.segments[0].filesz, 0x400);
	CHECK_EQ(img.segments[0].memsz, 0x2000);
}

TEST(elf_parse_larger_phentsize, "REQ-MB-006")
{
	/* A producer may use bigger program header entries; the stride follows e_phentsize. */
	struct elf_image img;
	const struct mbt_seg s[] = { { 1, 0x1000, 0x100000, 0x100000, 0x10, 0x10 } };
	size_t size = mbt_elf(g_elf, sizeof(g_elf), 32, 0x100000, s, 1);

	memmove(g_elf + 52 + 40, g_elf + 52, 32);
	memset(g_elf + 52, 0, 40);
	mbt_put32(g_elf + 52, 4); /* entry 0: PT_NOTE */
	mbt_put16(g_elf + 42, 40);
	mbt_put16(g_elf + 44, 2);
	CHECK_EQ(elf_parse(g_elf, size, &img, g_err, sizeof(g_err)), 0);
	CHECK_EQ(img.nsegments, 1);
	CHECK_EQ(img.segments[0].paddr, 0x100000);
}

TEST(elf_parse_bad_ident, "REQ-MB-006")
{
	struct elf_image img;
	size_t size = elf32_sample();

	CHECK(parse_fails(3, "not an ELF file"));
	CHECK(parse_fails(15, "e_ident needs 16"));
	g_elf[4] = 3;
	CHECK(parse_fails(size, "ELF class 3"));
	g_elf[4] = 1;
	g_elf[5] = 2;
	CHECK(parse_fails(size, "not little-endian"));
	g_elf[5] = 1;
	g_elf[6] = 0;
	CHECK(parse_fails(size, "ELF version 0"));
	g_elf[6] = 1;
	CHECK(parse_fails(51, "ELF header needs 52"));
	elf64_sample();
	CHECK(parse_fails(63, "ELF header needs 64"));
	/* Errors without a message buffer. */
	CHECK_EQ(elf_parse(g_elf, 63, &img, NULL, 0), -1);
	CHECK_EQ(elf_parse(g_elf, 63, &img, g_err, 0), -1);
	/* No output structure: refused, not a crash. */
	CHECK_EQ(elf_parse(g_elf, size, NULL, g_err, sizeof(g_err)), -1);
	CHECK_EQ(elf_parse(NULL, 0, &img, g_err, sizeof(g_err)), -1);
}

TEST(elf_parse_type_and_machine, "REQ-MB-006")
{
	size_t size = elf32_sample();

	mbt_put16(g_elf + 16, 3);
	CHECK(parse_fails(size, "ET_DYN"));
	mbt_put16(g_elf + 16, 1);
	CHECK(parse_fails(size, "ELF type 1 is not an executable"));
	mbt_put16(g_elf + 16, 2);
	mbt_put16(g_elf + 18, 62);
	CHECK(parse_fails(size, "ELF32 machine 62 is not EM_386"));
	size = elf64_sample();
	mbt_put16(g_elf + 18, 3);
	CHECK(parse_fails(size, "ELF64 machine 3 is not EM_X86_64"));
}

TEST(elf_parse_header_sizes, "REQ-MB-006")
{
	size_t size = elf32_sample();

	mbt_put16(g_elf + 40, 51);
	CHECK(parse_fails(size, "e_ehsize 51"));
	mbt_put16(g_elf + 40, 52);
	mbt_put16(g_elf + 44, 0);
	CHECK(parse_fails(size, "no program headers"));
	mbt_put16(g_elf + 44, 0xffff);
	CHECK(parse_fails(size, "PN_XNUM"));
	mbt_put16(g_elf + 44, 4);
	mbt_put16(g_elf + 42, 31);
	CHECK(parse_fails(size, "e_phentsize 31"));
	size = elf64_sample();
	mbt_put16(g_elf + 52, 63);
	CHECK(parse_fails(size, "ELF64 e_ehsize 63 is smaller than the ELF header (64)"));
	mbt_put16(g_elf + 52, 64);
	mbt_put16(g_elf + 54, 55);
	CHECK(parse_fails(size, "e_phentsize 55"));
}

TEST(elf_parse_truncated_program_headers, "REQ-MB-006")
{
	size_t size = elf32_sample();

	/* The table ends at 52 + 4 * 32 = 180: one byte short. */
	CHECK(parse_fails(179, "program headers"));
	mbt_put32(g_elf + 28, (uint32_t)size + 1);
	CHECK(parse_fails(size, "beyond the end of the file"));
	/* ELF64: a phoff near 2^64 must not wrap around into the file. */
	size = elf64_sample();
	mbt_put64(g_elf + 32, UINT64_MAX - 8);
	CHECK(parse_fails(size, "beyond the end of the file"));
	mbt_put64(g_elf + 32, size - 10);
	CHECK(parse_fails(size, "program headers"));
}

TEST(elf_parse_segment_bounds, "REQ-MB-006")
{
	const struct mbt_seg off_past[] = { { 1, 0x5000, 0x100000, 0x100000, 0x10, 0x10 } };
	const struct mbt_seg end_past[] = { { 1, 0x1000, 0x100000, 0x100000, 0x3001, 0x4000 } };
	const struct mbt_seg wrap64[] = { { 1, UINT64_MAX - 4, 0x100000, 0x100000, 0x10, 0x10 } };
	const struct mbt_seg filesz[] = { { 1, 0x1000, 0x100000, 0x100000, 0x20, 0x10 } };
	const struct mbt_seg memsz0[] = { { 1, 0x1000, 0x100000, 0x100000, 0x10, 0 } };
	size_t size;

	size = mbt_elf(g_elf, sizeof(g_elf), 32, 0x100000, off_past, 1);
	CHECK(parse_fails(size, "program header 0: file bytes [0x5000, +0x10)"));
	size = mbt_elf(g_elf, sizeof(g_elf), 32, 0x100000, end_past, 1);
	CHECK(parse_fails(0x4000, "beyond the end of the file (0x4000 bytes)"));
	(void)size;
	size = mbt_elf(g_elf, sizeof(g_elf), 64, 0x100000, wrap64, 1);
	CHECK(parse_fails(size, "beyond the end of the file"));
	size = mbt_elf(g_elf, sizeof(g_elf), 32, 0x100000, filesz, 1);
	CHECK(parse_fails(size, "p_filesz 0x20 is larger than p_memsz 0x10"));
	/* filesz > memsz is checked even when memsz is 0. */
	size = mbt_elf(g_elf, sizeof(g_elf), 32, 0x100000, memsz0, 1);
	CHECK(parse_fails(size, "p_filesz 0x10 is larger than p_memsz 0x0"));
}

TEST(elf_parse_address_wrap, "REQ-MB-006")
{
	const struct mbt_seg p32[] = { { 1, 0x1000, 0x100000, 0xfffff000, 0, 0x2000 } };
	const struct mbt_seg v32[] = { { 1, 0x1000, 0xfffff000, 0x100000, 0, 0x2000 } };
	const struct mbt_seg top32[] = { { 1, 0x1000, 0xfffff000, 0xfffff000, 0, 0x1000 } };
	const struct mbt_seg p64[] = { { 1, 0x1000, 0x100000, UINT64_MAX - 0xfff, 0, 0x2000 } };
	const struct mbt_seg v64[] = { { 1, 0x1000, UINT64_MAX - 0xfff, 0x100000, 0, 0x2000 } };
	const struct mbt_seg top64[] = { { 1, 0x1000, UINT64_MAX - 0xfff, 0x100000, 0, 0x1000 } };
	struct elf_image img;
	size_t size;

	size = mbt_elf(g_elf, sizeof(g_elf), 32, 0, p32, 1);
	CHECK(parse_fails(size, "wraps around the 32-bit address space"));
	size = mbt_elf(g_elf, sizeof(g_elf), 32, 0, v32, 1);
	CHECK(parse_fails(size, "wraps around the 32-bit address space"));
	/* Ending exactly at the top of the space is fine. */
	size = mbt_elf(g_elf, sizeof(g_elf), 32, 0, top32, 1);
	CHECK_EQ(elf_parse(g_elf, size, &img, g_err, sizeof(g_err)), 0);
	size = mbt_elf(g_elf, sizeof(g_elf), 64, 0, p64, 1);
	CHECK(parse_fails(size, "wraps around the 64-bit address space"));
	size = mbt_elf(g_elf, sizeof(g_elf), 64, 0, v64, 1);
	CHECK(parse_fails(size, "wraps around the 64-bit address space"));
	size = mbt_elf(g_elf, sizeof(g_elf), 64, 0, top64, 1);
	CHECK_EQ(elf_parse(g_elf, size, &img, g_err, sizeof(g_err)), 0);
}

TEST(elf_parse_segment_count, "REQ-MB-006")
{
	static struct mbt_seg s[ELF_MAX_SEGMENTS + 1];
	struct elf_image img;
	size_t size;

	for (unsigned i = 0; i <= ELF_MAX_SEGMENTS; i++)
		s[i] = (struct mbt_seg){ 1, 0, 0x100000 + i * 0x1000ull, 0x100000 + i * 0x1000ull,
					 0, 0x1000 };
	size = mbt_elf(g_elf, sizeof(g_elf), 64, 0x100000, s, ELF_MAX_SEGMENTS);
	CHECK_EQ(elf_parse(g_elf, size, &img, g_err, sizeof(g_err)), 0);
	CHECK_EQ(img.nsegments, ELF_MAX_SEGMENTS);
	size = mbt_elf(g_elf, sizeof(g_elf), 64, 0x100000, s, ELF_MAX_SEGMENTS + 1);
	CHECK(parse_fails(size, "more than 32 loadable segments"));
	/* Only non-loadable or empty segments: nothing to load. */
	s[0].type = 4;
	s[1].memsz = 0;
	size = mbt_elf(g_elf, sizeof(g_elf), 64, 0x100000, s, 2);
	CHECK(parse_fails(size, "no loadable (PT_LOAD) segment"));
}
