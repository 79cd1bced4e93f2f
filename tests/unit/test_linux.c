/* Unit tests of the Linux boot protocol loader (src/boot/linux.c). Test
 * images are synthetic bzImages built in memory: a boot sector, a setup
 * header of protocol 2.15 and a patterned protected-mode part. One test
 * reads the stock Debian kernel that tests/lab/fetch unpacks. */
#include "test.h"

#include <stdlib.h>

#include "boot/linux.h"
#include "mem/guest_mem.h"
#include "util/file.h"

#include "image_builder.h"
#include "util/le.h"

#define KiB 0x400ull
#define MiB 0x100000ull
#define GiB 0x40000000ull

#define SETUP_SIZE  0xa00u          /* setup_sects 4: boot sector + 4 sectors */
#define PM_SIZE     0x3000u         /* protected-mode part of the test image */
#define INIT_SIZE   0x400000u       /* 4 MiB */
#define PREF        0x1000000ull    /* 16 MiB */
#define KALIGN      0x200000u       /* 2 MiB */

static uint8_t g_img[0x20000];
static size_t g_size;
static struct boot_plan g_plan;
static struct boot_error g_berr;
static struct memmap g_mm;
static struct linux_header g_h;
static char g_err[256];
static uint8_t g_initrd[0x5000];

/* Inputs of the next run(); reset by image(). */
static struct boot_input g_in;
static struct boot_fw_blob g_fw[BOOT_MAX_ITEMS];


/* A valid relocatable 64-bit bzImage, protocol 2.15, with odd values in the
 * fields the loader must overwrite. Resets the plan inputs too. */
static void image(void)
{
	memset(g_img, 0, sizeof(g_img));
	g_img[0x1f1] = 0;                               /* setup_sects 0 means 4 */
	mbt_put16(g_img + 0x1f2, 1);                    /* root_flags: kept */
	mbt_put32(g_img + 0x1f4, PM_SIZE / 16);         /* syssize */
	mbt_put16(g_img + 0x1fa, 0x0f04);               /* vid_mode: overwritten */
	mbt_put16(g_img + 0x1fc, 0x0801);               /* root_dev: kept */
	mbt_put16(g_img + 0x1fe, 0xaa55);
	g_img[0x200] = 0xeb;
	g_img[0x201] = 0x6a;                            /* header ends at 0x26c */
	mbt_put32(g_img + 0x202, 0x53726448);           /* "HdrS" */
	mbt_put16(g_img + 0x206, 0x020f);
	mbt_put32(g_img + 0x208, 0x12345678);           /* realmode_swtch: cleared */
	mbt_put16(g_img + 0x20e, 0x600);                /* kernel_version at 0x800 */
	g_img[0x210] = 0x42;                            /* type_of_loader: overwritten */
	g_img[0x211] = 0x01 | 0x20 | 0x80;              /* LOADED_HIGH, QUIET, CAN_USE_HEAP */
	mbt_put32(g_img + 0x214, 0x100000);
	mbt_put32(g_img + 0x218, 0xdead0000);           /* ramdisk_image: overwritten */
	mbt_put32(g_img + 0x21c, 0x1234);
	mbt_put16(g_img + 0x224, 0x5be0);               /* heap_end_ptr: cleared */
	mbt_put32(g_img + 0x228, 0xbad);                /* cmd_line_ptr: overwritten */
	mbt_put32(g_img + 0x22c, 0x7fffffff);           /* initrd_addr_max */
	mbt_put32(g_img + 0x230, KALIGN);
	g_img[0x234] = 1;                               /* relocatable */
	g_img[0x235] = 21;                              /* min_alignment 2 MiB */
	mbt_put16(g_img + 0x236, 0x0001);               /* XLF_KERNEL_64 only */
	mbt_put32(g_img + 0x238, 2047);                 /* cmdline_size */
	mbt_put32(g_img + 0x23c, 7);                    /* hardware_subarch: cleared */
	mbt_put64(g_img + 0x240, 0x77);
	mbt_put32(g_img + 0x248, 0x2cc);                /* payload_offset: kept */
	mbt_put64(g_img + 0x250, 0xdeadbeef);           /* setup_data: cleared */
	mbt_put64(g_img + 0x258, PREF);
	mbt_put32(g_img + 0x260, INIT_SIZE);
	mbt_put32(g_img + 0x264, 0x190);                /* handover_offset: kept */
	mbt_put32(g_img + 0x268, 0x1a0);                /* kernel_info_offset: kept */
	g_img[0x26c] = 0x99;                            /* past the header: not copied */
	memcpy(g_img + 0x800, "6.99.0-keel (test) #1", 22);
	for (size_t i = 0; i < PM_SIZE; i++)
		g_img[SETUP_SIZE + i] = (uint8_t)(i * 13 + 5);
	g_size = SETUP_SIZE + PM_SIZE;

	for (size_t i = 0; i < sizeof(g_initrd); i++)
		g_initrd[i] = (uint8_t)(i * 3 + 1);
	memset(&g_in, 0, sizeof(g_in));
	g_in.kernel = g_img;
	g_in.kernel_size = g_size;
	g_in.kernel_name = "/boot/vmlinuz-test";
	g_in.cmdline = "console=ttyS0 quiet";
	g_in.initrd_name = "/boot/initrd.img";
}

static void with_initrd(size_t size)
{
	g_in.initrd = g_initrd;
	g_in.initrd_size = size;
}

/* The PC layout, as memmap_build makes it for `ram_mb = N`. */
static int mm_pc(uint64_t ram_mb)
{
	static struct vm_config vm;

	memset(&vm, 0, sizeof(vm));
	vm.ram_mb = ram_mb;
	return memmap_build(&vm, &g_mm, g_err, sizeof(g_err));
}

/* A static map of up to four regions (size 0 ends the list). */
static int mm_static(uint64_t b0, uint64_t s0, uint64_t b1, uint64_t s1, uint64_t b2, uint64_t s2)
{
	static struct vm_config vm;
	const uint64_t r[3][2] = { { b0, s0 }, { b1, s1 }, { b2, s2 } };

	memset(&vm, 0, sizeof(vm));
	for (unsigned i = 0; i < 3 && r[i][1] != 0; i++) {
		vm.regions[i].base = r[i][0];
		vm.regions[i].size = r[i][1];
		vm.nregions = i + 1;
	}
	return memmap_build(&vm, &g_mm, g_err, sizeof(g_err));
}

static int run(void)
{
	g_in.kernel_size = g_size;
	boot_plan_free(&g_plan);
	return linux_plan(&g_in, &g_mm, &g_plan, &g_berr);
}

/* Plan expected to fail with `needle` in the message and source `src`. */
static int fails(enum boot_error_source src, const char *needle)
{
	int rc = run();

	if (rc != -1 || g_berr.source != src || strstr(g_berr.msg, needle) == NULL ||
	    strchr(g_berr.msg, '\n') != NULL) {
		printf("  rc %d, source %d, message: %s\n", rc, (int)g_berr.source, g_berr.msg);
		return 0;
	}
	/* A failed plan holds nothing. */
	return g_plan.nitems == 0 && g_plan.owned == NULL;
}

/* Header refused by linux_parse_header with `needle` in the message. */
static int bad_header(const char *needle)
{
	if (linux_parse_header(g_img, g_size, &g_h, g_err, sizeof(g_err)) != -1 ||
	    strstr(g_err, needle) == NULL) {
		printf("  message: %s\n", g_err);
		return 0;
	}
	return fails(BOOT_ERR_KERNEL, needle);
}

static const struct boot_item *item_prefix(const char *what)
{
	for (unsigned i = 0; i < g_plan.nitems; i++)
		if (strncmp(g_plan.items[i].what, what, strlen(what)) == 0)
			return &g_plan.items[i];
	return NULL;
}

