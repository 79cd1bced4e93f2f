/* Unit tests of the Multiboot 1 loader (src/boot/multiboot.c). Test images
 * are synthesised in memory: ELF32/ELF64 with chosen PT_LOADs and a
 * Multiboot header at HDR_OFF, or flat a.out-kludge images. */
#include "test.h"

#include <stdlib.h>

#include "boot/elf.h"
#include "boot/multiboot.h"

#include "image_builder.h"
#include "util/le.h"

#define HDR_OFF 0xf00u          /* Multiboot header in ELF test images */
#define MiB     0x100000ull

static uint8_t g_img[0x10000];
static struct boot_plan g_plan;
static struct boot_error g_berr;
static struct memmap g_mm;
static char g_err[256];


/* Magic, flags and a matching checksum at p. */
static void put_hdr(uint8_t *p, uint32_t flags)
{
	mbt_put32(p, MB_HEADER_MAGIC);
	mbt_put32(p + 4, flags);
	mbt_put32(p + 8, 0u - MB_HEADER_MAGIC - flags);
}

static void put_aout(uint8_t *p, uint32_t header_addr, uint32_t load, uint32_t load_end,
		     uint32_t bss_end, uint32_t entry)
{
	mbt_put32(p + 12, header_addr);
	mbt_put32(p + 16, load);
	mbt_put32(p + 20, load_end);
	mbt_put32(p + 24, bss_end);
	mbt_put32(p + 28, entry);
}

/* ELF image with a Multiboot header (flags) at HDR_OFF; segment data at >= 0x1000. */
static size_t mb_elf(int cls, uint64_t entry, const struct mbt_seg *s, unsigned n,
		     uint32_t flags)
{
	size_t size = mbt_elf(g_img, sizeof(g_img), cls, entry, s, n);

	put_hdr(g_img + HDR_OFF, flags);
	return size < 0x1000 ? 0x1000 : size;
}

/* Flat image of `size` patterned bytes with an a.out-kludge header at hdr_off. */
static size_t mb_flat(size_t size, size_t hdr_off, uint32_t flags, uint32_t header_addr,
		      uint32_t load, uint32_t load_end, uint32_t bss_end, uint32_t entry)
{
	memset(g_img, 0, sizeof(g_img));
	for (size_t i = 0; i < size; i++)
		g_img[i] = (uint8_t)(i * 7 + 1);
	put_hdr(g_img + hdr_off, flags | MB_FLAG_AOUT_KLUDGE);
	put_aout(g_img + hdr_off, header_addr, load, load_end, bss_end, entry);
	return size;
}

/* One RAM region, backed (so that guest_mem_init_buffer can use it). */
static void mm_static(uint64_t base, uint64_t size)
{
	memset(&g_mm, 0, sizeof(g_mm));
	g_mm.nentries = 1;
	g_mm.entries[0] = (struct memmap_entry){ base, size, MEMMAP_RAM };
	g_mm.nslots = 1;
	g_mm.slots[0] = (struct memmap_slot){ base, size, 0 };
	g_mm.backing_size = size;
}

/* The PC layout, as memmap_build makes it for `ram_mb = N`. */
static int mm_pc(uint64_t ram_mb)
{
	static struct vm_config vm;

	memset(&vm, 0, sizeof(vm));
	vm.ram_mb = ram_mb;
	return memmap_build(&vm, &g_mm, g_err, sizeof(g_err));
}

static int run(size_t size, const char *cmdline, unsigned nmod,
	       const struct boot_module_input *mods)
{
	struct boot_input in = { .kernel = g_img, .kernel_size = size, .kernel_name = "kernel.elf",
				 .cmdline = cmdline, .nmodules = nmod, .modules = mods };

	boot_plan_free(&g_plan);
	return multiboot_plan(&in, &g_mm, &g_plan, &g_berr);
}

/* Plan expected to fail with `needle` in the message and source `src`. */
static int fails(size_t size, enum boot_error_source src, const char *needle)
{
	if (run(size, NULL, 0, NULL) != -1 || g_berr.source != src)
		return 0;
	if (strstr(g_berr.msg, needle) == NULL) {
		printf("  message: %s\n", g_berr.msg);
		return 0;
	}
	/* A failed plan holds nothing. */
	return g_plan.nitems == 0 && g_plan.owned == NULL;
}

static const struct boot_item *item(const char *what)
{
	for (unsigned i = 0; i < g_plan.nitems; i++)
		if (strcmp(g_plan.items[i].what, what) == 0)
			return &g_plan.items[i];
	return NULL;
}

/* Items must be in RAM and must not overlap one another. */
static int plan_consistent(void)
{
	for (unsigned i = 0; i < g_plan.nitems; i++) {
		const struct boot_item *a = &g_plan.items[i];

		if (a->size == 0 || !memmap_is_ram(&g_mm, a->gpa, a->size))
			return 0;
		for (unsigned j = 0; j < i; j++) {
			const struct boot_item *b = &g_plan.items[j];

			if (a->gpa < b->gpa + b->size && b->gpa < a->gpa + a->size)
				return 0;
		}
	}
	return 1;
}

/* Info-structure bytes at guest address `gpa` (inside the owned buffer). */
static const uint8_t *info_at(uint64_t gpa)
{
	const struct boot_item *it = item("multiboot info");

	if (it == NULL || gpa < it->gpa || gpa >= it->gpa + g_plan.owned_size)
		return NULL;
	return g_plan.owned + (gpa - it->gpa);
}

static const char *info_str(uint64_t gpa)
{
	const struct boot_item *it = item("multiboot info");
	const uint8_t *p = info_at(gpa);

	if (p == NULL || memchr(p, 0, g_plan.owned_size - (gpa - it->gpa)) == NULL)
		return NULL;
	return (const char *)p;
}

/* ---- header search ---- */

TEST(multiboot_header_search_offsets, "REQ-MB-001 REQ-MB-024")
{
	static const size_t offs[] = { 0, 4, 8, 0x400, 8188 };
	struct mb_header h;

	for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		size_t size = mb_flat(8188 + 32, offs[i], 0, 0x100000 + (uint32_t)offs[i],
				      0x100000, 0, 0, 0x100000);

		CHECK_EQ(multiboot_find_header(g_img, size, &h, g_err, sizeof(g_err)), 0);
		CHECK_EQ(h.offset, offs[i]);
		CHECK_EQ(h.magic, MB_HEADER_MAGIC);
		CHECK_EQ(h.flags, MB_FLAG_AOUT_KLUDGE);
		CHECK_EQ(h.checksum, 0u - MB_HEADER_MAGIC - MB_FLAG_AOUT_KLUDGE);
		CHECK_EQ(h.header_addr, 0x100000 + offs[i]);
		CHECK_EQ(h.load_addr, 0x100000);
		CHECK_EQ(h.entry_addr, 0x100000);
		CHECK(multiboot_detect(g_img, size));
	}
}

