/* verifies: REQ-LNX-001 REQ-LNX-002 REQ-LNX-003 REQ-LNX-006 REQ-LNX-009 REQ-LNX-010 REQ-LNX-011 REQ-LNX-012 REQ-LNX-014 REQ-LNX-015 REQ-LNX-017 REQ-LNX-018 REQ-LNX-019 */
/* libFuzzer target: the input is a hostile bzImage (optionally with an
 * initrd split off, pinned addresses and a command line). linux_plan must
 * either refuse it with a one-line message and an empty plan, or produce a
 * plan whose items lie in RAM (firmware blobs: backed memory) without
 * overlapping, are all identity-mapped by the planned page tables, and
 * whose entry state and zero page point at the planned items.
 *
 * Input layout:
 *   byte 0      mode: bit 0 = split off an initrd, bit 1 = PC layout (else a
 *               static map 0-64 MiB + 4 GiB-4 GiB+64 MiB), bit 2 = command
 *               line, bit 3 = kernel_addr, bit 4 = initrd_addr, bit 5 =
 *               firmware blobs + RSDP, bit 6 = the kernel is a valid
 *               template with the rest of the input written over its setup
 *               header (so that mutations reach the placement code)
 *   bytes 1-2   (bit 0) initrd length, little-endian; the initrd is the next
 *               min(length, rest) bytes
 *   4 bytes     (bit 3) kernel_addr in 4 KiB pages
 *   4 bytes     (bit 4) initrd_addr in 4 KiB pages
 *   rest        the kernel image (bit 6: bytes from offset 0x1f1 on) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/linux.h"
#include "util/le.h"

#define TEMPLATE_SETUP  0xa00u
#define TEMPLATE_SIZE   (TEMPLATE_SETUP + 0x1000u)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct boot_plan g_plan;
static uint8_t g_template[TEMPLATE_SIZE];
static uint8_t g_blob_data[0x1000];

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "invariant violated: %s\n", what);
		abort();
	}
}


/* A small valid relocatable 64-bit bzImage (protocol 2.15, init_size 4 MiB). */
static void make_template(uint8_t *t)
{
	memset(t, 0, TEMPLATE_SIZE);
	le_put32(t + 0x1f4, 0x100);
	le_put16(t + 0x1fe, 0xaa55);
	t[0x200] = 0xeb;
	t[0x201] = 0x6a;
	le_put32(t + 0x202, 0x53726448);
	le_put16(t + 0x206, 0x020f);
	t[0x211] = 0x01;
	le_put32(t + 0x22c, 0x7fffffff);
	le_put32(t + 0x230, 0x200000);
	t[0x234] = 1;
	le_put16(t + 0x236, 0x0003);
	le_put32(t + 0x238, 2047);
	le_put32(t + 0x258, 0x1000000);
	le_put32(t + 0x260, 0x400000);
}

static void make_map(struct memmap *mm, int pc)
{
	memset(mm, 0, sizeof(*mm));
	if (pc) {
		mm->nentries = 3;
		mm->entries[0] = (struct memmap_entry){ 0, 0x9fc00, MEMMAP_RAM };
		mm->entries[1] = (struct memmap_entry){ 0x9fc00, 0x100000 - 0x9fc00, MEMMAP_RESERVED };
		mm->entries[2] = (struct memmap_entry){ 0x100000, (512ull << 20) - 0x100000, MEMMAP_RAM };
		mm->nslots = 1;
		mm->slots[0] = (struct memmap_slot){ 0, 512ull << 20, 0 };
		mm->backing_size = 512ull << 20;
	} else {
		mm->nentries = 2;
		mm->entries[0] = (struct memmap_entry){ 0, 64ull << 20, MEMMAP_RAM };
		mm->entries[1] = (struct memmap_entry){ 1ull << 32, 64ull << 20, MEMMAP_RAM };
		mm->nslots = 2;
		mm->slots[0] = (struct memmap_slot){ 0, 64ull << 20, 0 };
		mm->slots[1] = (struct memmap_slot){ 1ull << 32, 64ull << 20, 64ull << 20 };
		mm->backing_size = 128ull << 20;
	}
}