/* Planned bytes at guest address gpa (len of them), or NULL. */
static const uint8_t *bytes_at(uint64_t gpa, uint64_t len)
{
	for (unsigned i = 0; i < g_plan.nitems; i++) {
		const struct boot_item *it = &g_plan.items[i];

		if (it->src != NULL && gpa >= it->gpa && gpa - it->gpa <= it->src_len &&
		    len <= it->src_len - (gpa - it->gpa))
			return it->src + (gpa - it->gpa);
	}
	return NULL;
}

static const uint8_t *zp(void)
{
	const struct boot_item *it = item_prefix("zero page");

	return it != NULL && it->size == 0x1000 && it->src_len == 0x1000 ? it->src : NULL;
}

/* Walks the planned page tables; -1 if va is not mapped by a 2 MiB page. */
static int walk(uint64_t va, uint64_t *pa)
{
	const uint64_t addr_mask = 0x000ffffffffff000ULL;
	const uint8_t *e;
	uint64_t v;

	e = bytes_at(g_plan.entry.cr3 + ((va >> 39) & 511) * 8, 8);
	if (e == NULL || !((v = le_get64(e)) & 1) || (v & 0x80))
		return -1;
	e = bytes_at((v & addr_mask) + ((va >> 30) & 511) * 8, 8);
	if (e == NULL || !((v = le_get64(e)) & 1) || (v & 0x80))
		return -1;
	e = bytes_at((v & addr_mask) + ((va >> 21) & 511) * 8, 8);
	if (e == NULL || !((v = le_get64(e)) & 1) || !(v & 0x80) || !(v & 2))
		return -1;
	*pa = (v & 0x000fffffffe00000ULL) | (va & 0x1fffff);
	return 0;
}

static int identity(uint64_t va)
{
	uint64_t pa = ~0ULL;

	return walk(va, &pa) == 0 && pa == va;
}

/* Items do not overlap; loader parts are in RAM (blobs in backed memory). */
static int plan_consistent(void)
{
	for (unsigned i = 0; i < g_plan.nitems; i++) {
		const struct boot_item *a = &g_plan.items[i];
		int blob = strncmp(a->what, "blob", 4) == 0;

		if (a->size == 0 || a->src_len > a->size)
			return 0;
		if (blob ? !memmap_is_backed(&g_mm, a->gpa, a->size)
			 : !memmap_is_ram(&g_mm, a->gpa, a->size))
			return 0;
		if (!identity(a->gpa) || !identity(a->gpa + a->size - 1))
			return 0;
		for (unsigned j = 0; j < i; j++) {
			const struct boot_item *b = &g_plan.items[j];

			if (a->gpa < b->gpa + b->size && b->gpa < a->gpa + a->size)
				return 0;
		}
	}
	return 1;
}

/* e820 entry i of the planned zero page. */
static int e820_is(unsigned i, uint64_t base, uint64_t size, uint32_t type)
{
	const uint8_t *e = zp() + 0x2d0 + i * 20;

	if (le_get64(e) != base || le_get64(e + 8) != size || le_get32(e + 16) != type) {
		printf("  e820[%u] = 0x%llx+0x%llx type %u\n", i, (unsigned long long)le_get64(e),
		       (unsigned long long)le_get64(e + 8), le_get32(e + 16));
		return 0;
	}
	return 1;
}

/* ---- header ---- */

TEST(linux_header_valid, "REQ-LNX-001 REQ-LNX-003 REQ-LNX-005")
{
	image();
	CHECK(linux_detect(g_img, g_size));
	CHECK_EQ(linux_parse_header(g_img, g_size, &g_h, g_err, sizeof(g_err)), 0);
	CHECK_EQ(g_h.version, 0x020f);
	CHECK_EQ(g_h.setup_sects, 4);                  /* 0 means 4 */
	CHECK_EQ(g_h.setup_size, SETUP_SIZE);
	CHECK_EQ(g_h.kernel_size, PM_SIZE);
	CHECK_EQ(g_h.hdr_end, 0x26c);
	CHECK_EQ(g_h.syssize, PM_SIZE / 16);
	CHECK_EQ(g_h.loadflags, 0xa1);
	CHECK_EQ(g_h.xloadflags, 1);
	CHECK(g_h.relocatable);
	CHECK_EQ(g_h.kernel_alignment, KALIGN);
	CHECK_EQ(g_h.min_alignment, 21);
	CHECK_EQ(g_h.initrd_addr_max, 0x7fffffff);
	CHECK_EQ(g_h.cmdline_size, 2047);
	CHECK_EQ(g_h.pref_address, PREF);
	CHECK_EQ(g_h.init_size, INIT_SIZE);
	CHECK_EQ(g_h.code32_start, 0x100000);
	CHECK(strcmp(g_h.kernel_version, "6.99.0-keel (test) #1") == 0);

	/* An explicit setup_sects; protocol 2.12 headers end at 0x268. */
	g_img[0x1f1] = 8;
	mbt_put16(g_img + 0x206, 0x020c);
	g_img[0x201] = 0x66;
	g_size = 9 * 512 + 0x400;
	mbt_put32(g_img + 0x1f4, 0x40);
	CHECK_EQ(linux_parse_header(g_img, g_size, &g_h, g_err, sizeof(g_err)), 0);
	CHECK_EQ(g_h.setup_sects, 8);
	CHECK_EQ(g_h.setup_size, 9 * 512);
	CHECK_EQ(g_h.kernel_size, 0x400);
	CHECK_EQ(g_h.hdr_end, 0x268);
	/* The version string is cut at the end of the setup code or at junk. */
	mbt_put16(g_img + 0x20e, 9 * 512 - 0x200 - 3);
	memcpy(g_img + 9 * 512 - 3, "abcdef", 6);
	CHECK_EQ(linux_parse_header(g_img, g_size, &g_h, g_err, sizeof(g_err)), 0);
	CHECK(strcmp(g_h.kernel_version, "abc") == 0);
	mbt_put16(g_img + 0x20e, 0xffff);
	CHECK_EQ(linux_parse_header(g_img, g_size, &g_h, g_err, sizeof(g_err)), 0);
	CHECK(strcmp(g_h.kernel_version, "") == 0);
	g_img[0x800] = 0x1b;
	mbt_put16(g_img + 0x20e, 0x600);
	CHECK_EQ(linux_parse_header(g_img, g_size, &g_h, g_err, sizeof(g_err)), 0);
	CHECK(strcmp(g_h.kernel_version, "") == 0);
}

TEST(linux_detect_signatures, "REQ-LNX-001 REQ-LNX-002")
{
	image();
	CHECK(linux_detect(g_img, g_size));
	CHECK(!linux_detect(g_img, 0x205));
	CHECK(!linux_detect(NULL, g_size));
	g_img[0x1fe] = 0;
	CHECK(!linux_detect(g_img, g_size));
	CHECK(bad_header("no boot sector signature 0xAA55 at offset 0x1fe (found 0xaa00)"));
	image();
	g_img[0x205] = 'T';
	CHECK(!linux_detect(g_img, g_size));
	CHECK(bad_header("no setup header signature \"HdrS\" at offset 0x202"));
	image();
	g_size = 0x1ff;
	CHECK(bad_header("the file is only 511 bytes"));
	g_size = 0x204;                                 /* boot flag, but no room for HdrS */
	CHECK(bad_header("no setup header signature"));
	CHECK_EQ(linux_parse_header(NULL, 100, &g_h, g_err, sizeof(g_err)), -1);
	CHECK_EQ(linux_parse_header(g_img, 100, NULL, g_err, sizeof(g_err)), -1);
}