TEST(multiboot_header_beyond_8192_not_found, "REQ-MB-001 REQ-MB-024")
{
	struct mb_header h;
	size_t size = mb_flat(8192 + 64, 8192, 0, 0x102000, 0x100000, 0, 0, 0x100000);

	CHECK_EQ(multiboot_find_header(g_img, size, &h, g_err, sizeof(g_err)), -1);
	CHECK_STR_CONTAINS(g_err, "no Multiboot header");
	CHECK_STR_CONTAINS(g_err, "first 8192 bytes");
	CHECK(!multiboot_detect(g_img, size));
	CHECK(fails(size, BOOT_ERR_KERNEL, "no Multiboot header"));
	/* Short files and missing arguments. */
	CHECK_EQ(multiboot_find_header(g_img, 3, &h, g_err, sizeof(g_err)), -1);
	CHECK_EQ(multiboot_find_header(NULL, 100, &h, g_err, sizeof(g_err)), -1);
	CHECK_EQ(multiboot_find_header(g_img, size, NULL, g_err, sizeof(g_err)), -1);
	CHECK(!multiboot_detect(NULL, 0));
}

TEST(multiboot_header_misaligned_ignored, "REQ-MB-001")
{
	struct mb_header h;
	size_t size = mb_flat(0x1000, 0, 0, 0x100000, 0x100000, 0, 0, 0x100000);

	/* Move the header to offset 2: not 32-bit aligned, so not a header. */
	memmove(g_img + 2, g_img, 32);
	memset(g_img, 0, 2);
	CHECK_EQ(multiboot_find_header(g_img, size, &h, g_err, sizeof(g_err)), -1);
	CHECK_STR_CONTAINS(g_err, "no Multiboot header");
	/* A real one at offset 0x40 after the misaligned one is found. */
	put_hdr(g_img + 0x40, 0);
	CHECK_EQ(multiboot_find_header(g_img, size, &h, g_err, sizeof(g_err)), 0);
	CHECK_EQ(h.offset, 0x40);
	CHECK_EQ(h.flags, 0);
	CHECK_EQ(h.header_addr, 0); /* a.out fields are not read without bit 16 */
}

TEST(multiboot_header_bad_checksum, "REQ-MB-002")
{
	struct mb_header h;
	size_t size = mb_flat(0x1000, 0, 0, 0x100000, 0x100000, 0, 0, 0x100000);

	mm_static(0, 64 * MiB);
	mbt_put32(g_img + 8, le_get32(g_img + 8) + 1);
	CHECK_EQ(multiboot_find_header(g_img, size, &h, g_err, sizeof(g_err)), -1);
	CHECK_STR_CONTAINS(g_err, "offset 0x0 has a bad checksum");
	CHECK_STR_CONTAINS(g_err, "= 0x00000001, must be 0");
	CHECK(!multiboot_detect(g_img, size));
	CHECK(fails(size, BOOT_ERR_KERNEL, "bad checksum"));
	/* The magic value by chance, then a real header: the real one counts. */
	put_hdr(g_img + 0x40, MB_FLAG_AOUT_KLUDGE);
	put_aout(g_img + 0x40, 0x100040, 0x100000, 0, 0, 0x100000);
	CHECK_EQ(multiboot_find_header(g_img, size, &h, g_err, sizeof(g_err)), 0);
	CHECK_EQ(h.offset, 0x40);
	CHECK_EQ(run(size, NULL, 0, NULL), 0);
}

TEST(multiboot_header_truncated, "REQ-MB-003")
{
	struct mb_header h;

	/* The file ends 4 bytes after the magic. */
	memset(g_img, 0, 16);
	mbt_put32(g_img + 4, MB_HEADER_MAGIC);
	CHECK_EQ(multiboot_find_header(g_img, 12, &h, g_err, sizeof(g_err)), -1);
	CHECK_STR_CONTAINS(g_err, "offset 0x4 is truncated: the file ends after 8 of its 12 bytes");
	CHECK(fails(12, BOOT_ERR_KERNEL, "truncated"));
	/* The first bad candidate is the one reported. */
	mbt_put32(g_img, MB_HEADER_MAGIC);
	mbt_put32(g_img + 4, 0);
	mbt_put32(g_img + 8, 0);
	mbt_put32(g_img + 12, MB_HEADER_MAGIC);
	mbt_put32(g_img + 20, MB_HEADER_MAGIC);
	CHECK_EQ(multiboot_find_header(g_img, 24, &h, g_err, sizeof(g_err)), -1);
	CHECK_STR_CONTAINS(g_err, "offset 0x0 has a bad checksum");
	/* No message buffer, or an empty one. */
	g_err[0] = 'k';
	CHECK_EQ(multiboot_find_header(g_img, 24, &h, g_err, 0), -1);
	CHECK_EQ(g_err[0], 'k');
	/* Bit 16 needs 32 bytes. */
	mb_flat(0x100, 0, 0, 0x100000, 0x100000, 0, 0, 0x100000);
	CHECK_EQ(multiboot_find_header(g_img, 31, &h, g_err, sizeof(g_err)), -1);
	CHECK_STR_CONTAINS(g_err, "flags 0x00010000 need 32 bytes, the file ends after 31");
	CHECK_EQ(multiboot_find_header(g_img, 32, &h, g_err, sizeof(g_err)), 0);
	/* Bit 2 needs 48 bytes, with or without bit 16. */
	put_hdr(g_img, MB_FLAG_VIDEO_MODE);
	mbt_put32(g_img + 32, 1);
	mbt_put32(g_img + 36, 80);
	mbt_put32(g_img + 40, 25);
	mbt_put32(g_img + 44, 0);
	CHECK_EQ(multiboot_find_header(g_img, 47, &h, g_err, sizeof(g_err)), -1);
	CHECK_STR_CONTAINS(g_err, "need 48 bytes");
	CHECK_EQ(multiboot_find_header(g_img, 48, &h, g_err, sizeof(g_err)), 0);
	CHECK_EQ(h.mode_type, 1);
	CHECK_EQ(h.width, 80);
	CHECK_EQ(h.height, 25);
	CHECK_EQ(h.depth, 0);
	CHECK(multiboot_detect(g_img, 48));
}

/* ---- header flags ---- */

static size_t simple_elf(uint32_t flags)
{
	const struct mbt_seg s[] = { { 1, 0x1000, 0x100000, 0x100000, 0x100, 0x1000 } };

	return mb_elf(32, 0x100000, s, 1, flags);
}

TEST(multiboot_flags_video_refused, "REQ-MB-004 REQ-MB-021")
{
	mm_static(0, 64 * MiB);
	CHECK(fails(simple_elf(MB_FLAG_VIDEO_MODE), BOOT_ERR_KERNEL,
		    "requires a graphics mode (flags bit 2), which keel does not provide"));
	CHECK(fails(simple_elf(MB_FLAG_VIDEO_MODE | MB_FLAG_PAGE_ALIGN), BOOT_ERR_KERNEL,
		    "flags bit 2"));
}