/* Planned bytes at gpa, or NULL. */
static const uint8_t *bytes_at(const struct boot_plan *p, uint64_t gpa, uint64_t len)
{
	for (unsigned i = 0; i < p->nitems; i++) {
		const struct boot_item *it = &p->items[i];

		if (it->src != NULL && gpa >= it->gpa && gpa - it->gpa <= it->src_len &&
		    len <= it->src_len - (gpa - it->gpa))
			return it->src + (gpa - it->gpa);
	}
	return NULL;
}

static int identity(const struct boot_plan *p, uint64_t va)
{
	const uint64_t mask = 0x000ffffffffff000ULL;
	const uint8_t *e;
	uint64_t v;

	e = bytes_at(p, p->entry.cr3 + ((va >> 39) & 511) * 8, 8);
	if (e == NULL || !((v = le_get64(e)) & 1) || (v & 0x80))
		return 0;
	e = bytes_at(p, (v & mask) + ((va >> 30) & 511) * 8, 8);
	if (e == NULL || !((v = le_get64(e)) & 1) || (v & 0x80))
		return 0;
	e = bytes_at(p, (v & mask) + ((va >> 21) & 511) * 8, 8);
	if (e == NULL || !((v = le_get64(e)) & 1) || !(v & 0x80))
		return 0;
	return ((v & 0x000fffffffe00000ULL) | (va & 0x1fffff)) == va;
}

static const struct boot_item *find(const struct boot_plan *p, const char *prefix)
{
	for (unsigned i = 0; i < p->nitems; i++)
		if (strncmp(p->items[i].what, prefix, strlen(prefix)) == 0)
			return &p->items[i];
	return NULL;
}