TEST(linux_header_version, "REQ-LNX-002")
{
	image();
	mbt_put16(g_img + 0x206, 0x0205);
	CHECK(bad_header("boot protocol 2.05 (version field 0x0205) is too old: keel needs 2.12"));
	mbt_put16(g_img + 0x206, 0x020b);
	CHECK(bad_header("boot protocol 2.11"));
	mbt_put16(g_img + 0x206, 0x0100);
	CHECK(bad_header("boot protocol 1.00"));
	mbt_put16(g_img + 0x206, 0x020c);
	CHECK_EQ(linux_parse_header(g_img, g_size, &g_h, g_err, sizeof(g_err)), 0);
}

TEST(linux_header_length, "REQ-LNX-003")
{
	image();
	g_img[0x200] = 0xe9;
	CHECK(bad_header("no short jump (0xEB) at offset 0x200 (found 0xe9)"));
	image();
	g_img[0x201] = 0x66;                            /* 2.15 needs 0x26c */
	CHECK(bad_header("ends the header at 0x268, but boot protocol 2.15 defines fields up to 0x26c"));
	g_img[0x201] = 0x90;                            /* negative: before 0x202 */
	CHECK(bad_header("(offset -112)"));
	image();
	g_img[0x201] = 0x7f;                            /* 0x281: the longest a jump reaches */
	CHECK_EQ(linux_parse_header(g_img, g_size, &g_h, g_err, sizeof(g_err)), 0);
	CHECK_EQ(g_h.hdr_end, 0x281);
	g_size = 0x270;
	CHECK(bad_header("the setup header ends at 0x281, past the end of the file (0x270 bytes)"));
}

TEST(linux_header_sizes, "REQ-LNX-003")
{
	image();
	g_img[0x1f1] = 0x7f;                            /* setup code to 0x10000 */
	CHECK(bad_header("setup_sects 127: the setup code ends at 0x10000, but the file is only "
			 "0x3a00 bytes"));
	image();
	g_size = SETUP_SIZE;                            /* no protected-mode part at all */
	mbt_put32(g_img + 0x1f4, 0);
	CHECK(bad_header("the file is only 0xa00 bytes"));
	g_size = SETUP_SIZE + 0x200;
	CHECK(bad_header("the protected-mode kernel is only 0x200 bytes: the 64-bit entry point"));
	g_size = SETUP_SIZE + 0x201;
	CHECK_EQ(linux_parse_header(g_img, g_size, &g_h, g_err, sizeof(g_err)), 0);
	image();
	mbt_put32(g_img + 0x1f4, PM_SIZE / 16 + 1);
	CHECK(bad_header("syssize 0x301 (0x3010 bytes) is more than the 0x3000 bytes after the "
			 "setup code: the file is truncated"));
	/* Extra bytes after the kernel (a signature, say) are fine. */
	mbt_put32(g_img + 0x1f4, PM_SIZE / 16 - 4);
	CHECK_EQ(linux_parse_header(g_img, g_size, &g_h, g_err, sizeof(g_err)), 0);
}

TEST(linux_header_flags, "REQ-LNX-004")
{
	image();
	g_img[0x211] = 0xa0;
	CHECK(bad_header("loadflags bit 0 (LOADED_HIGH) is clear: a zImage"));
	image();
	mbt_put16(g_img + 0x236, 0x001e);
	CHECK(bad_header("xloadflags bit 0 (XLF_KERNEL_64) is clear"));
}

TEST(linux_header_alignment, "REQ-LNX-005")
{
	image();
	mbt_put32(g_img + 0x230, 0x300000);
	CHECK(bad_header("kernel_alignment 0x300000 is not a power of two"));
	mbt_put32(g_img + 0x230, 0);
	CHECK(bad_header("kernel_alignment 0x0 is not a power of two"));
	mbt_put32(g_img + 0x230, 0x800);
	g_img[0x235] = 0;
	CHECK(bad_header("kernel_alignment 0x800 is outside the sane range"));
	mbt_put32(g_img + 0x230, 0x80000000);
	CHECK(bad_header("kernel_alignment 0x80000000 is outside the sane range"));
	image();
	g_img[0x235] = 22;
	CHECK(bad_header("min_alignment 2^22 is above kernel_alignment 0x200000"));
	g_img[0x235] = 200;
	CHECK(bad_header("min_alignment 2^200"));
	image();
	mbt_put32(g_img + 0x260, 0);
	CHECK(bad_header("init_size is 0"));
	image();
	g_img[0x234] = 0;
	mbt_put64(g_img + 0x258, PREF + 0x1000);
	CHECK(bad_header("not relocatable and its pref_address 0x1001000 is not a multiple of "
			 "kernel_alignment 0x200000"));
}

/* ---- placement ---- */

TEST(linux_plan_pc_layout, "REQ-LNX-006 REQ-LNX-007 REQ-LNX-009 REQ-LNX-013 REQ-LNX-017 REQ-LNX-018")
{
	const struct boot_item *k, *c, *z, *st;
	const uint8_t *p;

	image();
	CHECK_EQ(mm_pc(512), 0);
	CHECK_EQ(run(), 0);
	CHECK(plan_consistent());
	CHECK_EQ(g_plan.nitems, 6);                   /* no initrd, no blobs */
	/* The kernel at pref_address, spanning init_size. */
	k = item_prefix("linux kernel");
	CHECK(k != NULL);
	CHECK(strcmp(k->what, "linux kernel (vmlinuz-test)") == 0);
	CHECK_EQ(k->gpa, PREF);
	CHECK_EQ(k->size, INIT_SIZE);
	CHECK_EQ(k->src_len, PM_SIZE);
	CHECK(k->src == g_img + SETUP_SIZE);
	/* Loader data at and above 1 MiB, in allocation order. */
	z = item_prefix("zero page");
	CHECK(z != NULL && z->gpa == MiB && z->size == 0x1000);
	c = item_prefix("command line");
	CHECK(c != NULL && c->gpa == MiB + 0x1000 && c->size == 20);
	CHECK(memcmp(c->src, "console=ttyS0 quiet", 20) == 0);
	st = item_prefix("boot stack");
	CHECK(st != NULL && st->size == 0x1000 && st->src == NULL && st->gpa % 0x1000 == 0);
	/* Entry. */
	CHECK_EQ(g_plan.entry.mode, BOOT_ENTRY_LONG64);
	CHECK_EQ(g_plan.entry.rip, PREF + 0x200);
	CHECK_EQ(g_plan.entry.rsi, z->gpa);
	CHECK_EQ(g_plan.entry.rsp, st->gpa + 0x1000);
	CHECK_EQ(g_plan.entry.cr3, item_prefix("page tables")->gpa);
	CHECK_EQ(g_plan.entry.gdt_base, item_prefix("GDT")->gpa);
	CHECK_EQ(g_plan.entry.gdt_limit, 31);
	CHECK_EQ(g_plan.entry.rax | g_plan.entry.rbx | g_plan.entry.rcx | g_plan.entry.rdx |
		 g_plan.entry.rdi, 0);
	/* Zero page: command line pointer, no initrd. */
	p = zp();
	CHECK(p != NULL);
	CHECK_EQ(le_get32(p + 0x228), c->gpa);
	CHECK_EQ(le_get32(p + 0xc8), 0);
	CHECK_EQ(le_get32(p + 0x218), 0);
	CHECK_EQ(le_get32(p + 0x21c), 0);
	CHECK_EQ(le_get32(p + 0x214), PREF);
	CHECK(g_plan.owned != NULL && z->src >= g_plan.owned &&
	      z->src + 0x1000 <= g_plan.owned + g_plan.owned_size);
	boot_plan_free(&g_plan);
}