TEST(multiboot_flags_unknown_required_refused, "REQ-MB-005 REQ-MB-021")
{
	mm_static(0, 64 * MiB);
	CHECK(fails(simple_elf(1u << 3), BOOT_ERR_KERNEL, "unsupported feature (flags bit 3"));
	CHECK(fails(simple_elf((1u << 5) | (1u << 9)), BOOT_ERR_KERNEL, "flags bit 5,"));
	CHECK(fails(simple_elf(1u << 15), BOOT_ERR_KERNEL, "flags bit 15,"));
}

TEST(multiboot_flags_supported_and_optional, "REQ-MB-005")
{
	mm_static(0, 64 * MiB);
	/* Bits 0 and 1 are honoured (modules are page-aligned, memory info is given). */
	CHECK_EQ(run(simple_elf(MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMORY_INFO), NULL, 0, NULL), 0);
	/* Optional bits other than 16 are ignored. */
	CHECK_EQ(run(simple_elf((1u << 17) | (1u << 31)), NULL, 0, NULL), 0);
	CHECK_EQ(g_plan.items[0].gpa, 0x100000);
	CHECK(strcmp(g_plan.items[0].what, "kernel segment 0") == 0);
}

/* ---- ELF loading ---- */

TEST(multiboot_elf32_load, "REQ-MB-007 REQ-MB-020")
{
	const struct mbt_seg s[] = {
		{ 1, 0x1000, 0x100000, 0x100000, 0x800, 0x800 },
		{ 4, 0x1800, 0, 0, 0x10, 0x10 },
		{ 1, 0x1800, 0x102000, 0x102000, 0x100, 0x3000 },
	};
	size_t size = mb_elf(32, 0x100010, s, 3, MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMORY_INFO);
	const struct boot_item *it;

	mm_static(0, 64 * MiB);
	CHECK_EQ(run(size, NULL, 0, NULL), 0);
	CHECK_EQ(g_plan.nitems, 3);
	it = item("kernel segment 0");
	CHECK(it != NULL);
	CHECK_EQ(it->gpa, 0x100000);
	CHECK_EQ(it->size, 0x800);
	CHECK(it->src == g_img + 0x1000);
	CHECK_EQ(it->src_len, 0x800);
	it = item("kernel segment 1");
	CHECK(it != NULL);
	CHECK_EQ(it->gpa, 0x102000);
	CHECK_EQ(it->size, 0x3000);           /* zero fill to p_memsz */
	CHECK(it->src == g_img + 0x1800);
	CHECK_EQ(it->src_len, 0x100);
	CHECK(item("multiboot info") != NULL);
	CHECK(plan_consistent());
	/* Entry state. */
	CHECK_EQ(g_plan.entry.mode, BOOT_ENTRY_PROTECTED32);
	CHECK_EQ(g_plan.entry.rip, 0x100010);
	CHECK_EQ(g_plan.entry.rax, 0x2BADB002);
	CHECK_EQ(g_plan.entry.rbx, item("multiboot info")->gpa);
	CHECK_EQ(g_plan.entry.rcx | g_plan.entry.rdx | g_plan.entry.rsi | g_plan.entry.rdi |
			 g_plan.entry.rsp, 0);
	/* Multiboot-detectable, and success works without an error structure. */
	CHECK(multiboot_detect(g_img, size));
	{
		struct boot_input in = { .kernel = g_img, .kernel_size = size, .kernel_name = "k" };

		boot_plan_free(&g_plan);
		CHECK_EQ(multiboot_plan(&in, &g_mm, &g_plan, NULL), 0);
	}
}

TEST(multiboot_elf64_load_translates_entry, "REQ-MB-008 REQ-MB-009 REQ-MB-020")
{
	const struct mbt_seg s[] = {
		{ 1, 0x1000, 0xffffffff80100000ull, 0x100000, 0x400, 0x2000 },
		{ 1, 0x1400, 0xffffffff80200000ull, 0x200000, 0x100, 0x100 },
	};
	size_t size = mb_elf(64, 0xffffffff80100020ull, s, 2, 0);
	const struct boot_item *it;

	mm_static(0, 64 * MiB);
	CHECK_EQ(run(size, NULL, 0, NULL), 0);
	it = item("kernel segment 0");
	CHECK(it != NULL);
	CHECK_EQ(it->gpa, 0x100000);
	CHECK_EQ(it->size, 0x2000);
	CHECK_EQ(it->src_len, 0x400);
	it = item("kernel segment 1");
	CHECK(it != NULL);
	CHECK_EQ(it->gpa, 0x200000);
	CHECK_EQ(g_plan.entry.rip, 0x100020);
	CHECK_EQ(g_plan.entry.rax, MB_BOOTLOADER_MAGIC);
	/* The entry in the second segment translates with that segment's offset. */
	mbt_put64(g_img + 24, 0xffffffff80200010ull);
	CHECK_EQ(run(size, NULL, 0, NULL), 0);
	CHECK_EQ(g_plan.entry.rip, 0x200010);
}

TEST(multiboot_elf32_entry_translation, "REQ-MB-007 REQ-MB-009")
{
	const struct mbt_seg s[] = { { 1, 0x1000, 0xc0100000u, 0x100000, 0x100, 0x1000 } };
	size_t size = mb_elf(32, 0xc0100040u, s, 1, 0);

	mm_static(0, 64 * MiB);
	CHECK_EQ(run(size, NULL, 0, NULL), 0);
	CHECK_EQ(g_plan.entry.rip, 0x100040);
	/* An e_entry that is already physical (not in any vaddr range) is kept. */
	mbt_put32(g_img + 24, 0x100080);
	CHECK_EQ(run(size, NULL, 0, NULL), 0);
	CHECK_EQ(g_plan.entry.rip, 0x100080);
}

TEST(multiboot_elf_entry_checks, "REQ-MB-009 REQ-MB-021")
{
	const struct mbt_seg s32[] = { { 1, 0x1000, 0x100000, 0x100000, 0x100, 0x1000 } };
	const struct mbt_seg s64[] = { { 1, 0x1000, 0x100000, 0x100000, 0x100, 0x1000 } };

	mm_static(0, 64 * MiB);
	CHECK(fails(mb_elf(32, 0x101000, s32, 1, 0), BOOT_ERR_KERNEL,
		    "kernel entry point 0x101000 (e_entry 0x101000) is not inside a loaded "
		    "segment"));
	CHECK(fails(mb_elf(32, 0xfffff, s32, 1, 0), BOOT_ERR_KERNEL, "not inside a loaded"));
	CHECK(fails(mb_elf(64, 0x100000000ull, s64, 1, 0), BOOT_ERR_KERNEL,
		    "kernel entry point 0x100000000 is not below 4 GiB"));
}

