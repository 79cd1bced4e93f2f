/* Multiboot 1 loader, written from the Multiboot Specification 0.6.96
 * (REQ-MB-001..REQ-MB-021, REQ-MB-024). Pure: image bytes + memory map in, boot plan out.
 *
 * Placement decisions (documented in docs/requirements/multiboot.md):
 * - kernel parts go exactly where the image says (may include page 0, for
 *   RTOS images with a static map from address 0), wholly in RAM, below 4 GiB;
 * - modules start at a 4 KiB boundary after the kernel's highest address,
 *   always page-aligned whether or not header flag bit 0 asks for it, and
 *   fall back to the lowest free RAM at or above 0x1000;
 * - the information structure and everything it points to live in one
 *   buffer, preferably above the modules, never at page 0. */
#include "boot/multiboot.h"

#include "util/errmsg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/elf.h"

#define MB_4G          0x100000000ull
#define MB_PAGE        0x1000ull
#define MB_1M          0x100000ull
#define MB_LOWMEM_KB   640u

/* Header sizes: magic/flags/checksum; + a.out address fields; + video fields. */
#define MB_HDR_BASE    12u
#define MB_HDR_AOUT    32u
#define MB_HDR_VIDEO   48u
#define MB_REQUIRED_MASK 0xffffu
#define MB_SUPPORTED_REQUIRED (MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMORY_INFO)

/* Information structure layout (spec section 3.3). */
#define MBI_SIZE            116u
#define MBI_OFF_FLAGS       0u
#define MBI_OFF_MEM_LOWER   4u
#define MBI_OFF_MEM_UPPER   8u
#define MBI_OFF_CMDLINE     16u
#define MBI_OFF_MODS_COUNT  20u
#define MBI_OFF_MODS_ADDR   24u
#define MBI_OFF_MMAP_LENGTH 44u
#define MBI_OFF_MMAP_ADDR   48u
#define MBI_OFF_LOADER_NAME 64u
#define MBI_MMAP_ENTRY      24u   /* size field + 20 bytes */
#define MBI_MOD_ENTRY       16u
#define MBI_LOADER_NAME     "keel"

/* A fresh plan always has room for every kernel part (ELF segments, or the
 * a.out image + bss), so adding one only fails on a broken invariant. */
_Static_assert(ELF_MAX_SEGMENTS + 2 <= BOOT_MAX_ITEMS, "plan too small for kernel parts");

/* Longest command line (kernel or module) keel passes, excluding the NUL. */
#define MB_CMDLINE_MAX      (CFG_CMDLINE_MAX - 1)