TEST(linux_zero_page_fields, "REQ-LNX-013")
{
	const uint8_t *p;

	image();
	CHECK_EQ(mm_pc(256), 0);
	g_in.acpi_rsdp = 0xe0040;
	with_initrd(0x1234);
	CHECK_EQ(run(), 0);
	p = zp();
	CHECK(p != NULL);
	/* Outside the header: zero but for what the loader writes. */
	for (unsigned i = 0; i < 0x1f1; i++)
		if (i < 0x070 || (i >= 0x078 && i < 0x0c0) || (i >= 0x0cc && i != 0x1e8))
			CHECK_EQ(p[i], 0);
	CHECK_EQ(le_get64(p + 0x070), 0xe0040);           /* acpi_rsdp_addr */
	CHECK_EQ(p[0x1ef], 0);                         /* sentinel */
	/* The header is copied up to its end (0x26c), no further. */
	CHECK_EQ(le_get16(p + 0x1f2), 1);                 /* root_flags */
	CHECK_EQ(le_get32(p + 0x1f4), PM_SIZE / 16);
	CHECK_EQ(le_get16(p + 0x1fc), 0x0801);            /* root_dev */
	CHECK_EQ(le_get16(p + 0x1fe), 0xaa55);
	CHECK_EQ(le_get32(p + 0x202), 0x53726448);
	CHECK_EQ(le_get16(p + 0x206), 0x020f);
	CHECK_EQ(le_get32(p + 0x22c), 0x7fffffff);
	CHECK_EQ(le_get32(p + 0x230), KALIGN);
	CHECK_EQ(p[0x234], 1);
	CHECK_EQ(le_get32(p + 0x238), 2047);
	CHECK_EQ(le_get32(p + 0x248), 0x2cc);
	CHECK_EQ(le_get64(p + 0x258), PREF);
	CHECK_EQ(le_get32(p + 0x260), INIT_SIZE);
	CHECK_EQ(le_get32(p + 0x264), 0x190);
	CHECK_EQ(le_get32(p + 0x268), 0x1a0);             /* kernel_info_offset, not an RSDP */
	for (unsigned i = 0x26c; i < 0x2d0; i++)
		CHECK_EQ(p[i], 0);
	/* Fields the loader owns. */
	CHECK_EQ(le_get16(p + 0x1fa), 0xffff);            /* vid_mode "normal" */
	CHECK_EQ(le_get32(p + 0x208), 0);                 /* realmode_swtch */
	CHECK_EQ(p[0x210], 0xff);                      /* type_of_loader */
	CHECK_EQ(p[0x211], 0x01);                      /* loadflags: LOADED_HIGH only */
	CHECK_EQ(le_get32(p + 0x214), PREF);              /* code32_start */
	CHECK_EQ(le_get32(p + 0x218), item_prefix("initrd")->gpa);
	CHECK_EQ(le_get32(p + 0x21c), 0x1234);
	CHECK_EQ(le_get32(p + 0xc0), 0);
	CHECK_EQ(le_get32(p + 0xc4), 0);
	CHECK_EQ(le_get16(p + 0x224), 0);                 /* heap_end_ptr */
	CHECK_EQ(p[0x226], 0);
	CHECK_EQ(p[0x227], 0);
	CHECK_EQ(le_get32(p + 0x228), item_prefix("command line")->gpa);
	CHECK_EQ(le_get32(p + 0x23c), 0);                 /* hardware_subarch: a PC */
	CHECK_EQ(le_get64(p + 0x240), 0);
	CHECK_EQ(le_get64(p + 0x250), 0);                 /* setup_data */
	/* Without an RSDP the field stays 0. */
	g_in.acpi_rsdp = 0;
	CHECK_EQ(run(), 0);
	CHECK_EQ(le_get64(zp() + 0x070), 0);
	boot_plan_free(&g_plan);
}

TEST(linux_gdt_and_page_tables, "REQ-LNX-015 REQ-LNX-016")
{
	const struct boot_item *g, *pt;

	image();
	CHECK_EQ(mm_pc(512), 0);
	with_initrd(0x3000);
	CHECK_EQ(run(), 0);
	g = item_prefix("GDT");
	CHECK(g != NULL && g->size == 32 && g->gpa % 16 == 0 && g->gpa >= MiB);
	CHECK_EQ(le_get64(g->src), 0);
	CHECK_EQ(le_get64(g->src + 8), 0);
	CHECK_EQ(le_get64(g->src + 0x10), 0x00af9a000000ffffULL);
	CHECK_EQ(le_get64(g->src + 0x18), 0x00cf92000000ffffULL);
	/* PML4 + PDPT + 4 PDs for the low 4 GiB, page-aligned, below 4 GiB. */
	pt = item_prefix("page tables");
	CHECK(pt != NULL && pt->size == 6 * 0x1000 && pt->gpa % 0x1000 == 0);
	CHECK_EQ(g_plan.entry.cr3, pt->gpa);
	CHECK(identity(0));
	CHECK(identity(0xfee00000));
	CHECK(identity(0xffffffff));
	CHECK(!identity(0x100000000ULL));
	/* Every item is mapped (kernel, zero page, cmdline, initrd, GDT, stack, tables). */
	CHECK(plan_consistent());
	CHECK(identity(g_plan.entry.rip));
	CHECK(identity(g_plan.entry.rsp - 1));
	boot_plan_free(&g_plan);
}

TEST(linux_kernel_pref_taken, "REQ-LNX-007")
{
	image();
	CHECK_EQ(mm_pc(512), 0);
	/* An initrd pinned at pref_address: the kernel goes to the next 2 MiB boundary. */
	with_initrd(0x3000);
	g_in.initrd_addr = PREF;
	CHECK_EQ(run(), 0);
	CHECK(plan_consistent());
	CHECK_EQ(item_prefix("linux kernel")->gpa, PREF + 2 * MiB);
	CHECK_EQ(g_plan.entry.rip, PREF + 2 * MiB + 0x200);
	/* pref_address unaligned for a relocatable kernel: not used. */
	image();
	mbt_put64(g_img + 0x258, PREF + 0x1000);
	CHECK_EQ(run(), 0);
	CHECK_EQ(item_prefix("linux kernel")->gpa, PREF);
	/* No pref_address: lowest boundary at or above 16 MiB. */
	mbt_put64(g_img + 0x258, 0);
	CHECK_EQ(run(), 0);
	CHECK_EQ(item_prefix("linux kernel")->gpa, PREF);
	/* A small map: below 16 MiB, at or above 1 MiB on a 2 MiB boundary. */
	CHECK_EQ(mm_static(0, 12 * MiB, 0, 0, 0, 0), 0);
	CHECK_EQ(run(), 0);
	CHECK(plan_consistent());
	CHECK_EQ(item_prefix("linux kernel")->gpa, 2 * MiB);
	/* init_size smaller than the file: the file decides the size. */
	image();
	mbt_put32(g_img + 0x260, 0x1000);
	CHECK_EQ(mm_pc(64), 0);
	CHECK_EQ(run(), 0);
	CHECK_EQ(item_prefix("linux kernel")->size, PM_SIZE);
	boot_plan_free(&g_plan);
}

TEST(linux_kernel_no_room, "REQ-LNX-007 REQ-LNX-018")
{
	image();
	mbt_put32(g_img + 0x260, 0x8000000);           /* 128 MiB */
	CHECK_EQ(mm_pc(64), 0);
	CHECK(fails(BOOT_ERR_MEMORY, "no room for the kernel: it needs 0x8000000 bytes (init_size "
				     "0x8000000) of free RAM at a 0x200000 boundary"));
	/* Without XLF_CAN_BE_LOADED_ABOVE_4G, RAM above 4 GiB does not help. */
	image();
	CHECK_EQ(mm_static(0, 2 * MiB, 0x100000000ULL, 64 * MiB, 0, 0), 0);
	CHECK(fails(BOOT_ERR_MEMORY, "below 4 GiB"));
}