TEST(multiboot_elf_above_4g_refused, "REQ-MB-008 REQ-MB-013 REQ-MB-021")
{
	const struct mbt_seg high[] = { { 1, 0x1000, 0x100000000ull, 0x100000000ull, 0, 0x1000 } };
	const struct mbt_seg cross[] = { { 1, 0x1000, 0xfffff000u, 0xfffff000u, 0, 0x2000 } };
	const struct mbt_seg top[] = { { 1, 0x1000, 0xfffff000u, 0xfffff000u, 0, 0x1000 } };

	memset(&g_mm, 0, sizeof(g_mm));
	g_mm.nentries = 1;
	g_mm.entries[0] = (struct memmap_entry){ 0, 8ull << 30, MEMMAP_RAM };
	CHECK(fails(mb_elf(64, 0x100000000ull, high, 1, 0), BOOT_ERR_KERNEL,
		    "kernel segment 0 [0x100000000-0x100001000) is not below 4 GiB"));
	CHECK(fails(mb_elf(64, 0xfffff000u, cross, 1, 0), BOOT_ERR_KERNEL,
		    "kernel segment 0 [0xfffff000-0x100001000) is not below 4 GiB"));
	/* Ending exactly at 4 GiB is fine (RAM permitting). */
	CHECK_EQ(run(mb_elf(64, 0xfffff000u, top, 1, 0), NULL, 0, NULL), 0);
	CHECK_EQ(g_plan.items[0].gpa, 0xfffff000u);
}

TEST(multiboot_elf_segment_not_in_ram, "REQ-MB-013 REQ-MB-021")
{
	const struct mbt_seg past[] = { { 1, 0x1000, 0x4000000, 0x4000000, 0x10, 0x1000 } };
	const struct mbt_seg hole[] = { { 1, 0x1000, 0x9f000, 0x9f000, 0x10, 0x2000 } };

	mm_static(0, 64 * MiB);
	CHECK(fails(mb_elf(32, 0x4000000, past, 1, 0), BOOT_ERR_KERNEL,
		    "kernel segment 0 [0x4000000-0x4001000) is not wholly in guest RAM"));
	CHECK_EQ(mm_pc(64), 0);
	CHECK(fails(mb_elf(32, 0x9f000, hole, 1, 0), BOOT_ERR_KERNEL,
		    "kernel segment 0 [0x9f000-0xa1000) is not wholly in guest RAM"));
}

TEST(multiboot_elf_segments_overlap, "REQ-MB-013 REQ-MB-021")
{
	const struct mbt_seg s[] = {
		{ 1, 0x1000, 0x100000, 0x100000, 0x10, 0x2000 },
		{ 1, 0x1010, 0x101000, 0x101000, 0x10, 0x2000 },
	};

	mm_static(0, 64 * MiB);
	CHECK(fails(mb_elf(32, 0x100000, s, 2, 0), BOOT_ERR_KERNEL,
		    "kernel segment 1 [0x101000-0x103000) overlaps kernel segment 0 "
		    "[0x100000-0x102000)"));
}

TEST(multiboot_elf_errors_reported, "REQ-MB-006 REQ-MB-021")
{
	const struct mbt_seg s[] = { { 1, 0x1000, 0x100000, 0x100000, 0x100, 0x1000 } };
	const struct mbt_seg wild[] = { { 1, 0xfffffff0u, 0x100000, 0x100000, 0x100, 0x1000 } };
	size_t size;

	mm_static(0, 64 * MiB);
	/* Truncated program header table. */
	size = mb_elf(32, 0x100000, s, 1, 0);
	mbt_put32(g_img + 28, (uint32_t)size - 8);
	CHECK(fails(size, BOOT_ERR_KERNEL, "kernel: ELF program headers"));
	/* Overflowing segment offset. */
	size = mb_elf(32, 0x100000, wild, 1, 0);
	CHECK(fails(size, BOOT_ERR_KERNEL, "kernel: ELF program header 0: file bytes"));
	/* ET_DYN. */
	size = mb_elf(32, 0x100000, s, 1, 0);
	mbt_put16(g_img + 16, 3);
	CHECK(fails(size, BOOT_ERR_KERNEL, "ET_DYN"));
}

TEST(multiboot_not_elf_without_aout, "REQ-MB-012 REQ-MB-021")
{
	size_t size = mb_flat(0x1000, 0x40, 0, 0x100040, 0x100000, 0, 0, 0x100000);

	mm_static(0, 64 * MiB);
	put_hdr(g_img + 0x40, 0); /* same image, bit 16 clear */
	CHECK(fails(size, BOOT_ERR_KERNEL, "not ELF and no a.out kludge address fields"));
}

/* ---- a.out kludge ---- */

TEST(multiboot_aout_load, "REQ-MB-010 REQ-MB-020")
{
	size_t size = mb_flat(0x1000, 0x40, 0, 0x100040, 0x100000, 0x100800, 0x102000, 0x100080);
	const struct boot_item *it;

	mm_static(0, 64 * MiB);
	CHECK_EQ(run(size, NULL, 0, NULL), 0);
	CHECK_EQ(g_plan.nitems, 3);
	it = item("kernel segment 0");
	CHECK(it != NULL);
	CHECK_EQ(it->gpa, 0x100000);
	CHECK_EQ(it->size, 0x800);
	CHECK(it->src == g_img);
	CHECK_EQ(it->src_len, 0x800);
	it = item("kernel bss");
	CHECK(it != NULL);
	CHECK_EQ(it->gpa, 0x100800);
	CHECK_EQ(it->size, 0x1800);
	CHECK(it->src == NULL);
	CHECK_EQ(it->src_len, 0);
	CHECK_EQ(item("multiboot info")->gpa, 0x102000);
	CHECK_EQ(g_plan.entry.mode, BOOT_ENTRY_PROTECTED32);
	CHECK_EQ(g_plan.entry.rip, 0x100080);
	CHECK_EQ(g_plan.entry.rax, MB_BOOTLOADER_MAGIC);
	CHECK_EQ(g_plan.entry.rbx, 0x102000);
}

TEST(multiboot_aout_defaults, "REQ-MB-010")
{
	/* load starts 0x20 bytes into the file; load_end 0 = to the end; bss_end 0 = none. */
	size_t size = mb_flat(0x1000, 0x40, 0, 0x100020, 0x100000, 0, 0, 0x100000);
	const struct boot_item *it;

	mm_static(0, 64 * MiB);
	CHECK_EQ(run(size, NULL, 0, NULL), 0);
	it = item("kernel segment 0");
	CHECK(it != NULL);
	CHECK_EQ(it->gpa, 0x100000);
	CHECK(it->src == g_img + 0x20);
	CHECK_EQ(it->size, 0xfe0);
	CHECK_EQ(it->src_len, 0xfe0);
	CHECK(item("kernel bss") == NULL);
	/* bss_end == load end: no bss either. */
	size = mb_flat(0x1000, 0x40, 0, 0x100040, 0x100000, 0x100800, 0x100800, 0x100000);
	CHECK_EQ(run(size, NULL, 0, NULL), 0);
	CHECK(item("kernel bss") == NULL);
	/* Entry inside the bss is inside the kernel. */
	size = mb_flat(0x1000, 0x40, 0, 0x100040, 0x100000, 0x100800, 0x102000, 0x101fff);
	CHECK_EQ(run(size, NULL, 0, NULL), 0);
	CHECK_EQ(g_plan.entry.rip, 0x101fff);
}