static void plan_err(struct boot_error *err, enum boot_error_source src, unsigned module,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void plan_err(struct boot_error *err, enum boot_error_source src, unsigned module,
		     const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	err->source = src;
	err->module = module;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void wr64(uint8_t *p, uint64_t v)
{
	wr32(p, (uint32_t)v);
	wr32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t page_up(uint64_t v) { return (v + MB_PAGE - 1) & ~(MB_PAGE - 1); }

int multiboot_find_header(const uint8_t *image, size_t size, struct mb_header *hdr,
			  char *err, size_t errlen)
{
	size_t limit = size < MB_SEARCH_LIMIT ? size : MB_SEARCH_LIMIT;
	char first_bad[160] = "";

	if (image == NULL || hdr == NULL) {
		errmsg_set(err, errlen, "internal error: no image");
		return -1;
	}
	memset(hdr, 0, sizeof(*hdr));
	/* The magic must start at a 32-bit aligned offset below 8192; a valid
	 * checksum decides between a real header and the value occurring by chance. */
	for (size_t off = 0; off + 4 <= limit; off += 4) {
		uint32_t flags, sum;
		size_t need;

		if (rd32(image + off) != MB_HEADER_MAGIC)
			continue;
		if (size - off < MB_HDR_BASE) {
			if (first_bad[0] == '\0')
				snprintf(first_bad, sizeof(first_bad),
					 "Multiboot header at offset 0x%zx is truncated: the file "
					 "ends after %zu of its 12 bytes",
					 off, size - off);
			continue;
		}
		flags = rd32(image + off + 4);
		sum = MB_HEADER_MAGIC + flags + rd32(image + off + 8);
		if (sum != 0) {
			if (first_bad[0] == '\0')
				snprintf(first_bad, sizeof(first_bad),
					 "Multiboot header at offset 0x%zx has a bad checksum "
					 "(magic + flags + checksum = 0x%08x, must be 0)",
					 off, (unsigned)sum);
			continue;
		}
		need = (flags & MB_FLAG_VIDEO_MODE) ? MB_HDR_VIDEO
		       : (flags & MB_FLAG_AOUT_KLUDGE) ? MB_HDR_AOUT : MB_HDR_BASE;
		if (size - off < need) {
			errmsg_set(err, errlen,
				"Multiboot header at offset 0x%zx is truncated: flags 0x%08x need "
				"%zu bytes, the file ends after %zu",
				off, (unsigned)flags, need, size - off);
			return -1;
		}
		hdr->offset = (uint32_t)off;
		hdr->magic = MB_HEADER_MAGIC;
		hdr->flags = flags;
		hdr->checksum = rd32(image + off + 8);
		if (need >= MB_HDR_AOUT) {
			/* Present whenever the header is this long; meaningful with bit 16. */
			hdr->header_addr = rd32(image + off + 12);
			hdr->load_addr = rd32(image + off + 16);
			hdr->load_end_addr = rd32(image + off + 20);
			hdr->bss_end_addr = rd32(image + off + 24);
			hdr->entry_addr = rd32(image + off + 28);
		}
		if (need >= MB_HDR_VIDEO) {
			hdr->mode_type = rd32(image + off + 32);
			hdr->width = rd32(image + off + 36);
			hdr->height = rd32(image + off + 40);
			hdr->depth = rd32(image + off + 44);
		}
		return 0;
	}
	if (first_bad[0] != '\0')
		errmsg_set(err, errlen, "%s", first_bad);
	else
		errmsg_set(err, errlen,
			"no Multiboot header (magic 0x1BADB002 at a 4-byte aligned offset in the "
			"first %u bytes)",
			MB_SEARCH_LIMIT);
	return -1;
}

bool multiboot_detect(const uint8_t *image, size_t size)
{
	struct mb_header hdr;

	return multiboot_find_header(image, size, &hdr, NULL, 0) == 0;
}

/* Required feature bits 0-15: keel honours 0 and 1; anything else the
 * kernel needs and keel cannot give makes the boot fail (spec 3.1.2). */
static int check_flags(uint32_t flags, struct boot_error *err)
{
	uint32_t unknown = flags & MB_REQUIRED_MASK & ~MB_SUPPORTED_REQUIRED;

	if (flags & MB_FLAG_VIDEO_MODE) {
		plan_err(err, BOOT_ERR_KERNEL, 0,
			 "Multiboot header requires a graphics mode (flags bit 2), which keel "
			 "does not provide");
		return -1;
	}
	if (unknown != 0) {
		unsigned bit = 0;

		while (!(unknown & (1u << bit)))
			bit++;
		plan_err(err, BOOT_ERR_KERNEL, 0,
			 "Multiboot header requires an unsupported feature (flags bit %u, flags "
			 "0x%08x); keel supports required bits 0 and 1 only",
			 bit, (unsigned)flags);
		return -1;
	}
	return 0;
}

/* Adds one kernel part after checking it lies below 4 GiB, wholly in RAM and
 * clear of the parts already planned. Empty parts occupy nothing. */
static int add_kernel_part(struct boot_plan *plan, const struct memmap *mm, uint64_t gpa,
			   uint64_t size, const uint8_t *src, uint64_t src_len, const char *what,
			   struct boot_error *err)
{
	int idx;

	if (size == 0)
		return 0;
	if (gpa >= MB_4G || size > MB_4G - gpa) {
		plan_err(err, BOOT_ERR_KERNEL, 0,
			 "%s [0x%llx-0x%llx) is not below 4 GiB: Multiboot loads kernels at "
			 "32-bit physical addresses",
			 what, (unsigned long long)gpa, (unsigned long long)(gpa + size));
		return -1;
	}
	if (!memmap_is_ram(mm, gpa, size)) {
		plan_err(err, BOOT_ERR_KERNEL, 0,
			 "%s [0x%llx-0x%llx) is not wholly in guest RAM (see the memory map)", what,
			 (unsigned long long)gpa, (unsigned long long)(gpa + size));
		return -1;
	}
	idx = boot_plan_find_overlap(plan, gpa, size);
	if (idx >= 0) {
		const struct boot_item *o = &plan->items[idx];

		plan_err(err, BOOT_ERR_KERNEL, 0, "%s [0x%llx-0x%llx) overlaps %s [0x%llx-0x%llx)",
			 what, (unsigned long long)gpa, (unsigned long long)(gpa + size), o->what,
			 (unsigned long long)o->gpa, (unsigned long long)(o->gpa + o->size));
		return -1;
	}
	if (boot_plan_add(plan, gpa, size, src, src_len, what) != 0) {
		plan_err(err, BOOT_ERR_KERNEL, 0, "kernel has too many parts (boot plan limit %d)",
			 BOOT_MAX_ITEMS);
		return -1;
	}
	return 0;
}

/* a.out kludge (header flag bit 16): the header's address fields say where
 * the file goes, whatever the file format (spec 3.1.3). */
static int load_aout(const struct boot_input *in, const struct mb_header *h,
		     const struct memmap *mm, struct boot_plan *plan, uint64_t *entry,
		     struct boot_error *err)
{
	uint64_t load = h->load_addr, load_off, len, load_end, bss_end, top;

	if (h->load_addr > h->header_addr) {
		plan_err(err, BOOT_ERR_KERNEL, 0,
			 "a.out kludge: load_addr 0x%x is above header_addr 0x%x", h->load_addr,
			 h->header_addr);
		return -1;
	}
	if ((uint64_t)h->header_addr - h->load_addr > h->offset) {
		plan_err(err, BOOT_ERR_KERNEL, 0,
			 "a.out kludge: header_addr 0x%x - load_addr 0x%x exceeds the header's "
			 "file offset 0x%x (the load would start before the file)",
			 h->header_addr, h->load_addr, h->offset);
		return -1;
	}
	load_off = h->offset - ((uint64_t)h->header_addr - h->load_addr);
	if (h->load_end_addr != 0) {
		if (h->load_end_addr <= h->load_addr) {
			plan_err(err, BOOT_ERR_KERNEL, 0,
				 "a.out kludge: load_end_addr 0x%x is not above load_addr 0x%x",
				 h->load_end_addr, h->load_addr);
			return -1;
		}
		len = (uint64_t)h->load_end_addr - h->load_addr;
		if (len > in->kernel_size - load_off) {
			plan_err(err, BOOT_ERR_KERNEL, 0,
				 "a.out kludge: load_end_addr 0x%x needs file bytes "
				 "[0x%llx-0x%llx), but the file has 0x%zx bytes",
				 h->load_end_addr, (unsigned long long)load_off,
				 (unsigned long long)(load_off + len), in->kernel_size);
			return -1;
		}
	} else {
		len = in->kernel_size - load_off; /* 0 means "to the end of the file" */
	}
	load_end = load + len;
	if (load_end > MB_4G) {
		plan_err(err, BOOT_ERR_KERNEL, 0,
			 "a.out kludge: kernel [0x%llx-0x%llx) is not below 4 GiB",
			 (unsigned long long)load, (unsigned long long)load_end);
		return -1;
	}
	bss_end = load_end;
	if (h->bss_end_addr != 0) {
		if (h->bss_end_addr < load_end) {
			plan_err(err, BOOT_ERR_KERNEL, 0,
				 "a.out kludge: bss_end_addr 0x%x is below the end of the loaded "
				 "image 0x%llx",
				 h->bss_end_addr, (unsigned long long)load_end);
			return -1;
		}
		bss_end = h->bss_end_addr;
	}
	top = bss_end; /* >= load_end by construction */
	if (h->entry_addr < load || h->entry_addr >= top) {
		plan_err(err, BOOT_ERR_KERNEL, 0,
			 "a.out kludge: entry_addr 0x%x is outside the kernel [0x%llx-0x%llx)",
			 h->entry_addr, (unsigned long long)load, (unsigned long long)top);
		return -1;
	}
	if (add_kernel_part(plan, mm, load, len, in->kernel + load_off, len, "kernel segment 0",
			    err) != 0)
		return -1;
	if (add_kernel_part(plan, mm, load_end, bss_end - load_end, NULL, 0, "kernel bss", err) !=
	    0)
		return -1;
	*entry = h->entry_addr;
	return 0;
}

/* ELF32/ELF64: each PT_LOAD at p_paddr (spec 3.1.3 leaves the format to the
 * ELF spec; p_paddr is the physical address). */
static int load_elf(const struct boot_input *in, const struct memmap *mm,
		    struct boot_plan *plan, uint64_t *entry, struct boot_error *err)
{
	struct elf_image elf;
	char msg[200];
	uint64_t e;
	int inside = 0;

	if (!elf_is_elf(in->kernel, in->kernel_size)) {
		plan_err(err, BOOT_ERR_KERNEL, 0,
			 "kernel is not ELF and no a.out kludge address fields (Multiboot header "
			 "flags bit 16) say where to load it");
		return -1;
	}
	if (elf_parse(in->kernel, in->kernel_size, &elf, msg, sizeof(msg)) != 0) {
		plan_err(err, BOOT_ERR_KERNEL, 0, "kernel: %s", msg);
		return -1;
	}
	for (unsigned i = 0; i < elf.nsegments; i++) {
		const struct elf_segment *s = &elf.segments[i];
		char what[BOOT_WHAT_MAX];

		snprintf(what, sizeof(what), "kernel segment %u", i);
		if (add_kernel_part(plan, mm, s->paddr, s->memsz, in->kernel + s->offset, s->filesz,
				    what, err) != 0)
			return -1;
	}
	/* e_entry is a virtual address; when its segment is linked at a
	 * different physical address, the CPU (paging off) needs the physical one. */
	e = elf.entry;
	for (unsigned i = 0; i < elf.nsegments; i++) {
		const struct elf_segment *s = &elf.segments[i];

		if (e >= s->vaddr && e - s->vaddr < s->memsz) {
			e = s->paddr + (e - s->vaddr);
			break;
		}
	}
	if (e >= MB_4G) {
		plan_err(err, BOOT_ERR_KERNEL, 0, "kernel entry point 0x%llx is not below 4 GiB",
			 (unsigned long long)e);
		return -1;
	}
	for (unsigned i = 0; i < elf.nsegments; i++) {
		const struct elf_segment *s = &elf.segments[i];

		if (e >= s->paddr && e - s->paddr < s->memsz)
			inside = 1;
	}
	if (!inside) {
		plan_err(err, BOOT_ERR_KERNEL, 0,
			 "kernel entry point 0x%llx (e_entry 0x%llx) is not inside a loaded segment",
			 (unsigned long long)e, (unsigned long long)elf.entry);
		return -1;
	}
	*entry = e;
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash;

	if (path == NULL || path[0] == '\0')
		return "unnamed";
	slash = strrchr(path, '/');
	return slash != NULL && slash[1] != '\0' ? slash + 1 : path;
}

/* Highest end address of the planned items (0 if none). */
static uint64_t plan_top(const struct boot_plan *plan)
{
	uint64_t top = 0;

	for (unsigned i = 0; i < plan->nitems; i++) {
		uint64_t end = plan->items[i].gpa + plan->items[i].size;

		if (end > top)
			top = end;
	}
	return top;
}

/* Modules go after the kernel, each at a page boundary; if there is no room
 * there, the lowest free RAM at or above 0x1000. An empty module still gets
 * one zeroed byte so that it has an address of its own. */
static int place_modules(const struct boot_input *in, const struct memmap *mm,
			 struct boot_plan *plan, uint64_t *mod_gpa, struct boot_error *err)
{
	/* The kernel is never empty, so this is at least 0x1000: never page 0. */
	uint64_t cursor = page_up(plan_top(plan));

	for (unsigned i = 0; i < in->nmodules; i++) {
		const struct boot_module_input *m = &in->modules[i];
		uint64_t foot = m->size > 0 ? (uint64_t)m->size : 1;
		char what[BOOT_WHAT_MAX];
		uint64_t gpa;

		if (m->size > 0 && m->data == NULL) {
			plan_err(err, BOOT_ERR_MODULE, i, "module %u (%s) has no data", i,
				 base_name(m->name));
			return -1;
		}
		gpa = boot_plan_alloc(plan, mm, foot, MB_PAGE, cursor, MB_4G);
		if (gpa == 0)
			gpa = boot_plan_alloc(plan, mm, foot, MB_PAGE, MB_PAGE, MB_4G);
		if (gpa == 0) {
			plan_err(err, BOOT_ERR_MODULE, i,
				 "module %u (%s, 0x%llx bytes) does not fit in free guest RAM below "
				 "4 GiB",
				 i, m->name != NULL ? m->name : "unnamed", (unsigned long long)m->size);
			return -1;
		}
		snprintf(what, sizeof(what), "module %u (%s)", i, base_name(m->name));
		if (boot_plan_add(plan, gpa, foot, m->data, m->size, what) != 0) {
			plan_err(err, BOOT_ERR_MODULE, i,
				 "module %u (%s): too many boot parts (boot plan limit %d)", i,
				 base_name(m->name), BOOT_MAX_ITEMS);
			return -1;
		}
		mod_gpa[i] = gpa;
		if (page_up(gpa + foot) > cursor)
			cursor = page_up(gpa + foot);
	}
	return 0;
}

/* Length of a command line without its NUL, or -1 when it is too long. */
static long cmdline_len(const char *s)
{
	size_t n;

	if (s == NULL)
		return 0;
	n = strnlen(s, MB_CMDLINE_MAX + 1);
	return n > MB_CMDLINE_MAX ? -1 : (long)n;
}

static void put_string(uint8_t *buf, size_t *off, const char *s, size_t len)
{
	if (len > 0)
		memcpy(buf + *off, s, len);
	buf[*off + len] = '\0';
	*off += len + 1;
}

/* Builds the information structure and what it points to in one owned buffer
 * (spec 3.3), placed in free RAM below 4 GiB at or above 0x1000. */
static int build_info(const struct boot_input *in, const struct memmap *mm,
		      struct boot_plan *plan, const uint64_t *mod_gpa, uint64_t *info_gpa,
		      struct boot_error *err)
{
	unsigned nmm = mm->nentries < MEMMAP_MAX_ENTRIES ? mm->nentries : MEMMAP_MAX_ENTRIES;
	size_t mmap_off = (MBI_SIZE + 7u) & ~(size_t)7u;
	size_t mods_off = mmap_off + (size_t)nmm * MBI_MMAP_ENTRY;
	size_t str_off = mods_off + (size_t)in->nmodules * MBI_MOD_ENTRY;
	size_t total, off;
	long cl = cmdline_len(in->cmdline);
	uint64_t gpa, lower, upper;
	uint32_t flags;
	uint8_t *buf;

	if (cl < 0) {
		plan_err(err, BOOT_ERR_CMDLINE, 0,
			 "kernel command line is longer than %d bytes", MB_CMDLINE_MAX);
		return -1;
	}
	total = str_off + (size_t)cl + 1 + sizeof(MBI_LOADER_NAME);
	for (unsigned i = 0; i < in->nmodules; i++) {
		long ml = cmdline_len(in->modules[i].cmdline);

		if (ml < 0) {
			plan_err(err, BOOT_ERR_MODULE, i,
				 "module %u (%s): command line is longer than %d bytes", i,
				 base_name(in->modules[i].name), MB_CMDLINE_MAX);
			return -1;
		}
		total += (size_t)ml + 1;
	}

	/* Above everything else first, so low memory stays free for the guest. */
	gpa = boot_plan_alloc(plan, mm, total, MB_PAGE, page_up(plan_top(plan)), MB_4G);
	if (gpa == 0)
		gpa = boot_plan_alloc(plan, mm, total, MB_PAGE, MB_PAGE, MB_4G);
	if (gpa == 0) {
		plan_err(err, BOOT_ERR_MEMORY, 0,
			 "no free guest RAM below 4 GiB (at or above 0x1000) for the Multiboot "
			 "information structure (0x%zx bytes)",
			 total);
		return -1;
	}
	buf = calloc(1, total);
	if (buf == NULL) {
		plan_err(err, BOOT_ERR_MEMORY, 0, "out of host memory for the Multiboot "
						  "information structure");
		return -1;
	}
	plan->owned = buf;
	plan->owned_size = total;

	flags = MBI_FLAG_MEM | MBI_FLAG_CMDLINE | MBI_FLAG_MMAP | MBI_FLAG_LOADER_NAME;
	lower = memmap_contiguous_ram(mm, 0) / 1024;
	upper = memmap_contiguous_ram(mm, MB_1M) / 1024;
	wr32(buf + MBI_OFF_MEM_LOWER, (uint32_t)(lower > MB_LOWMEM_KB ? MB_LOWMEM_KB : lower));
	wr32(buf + MBI_OFF_MEM_UPPER, (uint32_t)(upper > UINT32_MAX ? UINT32_MAX : upper));

	for (unsigned i = 0; i < nmm; i++) {
		uint8_t *e = buf + mmap_off + (size_t)i * MBI_MMAP_ENTRY;

		wr32(e, MBI_MMAP_ENTRY - 4); /* size excludes the size field itself */
		wr64(e + 4, mm->entries[i].base);
		wr64(e + 12, mm->entries[i].size);
		wr32(e + 20, mm->entries[i].type == MEMMAP_RAM ? 1u : 2u);
	}
	wr32(buf + MBI_OFF_MMAP_LENGTH, (uint32_t)(nmm * MBI_MMAP_ENTRY));
	wr32(buf + MBI_OFF_MMAP_ADDR, (uint32_t)(gpa + mmap_off));

	off = str_off;
	wr32(buf + MBI_OFF_CMDLINE, (uint32_t)(gpa + off));
	put_string(buf, &off, in->cmdline, (size_t)cl);
	wr32(buf + MBI_OFF_LOADER_NAME, (uint32_t)(gpa + off));
	put_string(buf, &off, MBI_LOADER_NAME, sizeof(MBI_LOADER_NAME) - 1);

	if (in->nmodules > 0) {
		flags |= MBI_FLAG_MODS;
		wr32(buf + MBI_OFF_MODS_COUNT, in->nmodules);
		wr32(buf + MBI_OFF_MODS_ADDR, (uint32_t)(gpa + mods_off));
	}
	for (unsigned i = 0; i < in->nmodules; i++) {
		uint8_t *m = buf + mods_off + (size_t)i * MBI_MOD_ENTRY;
		const char *s = in->modules[i].cmdline;

		wr32(m, (uint32_t)mod_gpa[i]);
		wr32(m + 4, (uint32_t)(mod_gpa[i] + in->modules[i].size));
		wr32(m + 8, (uint32_t)(gpa + off));
		/* m + 12: reserved, zero from calloc; the length was checked above */
		put_string(buf, &off, s, (size_t)cmdline_len(s));
	}
	wr32(buf + MBI_OFF_FLAGS, flags);

	if (boot_plan_add(plan, gpa, total, buf, total, "multiboot info") != 0) {
		plan_err(err, BOOT_ERR_MEMORY, 0,
			 "too many boot parts for the Multiboot information structure (boot plan "
			 "limit %d)",
			 BOOT_MAX_ITEMS);
		return -1;
	}
	*info_gpa = gpa;
	return 0;
}

int multiboot_plan(const struct boot_input *in, const struct memmap *mm,
		   struct boot_plan *plan, struct boot_error *err)
{
	uint64_t mod_gpa[BOOT_MAX_ITEMS];
	struct mb_header hdr;
	uint64_t entry = 0, info = 0;
	char msg[200];

	if (err != NULL)
		memset(err, 0, sizeof(*err));
	if (plan == NULL) {
		plan_err(err, BOOT_ERR_KERNEL, 0, "internal error: no boot plan");
		return -1;
	}
	memset(plan, 0, sizeof(*plan));
	if (in == NULL || mm == NULL) {
		plan_err(err, BOOT_ERR_KERNEL, 0, "internal error: no boot input or memory map");
		return -1;
	}
	if (in->kernel == NULL || in->kernel_size == 0) {
		plan_err(err, BOOT_ERR_KERNEL, 0, "kernel image is empty");
		return -1;
	}
	if (in->nmodules > 0 && in->modules == NULL) {
		plan_err(err, BOOT_ERR_MODULE, 0, "internal error: no module list");
		return -1;
	}
	/* Every module needs a plan item; the kernel and the info need at least two. */
	if (in->nmodules > BOOT_MAX_ITEMS - 2) {
		plan_err(err, BOOT_ERR_MODULE, BOOT_MAX_ITEMS - 2,
			 "too many modules (%u, limit %d)", in->nmodules, BOOT_MAX_ITEMS - 2);
		return -1;
	}
	if (multiboot_find_header(in->kernel, in->kernel_size, &hdr, msg, sizeof(msg)) != 0) {
		plan_err(err, BOOT_ERR_KERNEL, 0, "%s", msg);
		return -1;
	}
	if (check_flags(hdr.flags, err) != 0)
		return -1;

	if (hdr.flags & MB_FLAG_AOUT_KLUDGE) {
		if (load_aout(in, &hdr, mm, plan, &entry, err) != 0)
			goto fail;
	} else if (load_elf(in, mm, plan, &entry, err) != 0) {
		goto fail;
	}
	if (place_modules(in, mm, plan, mod_gpa, err) != 0)
		goto fail;
	if (build_info(in, mm, plan, mod_gpa, &info, err) != 0)
		goto fail;

	plan->entry.mode = BOOT_ENTRY_PROTECTED32;
	plan->entry.rip = entry;
	plan->entry.rax = MB_BOOTLOADER_MAGIC;
	plan->entry.rbx = info;
	return 0;

fail:
	boot_plan_free(plan);
	return -1;
}