TEST(linux_kernel_above_4g, "REQ-LNX-006 REQ-LNX-007 REQ-LNX-015")
{
	const struct boot_item *k, *pt;

	image();
	mbt_put16(g_img + 0x236, 0x0003);               /* XLF_CAN_BE_LOADED_ABOVE_4G */
	CHECK_EQ(mm_static(0, 2 * MiB, 0x100000000ULL, 64 * MiB, 0, 0), 0);
	CHECK_EQ(run(), 0);
	k = item_prefix("linux kernel");
	CHECK_EQ(k->gpa, 0x100000000ULL);
	CHECK_EQ(g_plan.entry.rip, 0x100000200ULL);
	/* The tables grow by the PD for [4 GiB, 5 GiB). */
	pt = item_prefix("page tables");
	CHECK_EQ(pt->size, 7 * 0x1000);
	CHECK(plan_consistent());
	CHECK(identity(0x100000000ULL + INIT_SIZE - 1));
	CHECK_EQ(le_get32(zp() + 0x214), 0x100000);       /* code32_start: the image's */
	/* Pinned far above: a new PDPT and PD. */
	CHECK_EQ(mm_static(0, 2 * MiB, 0x100000000ULL, 64 * MiB, 0x80000000000ULL, 64 * MiB), 0);
	g_in.kernel_addr = 0x80000000000ULL;
	CHECK_EQ(run(), 0);
	CHECK_EQ(item_prefix("page tables")->size, 8 * 0x1000);
	CHECK(plan_consistent());
	/* Loader data needs RAM below 4 GiB. */
	CHECK_EQ(mm_static(0x100000000ULL, 64 * MiB, 0, 0, 0, 0), 0);
	g_in.kernel_addr = 0;
	CHECK(fails(BOOT_ERR_MEMORY, "no free guest RAM below 4 GiB for the zero page"));
}

TEST(linux_kernel_addr, "REQ-LNX-006 REQ-LNX-008")
{
	const struct boot_item *k;

	image();
	CHECK_EQ(mm_pc(512), 0);
	g_in.kernel_addr = 0x2000000;
	CHECK_EQ(run(), 0);
	CHECK(plan_consistent());
	k = item_prefix("linux kernel");
	CHECK_EQ(k->gpa, 0x2000000);
	CHECK_EQ(k->size, INIT_SIZE);
	CHECK_EQ(g_plan.entry.rip, 0x2000200);
	CHECK_EQ(le_get32(zp() + 0x214), 0x2000000);
	/* Off the 2 MiB boundary: the kernel moves up to it, so the item grows. */
	g_in.kernel_addr = 0x2001000;
	CHECK_EQ(run(), 0);
	k = item_prefix("linux kernel");
	CHECK_EQ(k->gpa, 0x2001000);
	CHECK_EQ(k->size, 0x200000 - 0x1000 + INIT_SIZE);
	CHECK_EQ(g_plan.entry.rip, 0x2001200);
	/* Refusals. */
	g_in.kernel_addr = 0x2000800;
	CHECK(fails(BOOT_ERR_KERNEL_ADDR, "0x2000800 is not a multiple of 4 KiB"));
	g_in.kernel_addr = 0x1e000000;                 /* [480, 484) MiB in 512 MiB: fits */
	CHECK_EQ(run(), 0);
	g_in.kernel_addr = 0x1fe00000;
	CHECK(fails(BOOT_ERR_KERNEL_ADDR, "load address 0x1fe00000: the kernel [0x1fe00000-"
					  "0x20200000) (init_size 0x400000 from its runtime start) "
					  "is not wholly in guest RAM"));
	g_in.kernel_addr = 0x9f000;                     /* crosses the PC hole */
	CHECK(fails(BOOT_ERR_KERNEL_ADDR, "is not wholly in guest RAM"));
	g_in.kernel_addr = 0x100000000ULL;
	CHECK(fails(BOOT_ERR_KERNEL_ADDR, "load address 0x100000000 is not below 4 GiB "
					  "(xloadflags bit 1"));
	g_in.kernel_addr = 0xffe00000ULL;
	CHECK(fails(BOOT_ERR_KERNEL_ADDR, "does not end below 4 GiB"));
	/* Overlapping a pinned initrd (placed after the kernel) and a blob (before). */
	with_initrd(0x3000);
	g_in.kernel_addr = 0x2000000;
	g_in.initrd_addr = 0x2100000;
	CHECK(fails(BOOT_ERR_INITRD_ADDR, "the initrd [0x2100000-0x2103000) overlaps linux kernel "
					  "(vmlinuz-test) [0x2000000-0x2400000)"));
	g_in.initrd = NULL;
	g_in.initrd_size = 0;
	g_in.initrd_addr = 0;
	g_fw[0] = (struct boot_fw_blob){ 0x2200000, g_initrd, 0x100, "blob A", true };
	g_in.nfw = 1;
	g_in.fw = g_fw;
	CHECK(fails(BOOT_ERR_KERNEL_ADDR, "overlaps blob A [0x2200000-0x2200100)"));
	/* Above 4 GiB beyond the paging limit, when the kernel allows high loads. */
	g_in.nfw = 0;
	mbt_put16(g_img + 0x236, 0x0003);
	g_in.kernel_addr = 0x1000000000000ULL;
	CHECK(fails(BOOT_ERR_KERNEL_ADDR, "is not below the 4-level paging limit 2^48"));
}

TEST(linux_kernel_not_relocatable, "REQ-LNX-006 REQ-LNX-007 REQ-LNX-008")
{
	image();
	g_img[0x234] = 0;
	mbt_put64(g_img + 0x258, 0x2000000);
	CHECK_EQ(mm_pc(512), 0);
	CHECK_EQ(run(), 0);
	CHECK_EQ(item_prefix("linux kernel")->gpa, 0x2000000);
	CHECK_EQ(item_prefix("linux kernel")->size, INIT_SIZE);
	/* kernel_addr must then be pref_address. */
	g_in.kernel_addr = 0x2000000;
	CHECK_EQ(run(), 0);
	g_in.kernel_addr = 0x4000000;
	CHECK(fails(BOOT_ERR_KERNEL_ADDR, "0x4000000: this kernel is not relocatable and runs at "
					  "0x2000000 (its pref_address)"));
	/* pref_address 0: the traditional 1 MiB. */
	g_in.kernel_addr = 0;
	mbt_put64(g_img + 0x258, 0);
	CHECK_EQ(run(), 0);
	CHECK_EQ(item_prefix("linux kernel")->gpa, MiB);
	/* Its place taken or not RAM: refused, it cannot move. */
	mbt_put64(g_img + 0x258, 0x2000000);
	CHECK_EQ(mm_pc(32), 0);
	CHECK(fails(BOOT_ERR_KERNEL, "the kernel is not relocatable; its pref_address 0x2000000: "
				     "the kernel [0x2000000-0x2400000)"));
	CHECK_EQ(mm_pc(512), 0);
	with_initrd(0x3000);
	g_in.initrd_addr = 0x2200000;
	CHECK(fails(BOOT_ERR_KERNEL, "overlaps initrd (initrd.img) [0x2200000-0x2203000)"));
}