TEST(multiboot_aout_used_for_elf, "REQ-MB-010")
{
	/* Bit 16 wins over the ELF program headers. */
	const struct mbt_seg s[] = { { 1, 0x1000, 0x200000, 0x200000, 0x100, 0x1000 } };
	size_t size = mb_elf(32, 0x200000, s, 1, MB_FLAG_AOUT_KLUDGE);
	const struct boot_item *it;

	put_aout(g_img + HDR_OFF, 0x100000 + HDR_OFF, 0x100000, 0, 0, 0x100000);
	mm_static(0, 64 * MiB);
	CHECK_EQ(run(size, NULL, 0, NULL), 0);
	it = item("kernel segment 0");
	CHECK(it != NULL);
	CHECK_EQ(it->gpa, 0x100000);
	CHECK_EQ(it->size, size);
	CHECK(it->src == g_img);
	CHECK_EQ(g_plan.entry.rip, 0x100000);
}

TEST(multiboot_aout_rules, "REQ-MB-011 REQ-MB-021")
{
	mm_static(0, 64 * MiB);
	CHECK(fails(mb_flat(0x1000, 0x40, 0, 0x100000, 0x100040, 0, 0, 0x100040), BOOT_ERR_KERNEL,
		    "a.out kludge: load_addr 0x100040 is above header_addr 0x100000"));
	CHECK(fails(mb_flat(0x1000, 0x40, 0, 0x100080, 0x100000, 0, 0, 0x100000), BOOT_ERR_KERNEL,
		    "header_addr 0x100080 - load_addr 0x100000 exceeds the header's file offset "
		    "0x40"));
	CHECK(fails(mb_flat(0x1000, 0x40, 0, 0x100040, 0x100000, 0x100000, 0, 0x100000),
		    BOOT_ERR_KERNEL, "load_end_addr 0x100000 is not above load_addr 0x100000"));
	CHECK(fails(mb_flat(0x1000, 0x40, 0, 0x100040, 0x100000, 0xfffff, 0, 0x100000),
		    BOOT_ERR_KERNEL, "load_end_addr 0xfffff is not above"));
	CHECK(fails(mb_flat(0x1000, 0x40, 0, 0x100040, 0x100000, 0x101001, 0, 0x100000),
		    BOOT_ERR_KERNEL,
		    "load_end_addr 0x101001 needs file bytes [0x0-0x1001), but the file has "
		    "0x1000 bytes"));
	CHECK(fails(mb_flat(0x1000, 0x40, 0, 0xfffff840u, 0xfffff800u, 0, 0, 0xfffff800u),
		    BOOT_ERR_KERNEL, "kernel [0xfffff800-0x100000800) is not below 4 GiB"));
	CHECK(fails(mb_flat(0x1000, 0x40, 0, 0x100040, 0x100000, 0x100800, 0x100400, 0x100000),
		    BOOT_ERR_KERNEL,
		    "bss_end_addr 0x100400 is below the end of the loaded image 0x100800"));
	CHECK(fails(mb_flat(0x1000, 0x40, 0, 0x100040, 0x100000, 0x100800, 0x102000, 0xfffff),
		    BOOT_ERR_KERNEL,
		    "entry_addr 0xfffff is outside the kernel [0x100000-0x102000)"));
	CHECK(fails(mb_flat(0x1000, 0x40, 0, 0x100040, 0x100000, 0x100800, 0x102000, 0x102000),
		    BOOT_ERR_KERNEL, "entry_addr 0x102000 is outside"));
	CHECK(fails(mb_flat(0x1000, 0x40, 0, 0x100040, 0x100000, 0x100800, 0, 0x100800),
		    BOOT_ERR_KERNEL, "entry_addr 0x100800 is outside the kernel [0x100000-0x100800)"));
}

TEST(multiboot_aout_not_in_ram, "REQ-MB-013 REQ-MB-021")
{
	mm_static(0, 64 * MiB);
	CHECK(fails(mb_flat(0x1000, 0, 0, 0x3fff000, 0x3fff000, 0x3fff800, 0x4001000, 0x3fff000),
		    BOOT_ERR_KERNEL,
		    "kernel bss [0x3fff800-0x4001000) is not wholly in guest RAM"));
	CHECK(fails(mb_flat(0x1000, 0, 0, 0x5000000, 0x5000000, 0, 0, 0x5000000), BOOT_ERR_KERNEL,
		    "kernel segment 0 [0x5000000-0x5001000) is not wholly in guest RAM"));
}

TEST(multiboot_kernel_at_page0_allowed, "REQ-MB-013 REQ-MB-014 REQ-MB-015")
{
	static const uint8_t mod[0x100] = { 0x42 };
	const struct boot_module_input m = { mod, sizeof(mod), NULL, "m.bin" };
	size_t size = mb_flat(0x1000, 0, 0, 0, 0, 0, 0x3000, 0x10);

	mm_static(0, 16 * MiB);
	CHECK_EQ(run(size, NULL, 1, &m), 0);
	CHECK_EQ(item("kernel segment 0")->gpa, 0);
	CHECK_EQ(item("kernel bss")->gpa, 0x1000);
	CHECK_EQ(item("module 0 (m.bin)")->gpa, 0x3000);
	CHECK_EQ(item("multiboot info")->gpa, 0x4000);
	CHECK_EQ(g_plan.entry.rip, 0x10);
	CHECK(plan_consistent());
}

/* ---- modules ---- */

TEST(multiboot_modules_placed_after_kernel, "REQ-MB-014 REQ-MB-015 REQ-MB-018")
{
	static uint8_t a[0x1234], b[0x10];
	const struct boot_module_input m[2] = {
		{ a, sizeof(a), "a arg", "dir/a.bin" },
		{ b, sizeof(b), NULL, "b.bin" },
	};
	const struct mbt_seg s[] = { { 1, 0x1000, 0x100000, 0x100000, 0x100, 0x1800 } };
	size_t size = mb_elf(32, 0x100000, s, 1, MB_FLAG_PAGE_ALIGN);
	const struct boot_item *it;
	const uint8_t *info, *mods;

	mm_static(0, 64 * MiB);
	CHECK_EQ(run(size, NULL, 2, m), 0);
	CHECK_EQ(g_plan.nitems, 4);
	it = item("module 0 (a.bin)");
	CHECK(it != NULL);
	CHECK_EQ(it->gpa, 0x102000);
	CHECK_EQ(it->size, sizeof(a));
	CHECK(it->src == a);
	CHECK_EQ(it->src_len, sizeof(a));
	it = item("module 1 (b.bin)");
	CHECK(it != NULL);
	CHECK_EQ(it->gpa, 0x104000);
	CHECK_EQ(it->size, sizeof(b));
	/* Info above the modules, page-aligned. */
	CHECK_EQ(item("multiboot info")->gpa, 0x105000);
	CHECK(plan_consistent());
	info = info_at(g_plan.entry.rbx);
	CHECK(info != NULL);
	CHECK_EQ(le_get32(info + 0) & MBI_FLAG_MODS, MBI_FLAG_MODS);
	CHECK_EQ(le_get32(info + 20), 2);
	mods = info_at(le_get32(info + 24));
	CHECK(mods != NULL);
	CHECK_EQ(le_get32(mods + 0), 0x102000);
	CHECK_EQ(le_get32(mods + 4), 0x102000 + sizeof(a));
	CHECK(info_str(le_get32(mods + 8)) != NULL);
	CHECK(strcmp(info_str(le_get32(mods + 8)), "a arg") == 0);
	CHECK_EQ(le_get32(mods + 12), 0);
	CHECK_EQ(le_get32(mods + 16), 0x104000);
	CHECK_EQ(le_get32(mods + 20), 0x104010);
	CHECK(info_str(le_get32(mods + 24)) != NULL);
	CHECK(strcmp(info_str(le_get32(mods + 24)), "") == 0);
	CHECK_EQ(le_get32(mods + 28), 0);
}