static void check_plan(const struct boot_plan *p, const struct memmap *mm,
		       const struct boot_input *in)
{
	const struct boot_item *k = find(p, "linux kernel"), *z = find(p, "zero page");
	const struct boot_item *c = find(p, "command line"), *r = find(p, "initrd");
	const struct boot_item *pt = find(p, "page tables"), *g = find(p, "GDT");
	const struct boot_item *st = find(p, "boot stack");
	unsigned sum = 0, n;
	uint64_t prev_end = 0;

	check(k && z && c && pt && g && st, "every part planned");
	check((r != NULL) == (in->initrd != NULL), "initrd planned iff given");
	for (unsigned i = 0; i < p->nitems; i++) {
		const struct boot_item *it = &p->items[i];
		int blob = strncmp(it->what, "fw ", 3) == 0;

		check(it->size > 0 && it->src_len <= it->size, "item sizes");
		check(blob ? memmap_is_backed(mm, it->gpa, it->size)
			   : memmap_is_ram(mm, it->gpa, it->size), "item in RAM");
		check(identity(p, it->gpa) && identity(p, it->gpa + it->size - 1), "item mapped");
		for (unsigned j = 0; j < i; j++) {
			const struct boot_item *o = &p->items[j];

			check(!(it->gpa < o->gpa + o->size && o->gpa < it->gpa + it->size),
			      "items do not overlap");
		}
		/* The sources must be readable as planned (ASan checks this). */
		for (uint64_t b = 0; b < it->src_len; b++)
			sum += it->src[b];
		if (!blob && it != k && it != r)
			check(it->gpa >= 0x1000 && it->gpa + it->size <= (1ull << 32),
			      "loader data below 4 GiB, not in page 0");
	}
	(void)sum;
	check(p->entry.mode == BOOT_ENTRY_LONG64, "entry mode");
	check(p->entry.rip == k->gpa + 0x200 && p->entry.rip < k->gpa + k->src_len,
	      "entry inside the kernel's bytes");
	check(p->entry.rsi == z->gpa && z->size == 0x1000 && z->src_len == 0x1000, "RSI = zero page");
	check(p->entry.rsp == st->gpa + st->size, "RSP = top of the stack");
	check(p->entry.cr3 == pt->gpa && pt->gpa % 0x1000 == 0, "CR3 = page tables");
	check(p->entry.gdt_base == g->gpa && p->entry.gdt_limit == 31, "GDT");
	check(le_get64(g->src + 0x10) == LINUX_GDT_CODE64 && le_get64(g->src + 0x18) == LINUX_GDT_DATA,
	      "GDT descriptors");
	check(le_get32(z->src + 0x228) == c->gpa && c->src[c->src_len - 1] == '\0', "cmdline");
	if (r != NULL)
		check(le_get32(z->src + 0x218) == r->gpa && le_get32(z->src + 0x21c) == r->size &&
		      r->gpa + r->size - 1 <= le_get32(z->src + 0x22c), "ramdisk fields");
	else
		check(le_get32(z->src + 0x218) == 0 && le_get32(z->src + 0x21c) == 0, "no ramdisk");
	n = z->src[0x1e8];
	check(n >= 1 && n <= 128, "e820 count");
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *e = z->src + 0x2d0 + i * 20;
		uint32_t type = le_get32(e + 16);

		check(le_get64(e + 8) > 0 && le_get64(e) >= prev_end, "e820 sorted, not overlapping");
		check(type >= 1 && type <= 3, "e820 type");
		prev_end = le_get64(e) + le_get64(e + 8);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t kernel[0x10000];
	struct boot_fw_blob fw[2] = {
		{ 0xe0000, g_blob_data, 0x1000, "fw acpi", true },
		{ 0x9f000, g_blob_data, 0x100, "fw mp", false },
	};
	struct boot_input in = { 0 };
	struct boot_error err;
	struct linux_header h;
	struct memmap mm;
	char msg[256];
	uint8_t mode;
	int parsed;

	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	size--;
	if (mode & 1) {
		size_t n;

		if (size < 2)
			return 0;
		n = (size_t)data[0] | ((size_t)data[1] << 8);
		data += 2;
		size -= 2;
		if (n > size)
			n = size;
		in.initrd = data;
		in.initrd_size = n;
		in.initrd_name = "fuzz.img";
		data += n;
		size -= n;
	}
	if (mode & 8) {
		if (size < 4)
			return 0;
		in.kernel_addr = (uint64_t)le_get32(data) << 12;
		data += 4;
		size -= 4;
	}
	if (mode & 16) {
		if (size < 4)
			return 0;
		in.initrd_addr = (uint64_t)le_get32(data) << 12;
		data += 4;
		size -= 4;
	}
	if (mode & 64) {
		/* The template with the input written over it from the header on. */
		size_t n = size < TEMPLATE_SIZE - 0x1f1 ? size : TEMPLATE_SIZE - 0x1f1;

		make_template(g_template);
		memcpy(kernel, g_template, TEMPLATE_SIZE);
		memcpy(kernel + 0x1f1, data, n);
		/* The copy is what the plan points into: exactly the image's size. */
		in.kernel = kernel;
		in.kernel_size = TEMPLATE_SIZE;
	} else {
		in.kernel = data;
		in.kernel_size = size;
	}
	in.kernel_name = "fuzz-vmlinuz";
	in.cmdline = (mode & 4) ? "console=ttyS0 root=/dev/vda rw" : NULL;
	if (mode & 32) {
		in.nfw = 2;
		in.fw = fw;
		in.acpi_rsdp = 0xe0000;
	}
	make_map(&mm, (mode & 2) != 0);

	parsed = linux_parse_header(in.kernel, in.kernel_size, &h, msg, sizeof(msg)) == 0;
	check(!parsed || linux_detect(in.kernel, in.kernel_size), "a parsed header is detected");
	if (parsed) {
		check(h.setup_size + h.kernel_size == in.kernel_size, "kernel part in the file");
		check(h.hdr_end >= 0x268 && h.hdr_end <= 0x281, "header end");
		check(h.kernel_alignment >= 0x1000 && (h.kernel_alignment & (h.kernel_alignment - 1)) == 0,
		      "alignment");
	} else {
		check(msg[0] != '\0' && strchr(msg, '\n') == NULL, "one-line header message");
	}
	if (linux_plan(&in, &mm, &g_plan, &err) != 0) {
		check(err.msg[0] != '\0' && memchr(err.msg, '\n', sizeof(err.msg)) == NULL,
		      "one-line error message");
		check(g_plan.nitems == 0 && g_plan.owned == NULL, "failed plan is empty");
		return 0;
	}
	check(parsed, "a planned kernel has a valid header");
	check_plan(&g_plan, &mm, &in);
	boot_plan_free(&g_plan);
	return 0;
}