TEST(linux_cmdline, "REQ-LNX-009")
{
	static char big[5000];
	const struct boot_item *c;

	image();
	CHECK_EQ(mm_pc(64), 0);
	g_in.cmdline = NULL;                           /* an empty string */
	CHECK_EQ(run(), 0);
	c = item_prefix("command line");
	CHECK(c != NULL && c->size == 1 && c->src[0] == '\0' && c->gpa < 0x100000000ULL);
	CHECK_EQ(le_get32(zp() + 0x228), c->gpa);
	/* At most cmdline_size bytes. */
	mbt_put32(g_img + 0x238, 8);
	g_in.cmdline = "12345678";
	CHECK_EQ(run(), 0);
	c = item_prefix("command line");
	CHECK(c->size == 9 && memcmp(c->src, "12345678", 9) == 0 && c->gpa % 16 == 0);
	g_in.cmdline = "123456789";
	CHECK(fails(BOOT_ERR_CMDLINE, "longer than this kernel's cmdline_size (8 bytes)"));
	/* And never more than keel's own 4095. */
	mbt_put32(g_img + 0x238, 100000);
	memset(big, 'x', sizeof(big) - 1);
	big[4095] = '\0';
	g_in.cmdline = big;
	CHECK_EQ(run(), 0);
	CHECK_EQ(item_prefix("command line")->size, 4096);
	big[4095] = 'x';
	CHECK(fails(BOOT_ERR_CMDLINE, "the command line is longer than 4095 bytes"));
}

TEST(linux_initrd_auto, "REQ-LNX-010 REQ-LNX-013")
{
	const struct boot_item *r;

	image();
	CHECK_EQ(mm_pc(512), 0);
	with_initrd(0x2345);
	CHECK_EQ(run(), 0);
	CHECK(plan_consistent());
	/* At the top of RAM, page-aligned. */
	r = item_prefix("initrd");
	CHECK(r != NULL && strcmp(r->what, "initrd (initrd.img)") == 0);
	CHECK_EQ(r->gpa, 512 * MiB - 0x3000);
	CHECK_EQ(r->size, 0x2345);
	CHECK(r->src == g_initrd && r->src_len == 0x2345);
	CHECK_EQ(le_get32(zp() + 0x218), r->gpa);
	CHECK_EQ(le_get32(zp() + 0x21c), 0x2345);
	/* Below initrd_addr_max + 1. */
	mbt_put32(g_img + 0x22c, 0x0fffffff);
	CHECK_EQ(run(), 0);
	CHECK_EQ(item_prefix("initrd")->gpa, 256 * MiB - 0x3000);
	mbt_put32(g_img + 0x22c, 0x0fffefff);
	CHECK_EQ(run(), 0);
	CHECK_EQ(item_prefix("initrd")->gpa, 256 * MiB - 0x4000);
	/* Above 3 GiB the PC layout continues at 4 GiB; the initrd stays low. */
	mbt_put32(g_img + 0x22c, 0xffffffff);
	CHECK_EQ(mm_pc(4096), 0);
	CHECK_EQ(run(), 0);
	CHECK_EQ(item_prefix("initrd")->gpa, 0xc0000000ULL - 0x3000);
	CHECK_EQ(le_get32(zp() + 0xc0), 0);
	/* Below an item in the way at the top. */
	CHECK_EQ(mm_pc(512), 0);
	g_fw[0] = (struct boot_fw_blob){ 512 * MiB - 0x1000, g_initrd, 0x800, "blob top", false };
	g_in.nfw = 1;
	g_in.fw = g_fw;
	CHECK_EQ(run(), 0);
	CHECK_EQ(item_prefix("initrd")->gpa, 512 * MiB - 0x4000);
	boot_plan_free(&g_plan);
}

TEST(linux_initrd_refused, "REQ-LNX-010 REQ-LNX-018")
{
	image();
	CHECK_EQ(mm_pc(512), 0);
	with_initrd(0);
	CHECK(fails(BOOT_ERR_INITRD, "the initrd (initrd.img) is empty"));
	/* Larger than anything below initrd_addr_max allows. */
	mbt_put32(g_img + 0x22c, 0x3fff);
	with_initrd(0x4001);
	CHECK(fails(BOOT_ERR_INITRD, "the initrd (initrd.img) is 0x4001 bytes, more than fits "
				     "below this kernel's initrd_addr_max 0x3fff"));
	/* Room in principle, but not in this map: no RAM below 1 MiB. */
	mbt_put32(g_img + 0x22c, 0xfffff);
	CHECK_EQ(mm_static(MiB, 31 * MiB, 0, 0, 0, 0), 0);
	with_initrd(0x5000);
	CHECK(fails(BOOT_ERR_INITRD, "no free guest RAM for the initrd (initrd.img, 0x5000 bytes) "
				     "below 0x100000 (initrd_addr_max + 1)"));
	/* With room only below 1 MiB, the initrd goes there (never page 0). */
	CHECK_EQ(mm_static(0, 20 * MiB + 0x2000, 0, 0, 0, 0), 0);
	mbt_put32(g_img + 0x22c, 0xfffff);
	with_initrd(0x3000);
	CHECK_EQ(run(), 0);
	CHECK_EQ(item_prefix("initrd")->gpa, MiB - 0x3000);
	/* No data: an internal error, not a crash. */
	g_in.initrd = NULL;
	CHECK(fails(BOOT_ERR_INITRD, "internal error"));
}

TEST(linux_initrd_addr, "REQ-LNX-011")
{
	image();
	CHECK_EQ(mm_pc(512), 0);
	with_initrd(0x2345);
	g_in.initrd_addr = 0x8000000;
	CHECK_EQ(run(), 0);
	CHECK(plan_consistent());
	CHECK_EQ(item_prefix("initrd")->gpa, 0x8000000);
	CHECK_EQ(le_get32(zp() + 0x218), 0x8000000);
	g_in.initrd_addr = 0x8000800;
	CHECK(fails(BOOT_ERR_INITRD_ADDR, "0x8000800 is not a multiple of 4 KiB"));
	mbt_put32(g_img + 0x22c, 0x08001fff);
	g_in.initrd_addr = 0x8000000;
	CHECK(fails(BOOT_ERR_INITRD_ADDR, "the initrd [0x8000000-0x8002345) ends above this "
					  "kernel's initrd_addr_max 0x8001fff"));
	g_in.initrd_addr = 0x9000000;
	CHECK(fails(BOOT_ERR_INITRD_ADDR, "ends above this kernel's initrd_addr_max"));
	mbt_put32(g_img + 0x22c, 0xffffffff);
	g_in.initrd_addr = 0x1ffff000;
	CHECK(fails(BOOT_ERR_INITRD_ADDR, "the initrd [0x1ffff000-0x20001345) is not wholly in "
					  "guest RAM"));
	/* Where the kernel would go: the initrd is placed first, the kernel moves. */
	g_in.initrd_addr = PREF + MiB;
	CHECK_EQ(run(), 0);
	CHECK(plan_consistent());
	CHECK_EQ(item_prefix("linux kernel")->gpa, PREF + 2 * MiB);
	g_in.kernel_addr = PREF;
	CHECK(fails(BOOT_ERR_INITRD_ADDR, "overlaps linux kernel"));
	/* An address without an initrd. */
	g_in.kernel_addr = 0;
	g_in.initrd = NULL;
	g_in.initrd_size = 0;
	CHECK(fails(BOOT_ERR_INITRD_ADDR, "an initrd address is given but there is no initrd"));
}

