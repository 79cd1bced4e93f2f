/* verifies: REQ-MB-001 REQ-MB-002 REQ-MB-003 REQ-MB-006 REQ-MB-010 REQ-MB-011 REQ-MB-013 REQ-MB-014 REQ-MB-015 REQ-MB-020 REQ-MB-023 */
/* libFuzzer target: the input is a hostile kernel image (optionally with a
 * module split off). multiboot_plan must either refuse it with a message
 * or produce a plan whose items all lie in RAM below 4 GiB without
 * overlapping, and boot_plan_apply must then succeed on guest RAM.
 *
 * Input layout:
 *   byte 0      mode: bit 0 = split off a module, bit 1 = PC layout
 *               (else 64 MiB static from 0), bit 2 = pass a command line
 *   bytes 1-2   (bit 0 only) module length, little-endian; the module is
 *               the next min(length, rest) bytes
 *   rest        the kernel image */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/elf.h"
#include "boot/multiboot.h"

#define RAM_SIZE (64ull << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t *g_ram;
static struct boot_plan g_plan;

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "invariant violated: %s\n", what);
		abort();
	}
}

static void make_map(struct memmap *mm, int pc)
{
	memset(mm, 0, sizeof(*mm));
	if (pc) {
		mm->nentries = 3;
		mm->entries[0] = (struct memmap_entry){ 0, 0x9fc00, MEMMAP_RAM };
		mm->entries[1] = (struct memmap_entry){ 0x9fc00, 0x100000 - 0x9fc00, MEMMAP_RESERVED };
		mm->entries[2] = (struct memmap_entry){ 0x100000, RAM_SIZE - 0x100000, MEMMAP_RAM };
	} else {
		mm->nentries = 1;
		mm->entries[0] = (struct memmap_entry){ 0, RAM_SIZE, MEMMAP_RAM };
	}
	mm->nslots = 1;
	mm->slots[0] = (struct memmap_slot){ 0, RAM_SIZE, 0 };
	mm->backing_size = RAM_SIZE;
}

static void check_plan(const struct boot_plan *p, const struct memmap *mm, unsigned nmodules)
{
	int info = -1, rip_ok = 0;

	for (unsigned i = 0; i < p->nitems; i++) {
		const struct boot_item *it = &p->items[i];

		check(it->size > 0, "item not empty");
		check(it->src_len <= it->size, "src_len <= size");
		check(it->gpa + it->size <= 0x100000000ull, "item below 4 GiB");
		check(memmap_is_ram(mm, it->gpa, it->size), "item in RAM");
		for (unsigned j = 0; j < i; j++) {
			const struct boot_item *o = &p->items[j];

			check(!(it->gpa < o->gpa + o->size && o->gpa < it->gpa + it->size),
			      "items do not overlap");
		}
		if (strncmp(it->what, "module ", 7) == 0)
			check(it->gpa % 0x1000 == 0 && it->gpa >= 0x1000, "module page-aligned, not 0");
		if (strcmp(it->what, "multiboot info") == 0)
			info = (int)i;
		if (strncmp(it->what, "kernel ", 7) == 0 && p->entry.rip >= it->gpa &&
		    p->entry.rip - it->gpa < it->size)
			rip_ok = 1;
	}
	check(info >= 0, "info item present");
	check(p->items[info].gpa >= 0x1000, "info not at page 0");
	check(p->items[info].src == p->owned && p->items[info].size == p->owned_size,
	      "info item is the owned buffer");
	check(p->owned_size >= 116, "info structure size");
	check(p->entry.mode == BOOT_ENTRY_PROTECTED32, "entry mode");
	check(p->entry.rax == MB_BOOTLOADER_MAGIC, "EAX magic");
	check(p->entry.rbx == p->items[info].gpa, "EBX = info");
	check(rip_ok, "entry inside the kernel");
	check(p->nitems >= 2 + nmodules, "every part planned");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct boot_module_input mod = { NULL, 0, "mod arg", "fuzz.mod" };
	struct boot_input in = { 0 };
	struct boot_error err;
	struct memmap mm;
	struct guest_mem gm;
	struct elf_image elf;
	struct mb_header hdr;
	char msg[256];
	uint8_t mode;

	if (size < 1)
		return 0;
	if (g_ram == NULL) {
		g_ram = malloc(RAM_SIZE);
		if (g_ram == NULL)
			abort();
	}
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
		mod.data = data;
		mod.size = n;
		data += n;
		size -= n;
		in.nmodules = 1;
		in.modules = &mod;
	}
	in.kernel = data;
	in.kernel_size = size;
	in.kernel_name = "fuzz.elf";
	in.cmdline = (mode & 4) ? "console=ttyS0 fuzz" : NULL;
	make_map(&mm, (mode & 2) != 0);

	/* The pieces on their own must not misbehave either. */
	(void)multiboot_detect(data, size);
	(void)multiboot_find_header(data, size, &hdr, msg, sizeof(msg));
	if (elf_parse(data, size, &elf, msg, sizeof(msg)) == 0) {
		check(elf.nsegments > 0 && elf.nsegments <= ELF_MAX_SEGMENTS, "segment count");
		for (unsigned i = 0; i < elf.nsegments; i++) {
			const struct elf_segment *s = &elf.segments[i];

			check(s->offset <= size && s->filesz <= size - s->offset, "segment in file");
			check(s->filesz <= s->memsz && s->memsz > 0, "segment sizes");
		}
	}

	if (multiboot_plan(&in, &mm, &g_plan, &err) != 0) {
		check(err.msg[0] != '\0' && memchr(err.msg, '\n', sizeof(err.msg)) == NULL,
		      "one-line error message");
		check(g_plan.nitems == 0 && g_plan.owned == NULL, "failed plan is empty");
		return 0;
	}
	check_plan(&g_plan, &mm, in.nmodules);
	guest_mem_init_buffer(&gm, &mm, g_ram);
	check(boot_plan_apply(&g_plan, &gm, msg, sizeof(msg)) == 0, "apply succeeds");
	{
		/* The info structure reached guest RAM unchanged. */
		const struct boot_item *it = &g_plan.items[g_plan.nitems - 1];

		check(memcmp(g_ram + it->gpa, g_plan.owned, g_plan.owned_size) == 0,
		      "info copied");
	}
	boot_plan_free(&g_plan);
	return 0;
}