TEST(multiboot_modules_skip_ram_gap, "REQ-MB-014")
{
	static uint8_t a[0x2000];
	const struct boot_module_input m = { a, sizeof(a), NULL, "a.bin" };
	const struct mbt_seg s[] = { { 1, 0x1000, 0x90000, 0x90000, 0x100, 0xf000 } };

	CHECK_EQ(mm_pc(64), 0);
	CHECK_EQ(run(mb_elf(32, 0x90000, s, 1, 0), NULL, 1, &m), 0);
	/* No room between the kernel end (0x9f000) and the 640K hole: next RAM at 1 MiB. */
	CHECK_EQ(item("module 0 (a.bin)")->gpa, 0x100000);
	CHECK_EQ(item("multiboot info")->gpa, 0x102000);
	CHECK(plan_consistent());
}

TEST(multiboot_modules_fall_back_low, "REQ-MB-014 REQ-MB-015")
{
	static uint8_t a[0x2000];
	const struct boot_module_input m = { a, sizeof(a), NULL, NULL };
	const struct mbt_seg s[] = { { 1, 0x1000, 0xf00000, 0xf00000, 0x100, 0x100000 } };

	/* The kernel ends at the end of RAM: modules and info go low, but not at 0. */
	mm_static(0, 16 * MiB);
	CHECK_EQ(run(mb_elf(32, 0xf00000, s, 1, 0), NULL, 1, &m), 0);
	CHECK_EQ(item("module 0 (unnamed)")->gpa, 0x1000);
	CHECK_EQ(item("multiboot info")->gpa, 0x3000);
	CHECK(plan_consistent());
}

TEST(multiboot_module_does_not_fit, "REQ-MB-014 REQ-MB-021")
{
	static uint8_t small[0x1000];
	struct boot_module_input m[2] = {
		{ small, sizeof(small), NULL, "small.bin" },
		{ NULL, 16 * MiB, NULL, "/data/big.bin" },
	};
	size_t size = simple_elf(0);

	m[1].data = malloc(16 * MiB);
	CHECK(m[1].data != NULL);
	mm_static(0, 16 * MiB);
	CHECK_EQ(run(size, NULL, 2, m), -1);
	CHECK_EQ(g_berr.source, BOOT_ERR_MODULE);
	CHECK_EQ(g_berr.module, 1);
	CHECK_STR_CONTAINS(g_berr.msg, "module 1 (/data/big.bin, 0x1000000 bytes) does not fit "
				       "in free guest RAM below 4 GiB");
	CHECK_EQ(g_plan.nitems, 0);
	/* Unnamed modules and odd names still give readable messages and labels. */
	m[1].name = NULL;
	CHECK_EQ(run(size, NULL, 2, m), -1);
	CHECK_STR_CONTAINS(g_berr.msg, "module 1 (unnamed, 0x1000000 bytes) does not fit");
	m[0].name = "";
	m[1].size = 0x10;
	m[1].name = "dir/";
	CHECK_EQ(run(size, NULL, 2, m), 0);
	CHECK(item("module 0 (unnamed)") != NULL);
	CHECK(item("module 1 (dir/)") != NULL);
	free((void *)m[1].data);
}

TEST(multiboot_module_below_4g_only, "REQ-MB-014")
{
	/* 8 GiB PC layout: RAM [1M, 3G) and [4G, 9G). A module that fits only
	 * above 4 GiB is refused. The plan never reads module bytes, so the
	 * data pointer can stand in for a large module here. */
	static uint8_t stand_in[16];
	const struct boot_module_input m = { stand_in, 0xbff00000u, NULL, "huge.bin" };

	CHECK_EQ(mm_pc(8192), 0);
	CHECK_EQ(run(simple_elf(0), NULL, 1, &m), -1);
	CHECK_EQ(g_berr.source, BOOT_ERR_MODULE);
	CHECK_EQ(g_berr.module, 0);
	CHECK_STR_CONTAINS(g_berr.msg, "module 0 (huge.bin");
}

TEST(multiboot_module_empty_and_invalid, "REQ-MB-014 REQ-MB-018 REQ-MB-021")
{
	struct boot_module_input m = { NULL, 0, "x", "empty.bin" };
	const uint8_t *mods;

	mm_static(0, 64 * MiB);
	CHECK_EQ(run(simple_elf(0), NULL, 1, &m), 0);
	/* An empty module gets one zeroed byte of its own; mod_end == mod_start. */
	CHECK_EQ(item("module 0 (empty.bin)")->gpa, 0x101000);
	CHECK_EQ(item("module 0 (empty.bin)")->size, 1);
	CHECK_EQ(item("module 0 (empty.bin)")->src_len, 0);
	mods = info_at(le_get32(info_at(g_plan.entry.rbx) + 24));
	CHECK(mods != NULL);
	CHECK_EQ(le_get32(mods), 0x101000);
	CHECK_EQ(le_get32(mods + 4), 0x101000);
	/* Data missing for a non-empty module. */
	m.size = 5;
	CHECK_EQ(run(simple_elf(0), NULL, 1, &m), -1);
	CHECK_EQ(g_berr.source, BOOT_ERR_MODULE);
	CHECK_STR_CONTAINS(g_berr.msg, "module 0 (empty.bin) has no data");
	/* A module list that is missing. */
	CHECK_EQ(run(simple_elf(0), NULL, 1, NULL), -1);
	CHECK_EQ(g_berr.source, BOOT_ERR_MODULE);
}