TEST(linux_fw_blobs, "REQ-LNX-012 REQ-LNX-014")
{
	static uint8_t tables[0x3000];
	const struct boot_item *b;

	image();
	CHECK_EQ(mm_pc(512), 0);
	/* ACPI tables in the BIOS area (reserved, backed) and an ACPI blob and
	 * a reserved one inside RAM. */
	g_fw[0] = (struct boot_fw_blob){ 0xe0000, tables, 0x2000, "blob acpi low", true };
	g_fw[1] = (struct boot_fw_blob){ 0x4000000, tables, 0x1800, "blob acpi", true };
	g_fw[2] = (struct boot_fw_blob){ 0x4001800, tables, 0x800, "blob mp", false };
	g_in.nfw = 3;
	g_in.fw = g_fw;
	CHECK_EQ(run(), 0);
	CHECK(plan_consistent());
	b = item_prefix("blob acpi low");
	CHECK(b != NULL && b->gpa == 0xe0000 && b->size == 0x2000 && b->src == tables);
	CHECK_EQ(g_plan.items[0].gpa, 0xe0000);        /* blobs come first */
	CHECK_EQ(zp()[0x1e8], 8);
	CHECK(e820_is(0, 0, 0x9fc00, 1));
	CHECK(e820_is(1, 0x9fc00, 0xe0000 - 0x9fc00, 2));
	CHECK(e820_is(2, 0xe0000, 0x2000, 3));
	CHECK(e820_is(3, 0xe2000, 0x100000 - 0xe2000, 2));
	CHECK(e820_is(4, 0x100000, 0x4000000 - 0x100000, 1));
	CHECK(e820_is(5, 0x4000000, 0x1800, 3));
	CHECK(e820_is(6, 0x4001800, 0x800, 2));
	CHECK(e820_is(7, 0x4002000, 512 * MiB - 0x4002000, 1));
	for (unsigned i = 0x2d0 + 8 * 20; i < 0xd00; i++)
		CHECK_EQ(zp()[i], 0);
	/* A reserved blob inside the BIOS area and blobs of one type side by
	 * side: merged with their neighbours. */
	g_fw[0] = (struct boot_fw_blob){ 0xf0000, tables, 0x1000, "blob bios", false };
	g_fw[1] = (struct boot_fw_blob){ 0x4001000, tables, 0x1000, "blob 2", true };
	g_fw[2] = (struct boot_fw_blob){ 0x4000000, tables, 0x1000, "blob 1", true };
	CHECK_EQ(run(), 0);
	CHECK_EQ(zp()[0x1e8], 5);
	CHECK(e820_is(0, 0, 0x9fc00, 1));
	CHECK(e820_is(1, 0x9fc00, 0x100000 - 0x9fc00, 2));
	CHECK(e820_is(2, 0x100000, 0x4000000 - 0x100000, 1));
	CHECK(e820_is(3, 0x4000000, 0x2000, 3));
	CHECK(e820_is(4, 0x4002000, 512 * MiB - 0x4002000, 1));
	boot_plan_free(&g_plan);
}

TEST(linux_fw_blobs_refused, "REQ-LNX-012 REQ-LNX-018")
{
	static uint8_t tables[0x100];

	image();
	CHECK_EQ(mm_pc(64), 0);
	g_in.fw = g_fw;
	g_in.nfw = 1;
	g_fw[0] = (struct boot_fw_blob){ 64 * MiB - 0x80, tables, 0x100, "blob RSDP", true };
	CHECK(fails(BOOT_ERR_MEMORY, "blob RSDP [0x3ffff80-0x4000080) is not wholly in guest memory"));
	g_fw[0] = (struct boot_fw_blob){ 0xfffffffffffff000ULL, tables, 0x2000, "blob wrap", true };
	CHECK(fails(BOOT_ERR_MEMORY, "blob wrap"));
	g_fw[0] = (struct boot_fw_blob){ 0xe0000, tables, 0, "blob empty", true };
	CHECK(fails(BOOT_ERR_MEMORY, "blob empty (firmware blob 0) is empty"));
	g_fw[0] = (struct boot_fw_blob){ 0xe0000, NULL, 0x10, NULL, true };
	CHECK(fails(BOOT_ERR_MEMORY, "firmware blob (firmware blob 0) is empty"));
	g_fw[0] = (struct boot_fw_blob){ 0xe0000, tables, 0x100, "blob A", true };
	g_fw[1] = (struct boot_fw_blob){ 0xe00ff, tables, 0x10, "blob B", false };
	g_in.nfw = 2;
	CHECK(fails(BOOT_ERR_MEMORY, "blob B [0xe00ff-0xe010f) overlaps blob A [0xe0000-0xe0100)"));
	g_in.nfw = BOOT_MAX_ITEMS - 6;
	CHECK(fails(BOOT_ERR_MEMORY, "too many firmware blobs (58, limit 57)"));
	g_in.fw = NULL;
	CHECK(fails(BOOT_ERR_MEMORY, "internal error"));
}

TEST(linux_e820_static_maps, "REQ-LNX-014")
{
	static uint8_t tables[0x100];

	image();
	/* Several static regions, in address order whatever the config order. */
	CHECK_EQ(mm_static(0x100000000ULL, 256 * MiB, 0, 0x9f000, MiB, 127 * MiB), 0);
	CHECK_EQ(run(), 0);
	CHECK(plan_consistent());
	CHECK_EQ(zp()[0x1e8], 3);
	CHECK(e820_is(0, 0, 0x9f000, 1));
	CHECK(e820_is(1, MiB, 127 * MiB, 1));
	CHECK(e820_is(2, 0x100000000ULL, 256 * MiB, 1));
	/* Touching regions stay two entries of the map... */
	CHECK_EQ(mm_static(0, 64 * MiB, 64 * MiB, 64 * MiB, 0, 0), 0);
	CHECK_EQ(run(), 0);
	CHECK_EQ(zp()[0x1e8], 1);                      /* ...merged in e820 */
	CHECK(e820_is(0, 0, 128 * MiB, 1));
	/* The PC layout above 4 GiB. */
	CHECK_EQ(mm_pc(4096 + 512), 0);
	CHECK_EQ(run(), 0);
	CHECK_EQ(zp()[0x1e8], 4);
	CHECK(e820_is(0, 0, 0x9fc00, 1));
	CHECK(e820_is(1, 0x9fc00, 0x60400, 2));
	CHECK(e820_is(2, MiB, 0xc0000000ULL - MiB, 1));
	CHECK(e820_is(3, 0x100000000ULL, 1536 * MiB, 1));
	/* A blob spanning two regions is carved out of both. */
	CHECK_EQ(mm_static(0, 64 * MiB, 64 * MiB, 64 * MiB, 0, 0), 0);
	g_fw[0] = (struct boot_fw_blob){ 64 * MiB - 0x80, tables, 0x100, "blob span", true };
	g_in.fw = g_fw;
	g_in.nfw = 1;
	CHECK_EQ(run(), 0);
	CHECK_EQ(zp()[0x1e8], 3);
	CHECK(e820_is(0, 0, 64 * MiB - 0x80, 1));
	CHECK(e820_is(1, 64 * MiB - 0x80, 0x100, 3));
	CHECK(e820_is(2, 64 * MiB + 0x80, 64 * MiB - 0x80, 1));
	boot_plan_free(&g_plan);
}

TEST(linux_e820_full, "REQ-LNX-014 REQ-LNX-018")
{
	static uint8_t tables[0x100];
	static struct vm_config vm;
	unsigned nfw = BOOT_MAX_ITEMS - 7;

	/* 16 separate regions, each split by blobs: more than 128 entries. */
	image();
	memset(&vm, 0, sizeof(vm));
	for (unsigned i = 0; i < CFG_MAX_REGIONS; i++) {
		vm.regions[i].base = (uint64_t)i * 64 * MiB;
		vm.regions[i].size = 32 * MiB;
	}
	vm.nregions = CFG_MAX_REGIONS;
	CHECK_EQ(memmap_build(&vm, &g_mm, g_err, sizeof(g_err)), 0);
	/* Regions 1 to 15 take the blobs, 1 MiB apart: each adds two entries. */
	for (unsigned i = 0; i < nfw; i++)
		g_fw[i] = (struct boot_fw_blob){ (1 + i % 15) * 64 * MiB + (1 + i / 15) * MiB,
						 tables, 0x100, "blob", (i & 1) != 0 };
	g_in.fw = g_fw;
	g_in.nfw = nfw;
	CHECK(fails(BOOT_ERR_MEMORY, "needs more than 128 e820 entries"));
	/* Fewer blobs fit. */
	g_in.nfw = 50;
	CHECK_EQ(run(), 0);
	CHECK_EQ(zp()[0x1e8], 16 + 2 * 50);
	boot_plan_free(&g_plan);
}

TEST(linux_plan_refusals, "REQ-LNX-018")
{
	struct boot_module_input mod = { g_initrd, 16, "", "m" };

	image();
	CHECK_EQ(mm_pc(64), 0);
	g_in.nmodules = 1;
	g_in.modules = &mod;
	CHECK(fails(BOOT_ERR_MODULE, "takes one initrd, not Multiboot modules"));
	g_in.nmodules = 0;
	g_size = 0;
	CHECK(fails(BOOT_ERR_KERNEL, "kernel image is empty"));
	image();
	g_img[0x1fe] = 0;
	CHECK(fails(BOOT_ERR_KERNEL, "not a Linux bzImage"));
	CHECK_EQ(linux_plan(NULL, &g_mm, &g_plan, &g_berr), -1);
	CHECK_EQ(linux_plan(&g_in, NULL, &g_plan, &g_berr), -1);
	CHECK_EQ(linux_plan(&g_in, &g_mm, NULL, &g_berr), -1);
	CHECK_EQ(linux_plan(&g_in, &g_mm, &g_plan, NULL), -1);
	CHECK_EQ(g_plan.nitems, 0);
	/* The same input once valid: kernel, zero page, cmdline, GDT, stack, tables. */
	image();
	CHECK_EQ(run(), 0);
	CHECK_EQ(g_plan.nitems, 6);
	boot_plan_free(&g_plan);
}

/* The plan applies to guest RAM as it is: zero page, tables and kernel bytes. */
TEST(linux_plan_applies, "REQ-LNX-006 REQ-LNX-013 REQ-LNX-018")
{
	static uint8_t ram[64 << 20];
	struct guest_mem gm;
	const struct boot_item *k;

	image();
	CHECK_EQ(mm_static(0, 64 * MiB, 0, 0, 0, 0), 0);
	with_initrd(0x1000);
	memset(ram, 0xcc, sizeof(ram));
	CHECK_EQ(run(), 0);
	guest_mem_init_buffer(&gm, &g_mm, ram);
	CHECK_EQ(boot_plan_apply(&g_plan, &gm, g_err, sizeof(g_err)), 0);
	k = item_prefix("linux kernel");
	CHECK(memcmp(ram + k->gpa, g_img + SETUP_SIZE, PM_SIZE) == 0);
	CHECK_EQ(ram[k->gpa + PM_SIZE], 0);            /* zero-filled up to init_size */
	CHECK_EQ(ram[k->gpa + k->size - 1], 0);
	CHECK(memcmp(ram + g_plan.entry.rsi, zp(), 0x1000) == 0);
	CHECK_EQ(le_get64(ram + g_plan.entry.gdt_base + 0x10), 0x00af9a000000ffffULL);
	CHECK_EQ(le_get64(ram + g_plan.entry.cr3) & 0xfff, 0x3);
	CHECK(memcmp(ram + le_get32(ram + g_plan.entry.rsi + 0x228), "console=ttyS0 quiet", 20) == 0);
	CHECK(memcmp(ram + le_get32(ram + g_plan.entry.rsi + 0x218), g_initrd, 0x1000) == 0);
	boot_plan_free(&g_plan);
}

TEST(linux_describe_output, "REQ-LNX-020")
{
	static char buf[1024];
	FILE *f;

	image();
	mbt_put16(g_img + 0x236, 0x0003);
	CHECK_EQ(linux_parse_header(g_img, g_size, &g_h, g_err, sizeof(g_err)), 0);
	f = fmemopen(buf, sizeof(buf), "w");
	CHECK(f != NULL);
	linux_describe(&g_h, "  ", f);
	fclose(f);
	CHECK_STR_CONTAINS(buf, "  linux boot protocol 2.15, kernel \"6.99.0-keel (test) #1\"\n");
	CHECK_STR_CONTAINS(buf, "  setup: 4 sectors; protected-mode kernel 0x3000 bytes, "
				"init_size 0x400000\n");
	CHECK_STR_CONTAINS(buf, "  relocatable, kernel_alignment 0x200000 (min 0x200000), "
				"pref_address 0x1000000\n");
	CHECK_STR_CONTAINS(buf, "may load above 4 GiB; cmdline_size 2047, initrd_addr_max "
				"0x7fffffff\n");
	g_h.relocatable = false;
	g_h.min_alignment = 0;
	g_h.kernel_version[0] = '\0';
	g_h.xloadflags = 1;
	f = fmemopen(buf, sizeof(buf), "w");
	CHECK(f != NULL);
	linux_describe(&g_h, NULL, f);
	fclose(f);
	CHECK_STR_CONTAINS(buf, "linux boot protocol 2.15\n");
	CHECK_STR_CONTAINS(buf, "not relocatable, kernel_alignment 0x200000, pref_address");
	CHECK_STR_CONTAINS(buf, "loads below 4 GiB");
	linux_describe(NULL, "", stdout);              /* nothing, no crash */
}

/* The stock Debian 12 kernel that tests/lab/fetch unpacks. */
TEST(linux_debian_kernel, "REQ-LNX-021 REQ-LNX-001 REQ-LNX-003 REQ-LNX-005 REQ-LNX-007")
{
	const char *path = getenv("KEEL_LINUX_KERNEL");
	struct file_buf fb;
	const struct boot_item *k;
	char msg[512];

	if (path == NULL || path[0] == '\0')
		path = "build/lab/vmlinuz";
	if (file_read_all(path, &fb, msg, sizeof(msg)) != 0) {
		test_fail(__FILE__, __LINE__, "cannot read the Debian kernel (%s): run tests/lab/fetch "
			  "first (or set KEEL_LINUX_KERNEL)", msg);
		return;
	}
	CHECK(linux_detect(fb.data, fb.size));
	if (linux_parse_header(fb.data, fb.size, &g_h, g_err, sizeof(g_err)) != 0) {
		test_fail(__FILE__, __LINE__, "%s: %s", path, g_err);
		file_buf_free(&fb);
		return;
	}
	CHECK(g_h.version >= 0x020f);
	CHECK(g_h.relocatable);
	CHECK(g_h.xloadflags & LINUX_XLF_KERNEL_64);
	CHECK(g_h.init_size > g_h.kernel_size);
	CHECK(g_h.kernel_version[0] != '\0');
	CHECK_EQ(mm_pc(512), 0);
	memset(&g_in, 0, sizeof(g_in));
	g_in.kernel = fb.data;
	g_in.kernel_size = fb.size;
	g_in.kernel_name = path;
	g_in.cmdline = "console=ttyS0 earlyprintk=serial panic=-1";
	boot_plan_free(&g_plan);
	if (linux_plan(&g_in, &g_mm, &g_plan, &g_berr) != 0) {
		test_fail(__FILE__, __LINE__, "linux_plan: %s", g_berr.msg);
		file_buf_free(&fb);
		return;
	}
	k = item_prefix("linux kernel");
	file_buf_free(&fb);
	CHECK(k != NULL);
	CHECK_EQ(k->gpa, g_h.pref_address);
	CHECK(k->size >= g_h.init_size);
	CHECK_EQ(g_plan.entry.rip, k->gpa + 0x200);
	CHECK(plan_consistent());
	boot_plan_free(&g_plan);
}