TEST(multiboot_too_many_parts, "REQ-MB-014 REQ-MB-021")
{
	static struct boot_module_input m[BOOT_MAX_ITEMS];
	static struct mbt_seg s[ELF_MAX_SEGMENTS];
	size_t size;

	for (unsigned i = 0; i < BOOT_MAX_ITEMS; i++)
		m[i] = (struct boot_module_input){ NULL, 0, NULL, "e" };
	for (unsigned i = 0; i < ELF_MAX_SEGMENTS; i++)
		s[i] = (struct mbt_seg){ 1, 0, 0x100000 + i * 0x1000ull, 0x100000 + i * 0x1000ull,
					 0, 0x1000 };
	mm_static(0, 64 * MiB);
	size = mb_elf(32, 0x100000, s, ELF_MAX_SEGMENTS, 0);
	/* More modules than a plan can hold. */
	CHECK_EQ(run(size, NULL, BOOT_MAX_ITEMS - 1, m), -1);
	CHECK_EQ(g_berr.source, BOOT_ERR_MODULE);
	CHECK_STR_CONTAINS(g_berr.msg, "too many modules (63, limit 62)");
	/* 32 segments + 31 modules + info = 64 items: fits. */
	CHECK_EQ(run(size, NULL, 31, m), 0);
	CHECK_EQ(g_plan.nitems, BOOT_MAX_ITEMS);
	/* 32 + 32: no room for the info structure. */
	CHECK_EQ(run(size, NULL, 32, m), -1);
	CHECK_EQ(g_berr.source, BOOT_ERR_MEMORY);
	CHECK_STR_CONTAINS(g_berr.msg, "too many boot parts for the Multiboot information");
	CHECK(g_plan.owned == NULL);
	/* 32 + 33: module 32 does not fit the plan. */
	CHECK_EQ(run(size, NULL, 33, m), -1);
	CHECK_EQ(g_berr.source, BOOT_ERR_MODULE);
	CHECK_EQ(g_berr.module, 32);
	CHECK_STR_CONTAINS(g_berr.msg, "module 32 (e): too many boot parts");
}

/* ---- information structure ---- */

TEST(multiboot_info_static_map, "REQ-MB-015 REQ-MB-016 REQ-MB-017 REQ-MB-018 REQ-MB-019")
{
	static const uint8_t mod[0x10] = { 1 };
	const struct boot_module_input m = { mod, sizeof(mod), "mod arg", "m.bin" };
	const struct boot_item *it;
	const uint8_t *info, *mm, *mods;

	mm_static(0, 64 * MiB);
	CHECK_EQ(run(simple_elf(MB_FLAG_MEMORY_INFO), "console=ttyS0 debug", 1, &m), 0);
	it = item("multiboot info");
	CHECK(it != NULL);
	CHECK_EQ(it->gpa, 0x102000); /* after kernel [1M, 1M+4K) and module at 0x101000 */
	CHECK_EQ(it->gpa % 0x1000, 0);
	CHECK(it->src == g_plan.owned);
	CHECK_EQ(it->size, g_plan.owned_size);
	CHECK_EQ(it->src_len, g_plan.owned_size);
	CHECK(g_plan.owned_size >= 116);
	CHECK_EQ(g_plan.entry.rbx, it->gpa);
	info = g_plan.owned;
	CHECK_EQ(le_get32(info + 0), 0x24d); /* bits 0, 2, 3, 6, 9 */
	CHECK_EQ(le_get32(info + 0), MBI_FLAG_MEM | MBI_FLAG_CMDLINE | MBI_FLAG_MODS |
					  MBI_FLAG_MMAP | MBI_FLAG_LOADER_NAME);
	CHECK_EQ(le_get32(info + 4), 640);
	CHECK_EQ(le_get32(info + 8), 63 * 1024);
	CHECK_EQ(le_get32(info + 12), 0);
	CHECK(info_str(le_get32(info + 16)) != NULL);
	CHECK(strcmp(info_str(le_get32(info + 16)), "console=ttyS0 debug") == 0);
	CHECK_EQ(le_get32(info + 20), 1);
	mods = info_at(le_get32(info + 24));
	CHECK(mods != NULL);
	CHECK_EQ(le_get32(mods), 0x101000);
	CHECK_EQ(le_get32(mods + 4), 0x101010);
	CHECK(strcmp(info_str(le_get32(mods + 8)), "mod arg") == 0);
	CHECK_EQ(le_get32(mods + 12), 0);
	for (unsigned off = 28; off < 44; off++)
		CHECK_EQ(info[off], 0); /* syms */
	CHECK_EQ(le_get32(info + 44), 24);
	mm = info_at(le_get32(info + 48));
	CHECK(mm != NULL);
	CHECK_EQ(le_get32(mm), 20);
	CHECK_EQ(le_get64(mm + 4), 0);
	CHECK_EQ(le_get64(mm + 12), 64 * MiB);
	CHECK_EQ(le_get32(mm + 20), 1);
	for (unsigned off = 52; off < 64; off++)
		CHECK_EQ(info[off], 0); /* drives, config_table */
	CHECK(info_str(le_get32(info + 64)) != NULL);
	CHECK(strcmp(info_str(le_get32(info + 64)), "keel") == 0);
	for (unsigned off = 68; off < 116; off++)
		CHECK_EQ(info[off], 0); /* apm, vbe, framebuffer */
}

TEST(multiboot_info_pc_layout, "REQ-MB-016 REQ-MB-017 REQ-MB-019")
{
	const uint8_t *info, *mm;

	CHECK_EQ(mm_pc(64), 0);
	CHECK_EQ(run(simple_elf(0), NULL, 0, NULL), 0);
	info = info_at(g_plan.entry.rbx);
	CHECK(info != NULL);
	CHECK_EQ(le_get32(info + 0), 0x245); /* no modules: bit 3 clear */
	CHECK_EQ(le_get32(info + 4), 639);   /* 0x9fc00 bytes */
	CHECK_EQ(le_get32(info + 8), 63 * 1024);
	CHECK(strcmp(info_str(le_get32(info + 16)), "") == 0);
	CHECK_EQ(le_get32(info + 20), 0);
	CHECK_EQ(le_get32(info + 24), 0);
	CHECK_EQ(le_get32(info + 44), 3 * 24);
	mm = info_at(le_get32(info + 48));
	CHECK(mm != NULL);
	CHECK_EQ(le_get32(mm + 0), 20);
	CHECK_EQ(le_get64(mm + 4), 0);
	CHECK_EQ(le_get64(mm + 12), 0x9fc00);
	CHECK_EQ(le_get32(mm + 20), 1);
	CHECK_EQ(le_get32(mm + 24), 20);
	CHECK_EQ(le_get64(mm + 28), 0x9fc00);
	CHECK_EQ(le_get64(mm + 36), 0x100000 - 0x9fc00);
	CHECK_EQ(le_get32(mm + 44), 2);
	CHECK_EQ(le_get32(mm + 48), 20);
	CHECK_EQ(le_get64(mm + 52), 0x100000);
	CHECK_EQ(le_get64(mm + 60), 63 * MiB);
	CHECK_EQ(le_get32(mm + 68), 1);
	CHECK(strcmp(info_str(le_get32(info + 64)), "keel") == 0);
}

TEST(multiboot_info_memory_sizes, "REQ-MB-016")
{
	const struct mbt_seg s[] = { { 1, 0x1000, 0x100000, 0x100000, 0x100, 0x1000 } };
	const uint8_t *info;

	/* No RAM at 0: mem_lower is 0. */
	mm_static(MiB, 16 * MiB);
	CHECK_EQ(run(mb_elf(32, 0x100000, s, 1, 0), NULL, 0, NULL), 0);
	info = info_at(g_plan.entry.rbx);
	CHECK(info != NULL);
	CHECK_EQ(le_get32(info + 4), 0);
	CHECK_EQ(le_get32(info + 8), 16 * 1024);
	/* mem_upper is capped to 32 bits (8 TiB map; the plan does not touch RAM). */
	memset(&g_mm, 0, sizeof(g_mm));
	g_mm.nentries = 1;
	g_mm.entries[0] = (struct memmap_entry){ 0, 1ull << 43, MEMMAP_RAM };
	CHECK_EQ(run(mb_elf(32, 0x100000, s, 1, 0), NULL, 0, NULL), 0);
	info = info_at(g_plan.entry.rbx);
	CHECK_EQ(le_get32(info + 4), 640);
	CHECK_EQ(le_get32(info + 8), 0xffffffffu);
	/* Reserved entries map to type 2, whatever their enum value. */
	memset(&g_mm, 0, sizeof(g_mm));
	g_mm.nentries = 2;
	g_mm.entries[0] = (struct memmap_entry){ 0, 16 * MiB, MEMMAP_RAM };
	g_mm.entries[1] = (struct memmap_entry){ 16 * MiB, MiB, (enum memmap_type)7 };
	CHECK_EQ(run(mb_elf(32, 0x100000, s, 1, 0), NULL, 0, NULL), 0);
	info = info_at(g_plan.entry.rbx);
	CHECK_EQ(le_get32(info + 44), 48);
	CHECK_EQ(le_get32(info_at(le_get32(info + 48)) + 24 + 20), 2);
}

TEST(multiboot_info_does_not_fit, "REQ-MB-015 REQ-MB-021")
{
	/* RAM is exactly the kernel. */
	mm_static(MiB, 0x1000);
	CHECK(fails(mb_flat(0x1000, 0, 0, 0x100000, 0x100000, 0, 0, 0x100000), BOOT_ERR_MEMORY,
		    "no free guest RAM below 4 GiB (at or above 0x1000) for the Multiboot "
		    "information structure"));
}

TEST(multiboot_cmdline_limits, "REQ-MB-017 REQ-MB-021")
{
	static char longline[CFG_CMDLINE_MAX + 1];
	struct boot_module_input m = { NULL, 0, longline, "m.bin" };

	mm_static(0, 64 * MiB);
	memset(longline, 'x', CFG_CMDLINE_MAX);
	longline[CFG_CMDLINE_MAX] = '\0';
	CHECK_EQ(run(simple_elf(0), longline, 0, NULL), -1);
	CHECK_EQ(g_berr.source, BOOT_ERR_CMDLINE);
	CHECK_STR_CONTAINS(g_berr.msg, "kernel command line is longer than 4095 bytes");
	CHECK_EQ(run(simple_elf(0), NULL, 1, &m), -1);
	CHECK_EQ(g_berr.source, BOOT_ERR_MODULE);
	CHECK_EQ(g_berr.module, 0);
	CHECK_STR_CONTAINS(g_berr.msg, "module 0 (m.bin): command line is longer than 4095");
	/* 4095 bytes is the limit and fits. */
	longline[CFG_CMDLINE_MAX - 1] = '\0';
	CHECK_EQ(run(simple_elf(0), longline, 1, &m), 0);
	CHECK(strcmp(info_str(le_get32(info_at(g_plan.entry.rbx) + 16)), longline) == 0);
}

TEST(multiboot_plan_arguments, "REQ-MB-021")
{
	struct boot_input in = { .kernel = g_img, .kernel_size = simple_elf(0), .kernel_name = "k" };

	/* multiboot_plan overwrites the plan: free the previous one first. */
	boot_plan_free(&g_plan);
	mm_static(0, 64 * MiB);
	CHECK_EQ(multiboot_plan(&in, &g_mm, NULL, &g_berr), -1);
	CHECK_STR_CONTAINS(g_berr.msg, "internal error");
	CHECK_EQ(multiboot_plan(NULL, &g_mm, &g_plan, &g_berr), -1);
	CHECK_EQ(multiboot_plan(&in, NULL, &g_plan, &g_berr), -1);
	CHECK_EQ(multiboot_plan(&in, &g_mm, &g_plan, NULL), 0);
	boot_plan_free(&g_plan);
	CHECK_EQ(multiboot_plan(NULL, &g_mm, &g_plan, NULL), -1);
	in.kernel_size = 0;
	CHECK_EQ(multiboot_plan(&in, &g_mm, &g_plan, &g_berr), -1);
	CHECK_EQ(g_berr.source, BOOT_ERR_KERNEL);
	CHECK_STR_CONTAINS(g_berr.msg, "kernel image is empty");
	in.kernel = NULL;
	in.kernel_size = 100;
	CHECK_EQ(multiboot_plan(&in, &g_mm, &g_plan, &g_berr), -1);
}

TEST(multiboot_apply_to_guest_ram, "REQ-MB-007 REQ-MB-023")
{
	static const uint8_t mod[5] = { 'h', 'e', 'l', 'l', 'o' };
	const struct boot_module_input m = { mod, sizeof(mod), "arg", "hello.txt" };
	const struct mbt_seg s[] = {
		{ 1, 0x1000, 0x100000, 0x100000, 0x800, 0x800 },
		{ 1, 0x1800, 0x102000, 0x102000, 0x100, 0x3000 },
	};
	size_t size = mb_elf(32, 0x100000, s, 2, 0);
	const struct boot_item *it;
	struct guest_mem gm;
	uint8_t *ram;

	mm_static(0, 64 * MiB);
	ram = malloc(g_mm.backing_size);
	CHECK(ram != NULL);
	memset(ram, 0xcc, g_mm.backing_size);
	guest_mem_init_buffer(&gm, &g_mm, ram);
	CHECK_EQ(run(size, "cmd", 1, &m), 0);
	CHECK_EQ(boot_plan_apply(&g_plan, &gm, g_err, sizeof(g_err)), 0);
	for (unsigned i = 0; i < 0x800; i++)
		CHECK_EQ(ram[0x100000 + i], 0x11);
	CHECK_EQ(ram[0x100800], 0xcc);
	for (unsigned i = 0; i < 0x100; i++)
		CHECK_EQ(ram[0x102000 + i], 0x22);
	for (unsigned i = 0x100; i < 0x3000; i++)
		CHECK_EQ(ram[0x102000 + i], 0); /* bss zeroed */
	it = item("module 0 (hello.txt)");
	CHECK(it != NULL);
	CHECK(memcmp(ram + it->gpa, mod, sizeof(mod)) == 0);
	it = item("multiboot info");
	CHECK(it != NULL);
	CHECK(memcmp(ram + it->gpa, g_plan.owned, g_plan.owned_size) == 0);
	CHECK(strcmp((const char *)ram + le_get32(ram + it->gpa + 16), "cmd") == 0);
	CHECK(strcmp((const char *)ram + le_get32(ram + it->gpa + 64), "keel") == 0);
	boot_plan_free(&g_plan);
	free(ram);
}
