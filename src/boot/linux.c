/* Linux x86 boot protocol loader (REQ-LNX-001..REQ-LNX-020), written from
 * Documentation/arch/x86/boot.rst and zero-page.rst. Pure: bzImage bytes +
 * memory map in, boot plan out.
 *
 * Placement decisions (documented in docs/requirements/linux.md):
 * - firmware blobs first, at their fixed addresses;
 * - then what the configuration pins (image.kernel_addr, image.initrd_addr),
 *   then the kernel at pref_address, else the lowest kernel_alignment
 *   boundary at or above 16 MiB (then 1 MiB) with init_size bytes of free
 *   RAM; the kernel item spans init_size so nothing lands in the area the
 *   kernel decompresses into;
 * - the initrd at the top of the RAM the kernel accepts (initrd_addr_max),
 *   as PC boot loaders do;
 * - the zero page, command line, GDT, boot stack and page tables in the
 *   lowest free RAM at or above 1 MiB below 4 GiB (the real-mode area is
 *   left to BIOS structures), falling back to 0x1000. */
#include "boot/linux.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/errmsg.h"

#define LX_PAGE         0x1000ULL
#define LX_1M           0x100000ULL
#define LX_2M           0x200000ULL
#define LX_16M          0x1000000ULL
#define LX_1G           0x40000000ULL
#define LX_4G           0x100000000ULL
#define LX_PAGING_LIMIT (1ULL << 48)   /* 4-level paging reaches 256 TiB */
#define LX_SECTOR       512u
#define LX_CMDLINE_MAX  (CFG_CMDLINE_MAX - 1)
#define LX_STACK_ALIGN  16u

/* Paging-structure entry bits (SDM vol. 3, 4.5). */
#define PTE_P           0x1ULL
#define PTE_RW          0x2ULL
#define PTE_PS          0x80ULL

/* Every item keel plans besides the firmware blobs: kernel, initrd, zero
 * page, command line, GDT, boot stack, page tables. */
#define LX_OWN_ITEMS    7u

static void plan_err(struct boot_error *err, enum boot_error_source src, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void plan_err(struct boot_error *err, enum boot_error_source src, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	err->source = src;
	err->module = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static uint64_t rd64(const uint8_t *p) { return rd32(p) | ((uint64_t)rd32(p + 4) << 32); }

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)v);
	wr16(p + 2, (uint16_t)(v >> 16));
}

static void wr64(uint8_t *p, uint64_t v)
{
	wr32(p, (uint32_t)v);
	wr32(p + 4, (uint32_t)(v >> 32));
}

/* Callers keep v below 2^48, so these cannot wrap. */
static uint64_t page_up(uint64_t v) { return (v + LX_PAGE - 1) & ~(LX_PAGE - 1); }
static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

/* Last byte of the setup header fields a protocol version defines: 2.12 to
 * 2.14 end with handover_offset (0x264/4), 2.15 adds kernel_info_offset. */
static unsigned fields_end(uint16_t version) { return version >= 0x020f ? 0x26cu : 0x268u; }

static void read_kernel_version(const uint8_t *img, size_t size, struct linux_header *h)
{
	uint16_t ptr = rd16(img + LINUX_OFF_KERNEL_VERSION);
	uint64_t off = (uint64_t)ptr + 0x200u;  /* the field is the offset less 0x200 */
	size_t n = 0;

	h->kernel_version[0] = '\0';
	if (ptr == 0)
		return;
	/* The string lives in the setup code; stop at its end, the file's end,
	 * the first NUL or anything unprintable. */
	while (off + n < h->setup_size && off + n < size && n + 1 < sizeof(h->kernel_version)) {
		uint8_t ch = img[off + n];

		if (ch < 0x20 || ch > 0x7e)
			break;
		h->kernel_version[n++] = (char)ch;
	}
	h->kernel_version[n] = '\0';
}

/* Signatures, version and the setup header's length. */
static int parse_signatures(const uint8_t *img, size_t size, struct linux_header *h, char *err,
			    size_t errlen)
{
	unsigned need;
	int jump;

	if (size < LINUX_OFF_JUMP) {
		errmsg_set(err, errlen,
			   "the file is only %zu bytes: too short for a Linux bzImage (boot sector "
			   "and setup header)", size);
		return -1;
	}
	if (rd16(img + LINUX_OFF_BOOT_FLAG) != LINUX_BOOT_FLAG) {
		errmsg_set(err, errlen,
			   "no boot sector signature 0xAA55 at offset 0x1fe (found 0x%04x): not a "
			   "Linux bzImage", rd16(img + LINUX_OFF_BOOT_FLAG));
		return -1;
	}
	if (size < LINUX_OFF_VERSION + 2 || rd32(img + LINUX_OFF_HEADER) != LINUX_HDRS_MAGIC) {
		errmsg_set(err, errlen,
			   "no setup header signature \"HdrS\" at offset 0x202: not a Linux bzImage "
			   "(or a kernel older than boot protocol 2.00)");
		return -1;
	}
	h->version = rd16(img + LINUX_OFF_VERSION);
	if (h->version < LINUX_MIN_VERSION) {
		errmsg_set(err, errlen,
			   "boot protocol %u.%02u (version field 0x%04x) is too old: keel needs 2.12 "
			   "or later (xloadflags and the 64-bit entry point)",
			   (unsigned)h->version >> 8, h->version & 0xffu, (unsigned)h->version);
		return -1;
	}
	/* The header's length is given only by the jump over it (boot.rst,
	 * "jump"): 0xEB and a signed offset relative to 0x202. */
	if (img[LINUX_OFF_JUMP] != 0xeb) {
		errmsg_set(err, errlen,
			   "no short jump (0xEB) at offset 0x200 (found 0x%02x): the setup header's "
			   "length is unknown", img[LINUX_OFF_JUMP]);
		return -1;
	}
	jump = img[LINUX_OFF_JUMP + 1] < 0x80 ? img[LINUX_OFF_JUMP + 1]
					       : img[LINUX_OFF_JUMP + 1] - 0x100;
	need = fields_end(h->version);
	if (jump < 0 || LINUX_OFF_HEADER + (unsigned)jump < need) {
		errmsg_set(err, errlen,
			   "setup header length: the jump at 0x200 (offset %d) ends the header at "
			   "0x%x, but boot protocol %u.%02u defines fields up to 0x%x",
			   jump, (unsigned)((int)LINUX_OFF_HEADER + jump), (unsigned)h->version >> 8,
			   h->version & 0xffu, need);
		return -1;
	}
	h->hdr_end = LINUX_OFF_HEADER + (unsigned)jump;   /* <= 0x281 < LINUX_HDR_ROOM_END */
	if (h->hdr_end > size) {
		errmsg_set(err, errlen,
			   "the setup header ends at 0x%x, past the end of the file (0x%zx bytes)",
			   h->hdr_end, size);
		return -1;
	}
	return 0;
}

/* Where the setup code ends and the protected-mode kernel begins. */
static int parse_layout(const uint8_t *img, size_t size, struct linux_header *h, char *err,
			size_t errlen)
{
	h->setup_sects = img[LINUX_OFF_SETUP_SECTS];
	if (h->setup_sects == 0)
		h->setup_sects = 4;     /* boot.rst: 0 means 4, for old kernels */
	h->setup_size = ((uint64_t)h->setup_sects + 1) * LX_SECTOR;
	if (h->setup_size >= size) {
		errmsg_set(err, errlen,
			   "setup_sects %u: the setup code ends at 0x%llx, but the file is only "
			   "0x%zx bytes (no protected-mode kernel)",
			   h->setup_sects, (unsigned long long)h->setup_size, size);
		return -1;
	}
	h->kernel_size = size - h->setup_size;
	if (h->kernel_size <= LINUX_ENTRY64_OFFSET) {
		errmsg_set(err, errlen,
			   "the protected-mode kernel is only 0x%llx bytes: the 64-bit entry point "
			   "at its offset 0x200 lies outside it",
			   (unsigned long long)h->kernel_size);
		return -1;
	}
	h->syssize = rd32(img + LINUX_OFF_SYSSIZE);
	if ((uint64_t)h->syssize * 16 > h->kernel_size) {
		errmsg_set(err, errlen,
			   "syssize 0x%x (0x%llx bytes) is more than the 0x%llx bytes after the "
			   "setup code: the file is truncated",
			   h->syssize, (unsigned long long)h->syssize * 16,
			   (unsigned long long)h->kernel_size);
		return -1;
	}
	return 0;
}

/* Flags, alignment and the loader-relevant fields. */
static int parse_fields(const uint8_t *img, struct linux_header *h, char *err, size_t errlen)
{
	h->loadflags = img[LINUX_OFF_LOADFLAGS];
	if (!(h->loadflags & LINUX_LOADED_HIGH)) {
		errmsg_set(err, errlen,
			   "loadflags bit 0 (LOADED_HIGH) is clear: a zImage, which keel does not "
			   "load (bzImage only)");
		return -1;
	}
	h->xloadflags = rd16(img + LINUX_OFF_XLOADFLAGS);
	if (!(h->xloadflags & LINUX_XLF_KERNEL_64)) {
		errmsg_set(err, errlen,
			   "xloadflags bit 0 (XLF_KERNEL_64) is clear: the kernel has no 64-bit "
			   "entry point, and keel enters Linux in 64-bit mode only");
		return -1;
	}
	h->kernel_alignment = rd32(img + LINUX_OFF_KERNEL_ALIGN);
	if (h->kernel_alignment == 0 || (h->kernel_alignment & (h->kernel_alignment - 1)) != 0) {
		errmsg_set(err, errlen, "kernel_alignment 0x%x is not a power of two",
			   h->kernel_alignment);
		return -1;
	}
	if (h->kernel_alignment < LX_PAGE || h->kernel_alignment > LX_1G) {
		errmsg_set(err, errlen,
			   "kernel_alignment 0x%x is outside the sane range 0x1000 (4 KiB) to "
			   "0x40000000 (1 GiB)", h->kernel_alignment);
		return -1;
	}
	h->relocatable = img[LINUX_OFF_RELOCATABLE] != 0;
	h->min_alignment = img[LINUX_OFF_MIN_ALIGN];
	if (h->min_alignment != 0 &&
	    (h->min_alignment > 30 || (1u << h->min_alignment) > h->kernel_alignment)) {
		errmsg_set(err, errlen,
			   "min_alignment 2^%u is above kernel_alignment 0x%x", h->min_alignment,
			   h->kernel_alignment);
		return -1;
	}
	h->initrd_addr_max = rd32(img + LINUX_OFF_INITRD_ADDR_MAX);
	h->cmdline_size = rd32(img + LINUX_OFF_CMDLINE_SIZE);
	h->pref_address = rd64(img + LINUX_OFF_PREF_ADDRESS);
	h->init_size = rd32(img + LINUX_OFF_INIT_SIZE);
	h->code32_start = rd32(img + LINUX_OFF_CODE32_START);
	if (h->init_size == 0) {
		errmsg_set(err, errlen,
			   "init_size is 0: the kernel does not say how much memory it needs to "
			   "decompress");
		return -1;
	}
	/* A kernel that cannot move runs at pref_address (boot.rst, init_size),
	 * which must then be a proper load address. */
	if (!h->relocatable && h->pref_address % h->kernel_alignment != 0) {
		errmsg_set(err, errlen,
			   "the kernel is not relocatable and its pref_address 0x%llx is not a "
			   "multiple of kernel_alignment 0x%x",
			   (unsigned long long)h->pref_address, h->kernel_alignment);
		return -1;
	}
	return 0;
}

int linux_parse_header(const uint8_t *img, size_t size, struct linux_header *h, char *err,
		       size_t errlen)
{
	if (img == NULL || h == NULL) {
		errmsg_set(err, errlen, "internal error: no image");
		return -1;
	}
	memset(h, 0, sizeof(*h));
	if (parse_signatures(img, size, h, err, errlen) != 0 ||
	    parse_layout(img, size, h, err, errlen) != 0 || parse_fields(img, h, err, errlen) != 0)
		return -1;
	read_kernel_version(img, size, h);
	return 0;
}

bool linux_detect(const uint8_t *img, size_t size)
{
	return img != NULL && size >= LINUX_OFF_VERSION &&
	       rd16(img + LINUX_OFF_BOOT_FLAG) == LINUX_BOOT_FLAG &&
	       rd32(img + LINUX_OFF_HEADER) == LINUX_HDRS_MAGIC;
}

static const char *base_name(const char *path)
{
	const char *slash;

	if (path == NULL || path[0] == '\0')
		return "unnamed";
	slash = strrchr(path, '/');
	return slash != NULL && slash[1] != '\0' ? slash + 1 : path;
}

/* ---- placement ---------------------------------------------------------- */

struct lx {
	const struct boot_input *in;
	const struct memmap *mm;
	struct boot_plan *plan;
	struct boot_error *err;
	struct linux_header h;
	uint64_t kernel_gpa;
	uint64_t initrd_gpa;
	int initrd_item;        /* -1: no initrd or not yet placed */
	size_t cmdline_len;
};

/* Why [gpa, gpa+size) cannot take `what`: not RAM, or the item in the way.
 * Returns 0 when the range is free RAM. */
static int range_problem(const struct lx *x, uint64_t gpa, uint64_t size, bool backed_only,
			 char *why, size_t whylen)
{
	int idx;

	if (size > UINT64_MAX - gpa ||
	    !(backed_only ? memmap_is_backed(x->mm, gpa, size) : memmap_is_ram(x->mm, gpa, size))) {
		snprintf(why, whylen, "is not wholly in guest %s (see the memory map)",
			 backed_only ? "memory" : "RAM");
		return -1;
	}
	idx = boot_plan_find_overlap(x->plan, gpa, size);
	if (idx >= 0) {
		const struct boot_item *o = &x->plan->items[idx];

		snprintf(why, whylen, "overlaps %s [0x%llx-0x%llx)", o->what,
			 (unsigned long long)o->gpa, (unsigned long long)(o->gpa + o->size));
		return -1;
	}
	return 0;
}

/* Firmware blobs go exactly where the firmware builder put them. */
static int place_fw(struct lx *x)
{
	const struct boot_input *in = x->in;

	for (unsigned i = 0; i < in->nfw; i++) {
		const struct boot_fw_blob *b = &in->fw[i];
		const char *what = b->what != NULL && b->what[0] != '\0' ? b->what : "firmware blob";
		char why[160];

		if (b->size == 0 || b->data == NULL) {
			plan_err(x->err, BOOT_ERR_MEMORY, "%s (firmware blob %u) is empty", what, i);
			return -1;
		}
		if (range_problem(x, b->gpa, b->size, true, why, sizeof(why)) != 0) {
			plan_err(x->err, BOOT_ERR_MEMORY, "%s [0x%llx-0x%llx) %s", what,
				 (unsigned long long)b->gpa,
				 (unsigned long long)(b->gpa + b->size), why);
			return -1;
		}
		if (boot_plan_add(x->plan, b->gpa, b->size, b->data, b->size, what) != 0) {
			plan_err(x->err, BOOT_ERR_MEMORY, "too many boot parts (boot plan limit %d)",
				 BOOT_MAX_ITEMS);
			return -1;
		}
	}
	return 0;
}

/* Bytes the kernel occupies from load address `addr`: its file bytes, and
 * init_size from its runtime start (boot.rst, init_size): a relocatable
 * kernel first moves up to the next kernel_alignment boundary. addr < 2^48. */
static uint64_t kernel_footprint(const struct linux_header *h, uint64_t addr)
{
	uint64_t need = h->init_size > h->kernel_size ? h->init_size : h->kernel_size;

	if (h->relocatable)
		need += align_up(addr, h->kernel_alignment) - addr;
	return page_up(need);
}

/* Where a kernel that cannot move runs: pref_address, or the traditional
 * bzImage address 1 MiB when the field is 0. */
static uint64_t fixed_runtime(const struct linux_header *h)
{
	return h->pref_address != 0 ? h->pref_address : LX_1M;
}

static uint64_t kernel_limit(const struct linux_header *h)
{
	return (h->xloadflags & LINUX_XLF_ABOVE_4G) ? LX_PAGING_LIMIT : LX_4G;
}

static int add_kernel(struct lx *x, uint64_t gpa)
{
	char what[BOOT_WHAT_MAX];

	snprintf(what, sizeof(what), "linux kernel (%s)", base_name(x->in->kernel_name));
	if (boot_plan_add(x->plan, gpa, kernel_footprint(&x->h, gpa),
			  x->in->kernel + x->h.setup_size, x->h.kernel_size, what) != 0) {
		plan_err(x->err, BOOT_ERR_MEMORY, "too many boot parts (boot plan limit %d)",
			 BOOT_MAX_ITEMS);
		return -1;
	}
	x->kernel_gpa = gpa;
	return 0;
}

/* Checks a fixed load address (image.kernel_addr, or pref_address of a
 * kernel that cannot move); the message explains which rule failed. */
static int kernel_at(struct lx *x, uint64_t gpa, enum boot_error_source src, const char *who)
{
	const struct linux_header *h = &x->h;
	uint64_t limit = kernel_limit(h), foot;
	char why[160];

	if (gpa >= limit) {
		plan_err(x->err, src, "%s 0x%llx is not below %s", who, (unsigned long long)gpa,
			 limit == LX_4G ? "4 GiB (xloadflags bit 1, XLF_CAN_BE_LOADED_ABOVE_4G, is "
					  "clear)" : "the 4-level paging limit 2^48");
		return -1;
	}
	foot = kernel_footprint(h, gpa);
	if (foot > limit - gpa) {
		plan_err(x->err, src,
			 "%s 0x%llx: the kernel [0x%llx-0x%llx) (init_size 0x%x from its runtime "
			 "start) does not end below %s",
			 who, (unsigned long long)gpa, (unsigned long long)gpa,
			 (unsigned long long)(gpa + foot), h->init_size,
			 limit == LX_4G ? "4 GiB (XLF_CAN_BE_LOADED_ABOVE_4G is clear)"
					: "the 4-level paging limit 2^48");
		return -1;
	}
	if (range_problem(x, gpa, foot, false, why, sizeof(why)) != 0) {
		plan_err(x->err, src,
			 "%s 0x%llx: the kernel [0x%llx-0x%llx) (init_size 0x%x from its runtime "
			 "start) %s",
			 who, (unsigned long long)gpa, (unsigned long long)gpa,
			 (unsigned long long)(gpa + foot), h->init_size, why);
		return -1;
	}
	return add_kernel(x, gpa);
}

static int place_kernel_fixed(struct lx *x)
{
	const struct linux_header *h = &x->h;
	uint64_t gpa = x->in->kernel_addr;

	if (gpa % LX_PAGE != 0) {
		plan_err(x->err, BOOT_ERR_KERNEL_ADDR, "0x%llx is not a multiple of 4 KiB",
			 (unsigned long long)gpa);
		return -1;
	}
	if (!h->relocatable && gpa != fixed_runtime(h)) {
		plan_err(x->err, BOOT_ERR_KERNEL_ADDR,
			 "0x%llx: this kernel is not relocatable and runs at 0x%llx (its "
			 "pref_address) whatever the load address; give that address or leave the "
			 "key out",
			 (unsigned long long)gpa, (unsigned long long)fixed_runtime(h));
		return -1;
	}
	return kernel_at(x, gpa, BOOT_ERR_KERNEL_ADDR, "load address");
}

static int place_kernel_auto(struct lx *x)
{
	const struct linux_header *h = &x->h;
	uint64_t limit = kernel_limit(h), pref = h->pref_address, foot, gpa;

	if (!h->relocatable)
		return kernel_at(x, fixed_runtime(h), BOOT_ERR_KERNEL,
				 "the kernel is not relocatable; its pref_address");
	/* pref_address if it is free: the kernel then does not move at all. */
	if (pref != 0 && pref % h->kernel_alignment == 0 && pref < limit) {
		foot = kernel_footprint(h, pref);
		if (foot <= limit - pref && memmap_is_ram(x->mm, pref, foot) &&
		    boot_plan_find_overlap(x->plan, pref, foot) < 0)
			return add_kernel(x, pref);
	}
	foot = kernel_footprint(h, 0);          /* at an aligned address */
	gpa = boot_plan_alloc(x->plan, x->mm, foot, h->kernel_alignment, LX_16M, limit);
	if (gpa == 0)
		gpa = boot_plan_alloc(x->plan, x->mm, foot, h->kernel_alignment, LX_1M, limit);
	if (gpa == 0) {
		plan_err(x->err, BOOT_ERR_MEMORY,
			 "no room for the kernel: it needs 0x%llx bytes (init_size 0x%x) of free "
			 "RAM at a 0x%x boundary at or above 1 MiB, below %s",
			 (unsigned long long)foot, h->init_size, h->kernel_alignment,
			 limit == LX_4G ? "4 GiB" : "2^48");
		return -1;
	}
	return add_kernel(x, gpa);
}

/* Highest `align`-aligned address >= min_gpa with [addr, addr+size) in one
 * RAM entry, ending at or below `limit`, clear of every item; 0 if none. */
static uint64_t alloc_top(const struct boot_plan *p, const struct memmap *mm, uint64_t size,
			  uint64_t align, uint64_t min_gpa, uint64_t limit)
{
	if (size == 0 || size > limit)
		return 0;
	for (unsigned e = mm->nentries < MEMMAP_MAX_ENTRIES ? mm->nentries : MEMMAP_MAX_ENTRIES;
	     e-- > 0;) {
		const struct memmap_entry *me = &mm->entries[e];
		uint64_t end = me->size > UINT64_MAX - me->base ? UINT64_MAX : me->base + me->size;

		if (me->type != MEMMAP_RAM)
			continue;
		if (end > limit)
			end = limit;
		/* Each step moves `end` below the item in the way, so this ends. */
		while (end >= size) {
			uint64_t cand = (end - size) & ~(align - 1);
			int idx;

			if (cand < me->base || cand < min_gpa || cand == 0)
				break;
			idx = boot_plan_find_overlap(p, cand, size);
			if (idx < 0)
				return cand;
			end = p->items[idx].gpa;
		}
	}
	return 0;
}

static int add_initrd(struct lx *x, uint64_t gpa)
{
	char what[BOOT_WHAT_MAX];

	snprintf(what, sizeof(what), "initrd (%s)", base_name(x->in->initrd_name));
	x->initrd_item = (int)x->plan->nitems;
	if (boot_plan_add(x->plan, gpa, x->in->initrd_size, x->in->initrd, x->in->initrd_size,
			  what) != 0) {
		plan_err(x->err, BOOT_ERR_MEMORY, "too many boot parts (boot plan limit %d)",
			 BOOT_MAX_ITEMS);
		return -1;
	}
	x->initrd_gpa = gpa;
	return 0;
}

/* initrd_addr_max names the highest byte the initrd may occupy (boot.rst);
 * it is 32 bits wide, so this never exceeds 4 GiB. */
static uint64_t initrd_limit(const struct linux_header *h)
{
	return (uint64_t)h->initrd_addr_max + 1;
}

/* Checks common to both placements; 1 when there is nothing to place. */
static int initrd_check(struct lx *x)
{
	const struct boot_input *in = x->in;

	if (in->initrd == NULL) {
		if (in->initrd_size > 0) {
			plan_err(x->err, BOOT_ERR_INITRD, "internal error: initrd without data");
			return -1;
		}
		if (in->initrd_addr != 0) {
			plan_err(x->err, BOOT_ERR_INITRD_ADDR,
				 "an initrd address is given but there is no initrd");
			return -1;
		}
		return 1;
	}
	if (in->initrd_size == 0) {
		plan_err(x->err, BOOT_ERR_INITRD, "the initrd (%s) is empty",
			 base_name(in->initrd_name));
		return -1;
	}
	if (in->initrd_size > initrd_limit(&x->h)) {
		plan_err(x->err, BOOT_ERR_INITRD,
			 "the initrd (%s) is 0x%zx bytes, more than fits below this kernel's "
			 "initrd_addr_max 0x%x",
			 base_name(in->initrd_name), in->initrd_size, x->h.initrd_addr_max);
		return -1;
	}
	return 0;
}

static int place_initrd_fixed(struct lx *x)
{
	uint64_t gpa = x->in->initrd_addr, size = x->in->initrd_size, lim = initrd_limit(&x->h);
	char why[160];

	if (gpa % LX_PAGE != 0) {
		plan_err(x->err, BOOT_ERR_INITRD_ADDR, "0x%llx is not a multiple of 4 KiB",
			 (unsigned long long)gpa);
		return -1;
	}
	if (gpa >= lim || size > lim - gpa) {
		plan_err(x->err, BOOT_ERR_INITRD_ADDR,
			 "the initrd [0x%llx-0x%llx) ends above this kernel's initrd_addr_max "
			 "0x%x (the highest byte an initrd may occupy)",
			 (unsigned long long)gpa,
			 (unsigned long long)(size > UINT64_MAX - gpa ? UINT64_MAX : gpa + size),
			 x->h.initrd_addr_max);
		return -1;
	}
	if (range_problem(x, gpa, size, false, why, sizeof(why)) != 0) {
		plan_err(x->err, BOOT_ERR_INITRD_ADDR, "the initrd [0x%llx-0x%llx) %s",
			 (unsigned long long)gpa, (unsigned long long)(gpa + size), why);
		return -1;
	}
	return add_initrd(x, gpa);
}

static int place_initrd_auto(struct lx *x)
{
	uint64_t size = x->in->initrd_size, lim = initrd_limit(&x->h), gpa;

	gpa = alloc_top(x->plan, x->mm, size, LX_PAGE, LX_1M, lim);
	if (gpa == 0)
		gpa = alloc_top(x->plan, x->mm, size, LX_PAGE, LX_PAGE, lim);
	if (gpa == 0) {
		plan_err(x->err, BOOT_ERR_INITRD,
			 "no free guest RAM for the initrd (%s, 0x%llx bytes) below 0x%llx "
			 "(initrd_addr_max + 1)",
			 base_name(x->in->initrd_name), (unsigned long long)size,
			 (unsigned long long)lim);
		return -1;
	}
	return add_initrd(x, gpa);
}

/* ---- identity map ------------------------------------------------------- */

/* Tables are built in a scratch buffer with child pointers relative to the
 * first page (the PML4); once the pages have a guest address, every
 * pointer gets that base added. Leaf (2 MiB) entries are absolute. */
struct ptb {
	uint8_t *pages;         /* LINUX_PT_MAX_PAGES pages */
	uint8_t level[LINUX_PT_MAX_PAGES];   /* 0 PML4, 1 PDPT, 2 PD */
	unsigned n;
};

static int pt_child(struct ptb *b, unsigned page, unsigned idx, uint8_t level, unsigned *child)
{
	uint8_t *e = b->pages + (size_t)page * LX_PAGE + (size_t)idx * 8;
	uint64_t v = rd64(e);

	if (v & PTE_P) {
		*child = (unsigned)(v >> 12);
		return 0;
	}
	if (b->n >= LINUX_PT_MAX_PAGES)
		return -1;
	*child = b->n++;
	b->level[*child] = level;
	wr64(e, ((uint64_t)*child << 12) | PTE_P | PTE_RW);
	return 0;
}

/* Maps every 2 MiB page touching [start, end), end <= 2^48. */
static int pt_map(struct ptb *b, uint64_t start, uint64_t end)
{
	for (uint64_t a = start & ~(LX_2M - 1); a < end; a += LX_2M) {
		unsigned pdpt, pd;

		if (pt_child(b, 0, (unsigned)(a >> 39) & 511u, 1, &pdpt) != 0 ||
		    pt_child(b, pdpt, (unsigned)(a >> 30) & 511u, 2, &pd) != 0)
			return -1;
		wr64(b->pages + (size_t)pd * LX_PAGE + ((a >> 21) & 511u) * 8,
		     a | PTE_P | PTE_RW | PTE_PS);
	}
	return 0;
}

/* [0, 4 GiB) and every planned byte above it (boot.rst wants the kernel's
 * init_size range, the zero page and the command line mapped; the rest of
 * the low 4 GiB costs four pages and spares the kernel surprises). */
static int pt_build(struct lx *x, struct ptb *b)
{
	const struct boot_plan *p = x->plan;

	b->n = 1;                       /* page 0: the PML4 */
	b->level[0] = 0;
	if (pt_map(b, 0, LX_4G) != 0)
		goto full;
	for (unsigned i = 0; i < p->nitems; i++) {
		const struct boot_item *it = &p->items[i];
		uint64_t start = it->gpa, end = it->gpa + it->size;

		if (end <= LX_4G)
			continue;
		if (end > LX_PAGING_LIMIT) {
			plan_err(x->err, BOOT_ERR_MEMORY,
				 "%s [0x%llx-0x%llx) lies beyond the 4-level paging limit 2^48",
				 it->what, (unsigned long long)start, (unsigned long long)end);
			return -1;
		}
		if (pt_map(b, start < LX_4G ? LX_4G : start, end) != 0)
			goto full;
	}
	return 0;
full:
	plan_err(x->err, BOOT_ERR_MEMORY,
		 "the identity map of the planned items needs more than %u page-table pages",
		 LINUX_PT_MAX_PAGES);
	return -1;
}

static void pt_relocate(const struct ptb *b, uint8_t *out, uint64_t base)
{
	memcpy(out, b->pages, (size_t)b->n * LX_PAGE);
	for (unsigned pg = 0; pg < b->n; pg++) {
		if (b->level[pg] == 2)
			continue;
		for (unsigned i = 0; i < 512; i++) {
			uint8_t *e = out + (size_t)pg * LX_PAGE + (size_t)i * 8;
			uint64_t v = rd64(e);

			if (v & PTE_P)
				wr64(e, v + base);
		}
	}
}

/* ---- zero page ---------------------------------------------------------- */

struct e820 {
	unsigned n;
	bool overflow;
	uint8_t *table;         /* zero page + LINUX_ZP_E820_TABLE */
	uint64_t last_base, last_size;
	uint32_t last_type;
};

/* Appends [base, base+size) of `type`, merging with an adjacent entry of
 * the same type. */
static void e820_add(struct e820 *t, uint64_t base, uint64_t size, uint32_t type)
{
	uint8_t *e;

	if (size == 0)
		return;
	if (t->n > 0 && t->last_type == type && t->last_base + t->last_size == base) {
		t->last_size += size;
		wr64(t->table + (size_t)(t->n - 1) * LINUX_E820_ENTRY_SIZE + 8, t->last_size);
		return;
	}
	if (t->n >= LINUX_E820_MAX) {
		t->overflow = true;
		return;
	}
	e = t->table + (size_t)t->n * LINUX_E820_ENTRY_SIZE;
	wr64(e, base);
	wr64(e + 8, size);
	wr32(e + 16, type);
	t->n++;
	t->last_base = base;
	t->last_size = size;
	t->last_type = type;
}

/* The memory map, in order, with every firmware blob carved out of the
 * entry holding it (ACPI data as type 3, anything else reserved). */
static int build_e820(struct lx *x, uint8_t *zp)
{
	const struct boot_input *in = x->in;
	const struct memmap *mm = x->mm;
	unsigned order[BOOT_MAX_ITEMS], nfw = in->nfw;
	struct e820 t = { 0, false, zp + LINUX_ZP_E820_TABLE, 0, 0, 0 };

	/* Blobs sorted by address (insertion sort; they do not overlap). */
	for (unsigned i = 0; i < nfw; i++) {
		unsigned j = i;

		while (j > 0 && in->fw[order[j - 1]].gpa > in->fw[i].gpa) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
	for (unsigned e = 0; e < mm->nentries && e < MEMMAP_MAX_ENTRIES; e++) {
		const struct memmap_entry *me = &mm->entries[e];
		uint32_t type = me->type == MEMMAP_RAM ? LINUX_E820_RAM : LINUX_E820_RESERVED;
		uint64_t cur = me->base, end = me->base + me->size;

		for (unsigned k = 0; k < nfw; k++) {
			const struct boot_fw_blob *b = &in->fw[order[k]];
			uint64_t bend = b->gpa + b->size, s, f;

			if (bend <= cur || b->gpa >= end)
				continue;
			s = b->gpa > cur ? b->gpa : cur;
			f = bend < end ? bend : end;
			e820_add(&t, cur, s - cur, type);
			e820_add(&t, s, f - s, b->acpi ? LINUX_E820_ACPI : LINUX_E820_RESERVED);
			cur = f;
		}
		e820_add(&t, cur, end - cur, type);
	}
	if (t.overflow) {
		plan_err(x->err, BOOT_ERR_MEMORY,
			 "the memory map with the firmware blobs carved out needs more than %u "
			 "e820 entries, all the zero page holds",
			 LINUX_E820_MAX);
		return -1;
	}
	zp[LINUX_ZP_E820_ENTRIES] = (uint8_t)t.n;
	return 0;
}

static int fill_zero_page(struct lx *x, uint8_t *zp, uint64_t cmdline_gpa)
{
	const struct linux_header *h = &x->h;
	const struct boot_input *in = x->in;

	/* boot.rst, "64-bit Boot Protocol": a zeroed boot_params with the
	 * image's setup header copied in (the sentinel at 0x1ef stays 0). */
	memcpy(zp + LINUX_HDR_START, in->kernel + LINUX_HDR_START, h->hdr_end - LINUX_HDR_START);
	/* Fields the boot loader writes; the image's values are not trusted. */
	wr16(zp + LINUX_OFF_VID_MODE, 0xffff);          /* "normal" */
	wr32(zp + LINUX_OFF_REALMODE_SWTCH, 0);         /* no real-mode hook */
	zp[LINUX_OFF_TYPE_OF_LOADER] = LINUX_LOADER_TYPE;
	/* No real-mode setup runs: no heap; early messages stay on. */
	zp[LINUX_OFF_LOADFLAGS] = LINUX_LOADED_HIGH;
	wr16(zp + LINUX_OFF_HEAP_END_PTR, 0);
	zp[LINUX_OFF_EXT_LOADER_VER] = 0;
	zp[LINUX_OFF_EXT_LOADER_TYPE] = 0;
	if (x->kernel_gpa < LX_4G)
		wr32(zp + LINUX_OFF_CODE32_START, (uint32_t)x->kernel_gpa);
	wr32(zp + LINUX_OFF_CMD_LINE_PTR, (uint32_t)cmdline_gpa);
	wr32(zp + LINUX_ZP_EXT_CMD_LINE_PTR, (uint32_t)(cmdline_gpa >> 32));
	if (x->initrd_item >= 0) {
		wr32(zp + LINUX_OFF_RAMDISK_IMAGE, (uint32_t)x->initrd_gpa);
		wr32(zp + LINUX_ZP_EXT_RAMDISK_IMAGE, (uint32_t)(x->initrd_gpa >> 32));
		wr32(zp + LINUX_OFF_RAMDISK_SIZE, (uint32_t)in->initrd_size);
		wr32(zp + LINUX_ZP_EXT_RAMDISK_SIZE, (uint32_t)((uint64_t)in->initrd_size >> 32));
	} else {
		wr32(zp + LINUX_OFF_RAMDISK_IMAGE, 0);
		wr32(zp + LINUX_OFF_RAMDISK_SIZE, 0);
	}
	wr32(zp + LINUX_OFF_HW_SUBARCH, 0);             /* a PC */
	wr64(zp + LINUX_OFF_HW_SUBARCH_DATA, 0);
	wr64(zp + LINUX_OFF_SETUP_DATA, 0);             /* no setup_data list */
	/* Only boot_params.acpi_rsdp_addr: the 2.14 setup-header field was
	 * withdrawn (boot.rst) and 0x268 is kernel_info_offset since 2.15. */
	wr64(zp + LINUX_ZP_ACPI_RSDP, in->acpi_rsdp);
	return build_e820(x, zp);
}

static void fill_gdt(uint8_t *gdt)
{
	memset(gdt, 0, LINUX_GDT_SIZE);
	wr64(gdt + LINUX_BOOT_CS, LINUX_GDT_CODE64);
	wr64(gdt + LINUX_BOOT_DS, LINUX_GDT_DATA);
}

/* Free RAM below 4 GiB, at or above 1 MiB when there is room, never page 0. */
static uint64_t alloc_low(const struct lx *x, uint64_t size, uint64_t align)
{
	uint64_t gpa = boot_plan_alloc(x->plan, x->mm, size, align, LX_1M, LX_4G);

	return gpa != 0 ? gpa : boot_plan_alloc(x->plan, x->mm, size, align, LX_PAGE, LX_4G);
}

static int add_low(struct lx *x, uint64_t size, uint64_t align, const uint8_t *src,
		   uint64_t src_len, const char *what, uint64_t *gpa)
{
	*gpa = alloc_low(x, size, align);
	if (*gpa == 0) {
		plan_err(x->err, BOOT_ERR_MEMORY,
			 "no free guest RAM below 4 GiB for the %s (0x%llx bytes)", what,
			 (unsigned long long)size);
		return -1;
	}
	if (boot_plan_add(x->plan, *gpa, size, src, src_len, what) != 0) {
		plan_err(x->err, BOOT_ERR_MEMORY, "too many boot parts (boot plan limit %d)",
			 BOOT_MAX_ITEMS);
		return -1;
	}
	return 0;
}

static int check_cmdline(struct lx *x)
{
	const char *s = x->in->cmdline;
	size_t max = x->h.cmdline_size < LX_CMDLINE_MAX ? x->h.cmdline_size : LX_CMDLINE_MAX;

	x->cmdline_len = s != NULL ? strnlen(s, max + 1) : 0;
	if (x->cmdline_len > max) {
		if (max == x->h.cmdline_size)
			plan_err(x->err, BOOT_ERR_CMDLINE,
				 "the command line is longer than this kernel's cmdline_size (%u "
				 "bytes)", x->h.cmdline_size);
		else
			plan_err(x->err, BOOT_ERR_CMDLINE,
				 "the command line is longer than %d bytes", LX_CMDLINE_MAX);
		return -1;
	}
	return 0;
}

/* The zero page, command line, GDT, boot stack and page tables: one owned
 * buffer, each part its own plan item, all below 4 GiB. */
static int build_boot_data(struct lx *x)
{
	struct boot_plan *p = x->plan;
	struct ptb b;
	size_t zp_off = 0, pt_off = LINUX_ZP_SIZE, gdt_off, cmd_off, total;
	uint64_t zp_gpa, cmd_gpa, gdt_gpa, stack_gpa, pt_gpa;
	uint8_t *buf;
	int rc = -1;

	b.pages = calloc(LINUX_PT_MAX_PAGES, LX_PAGE);
	if (b.pages == NULL) {
		plan_err(x->err, BOOT_ERR_MEMORY, "out of host memory for the page tables");
		return -1;
	}
	/* Everything this function places is below 4 GiB, inside the map's
	 * first part, so the tables can be built before they are placed. */
	if (pt_build(x, &b) != 0)
		goto out;
	gdt_off = pt_off + (size_t)b.n * LX_PAGE;
	cmd_off = gdt_off + LINUX_GDT_SIZE;
	total = cmd_off + x->cmdline_len + 1;
	buf = calloc(1, total);
	if (buf == NULL) {
		plan_err(x->err, BOOT_ERR_MEMORY, "out of host memory for the zero page");
		goto out;
	}
	p->owned = buf;
	p->owned_size = total;
	if (x->cmdline_len > 0)
		memcpy(buf + cmd_off, x->in->cmdline, x->cmdline_len);
	fill_gdt(buf + gdt_off);

	if (add_low(x, LINUX_ZP_SIZE, LX_PAGE, buf + zp_off, LINUX_ZP_SIZE, "zero page",
		    &zp_gpa) != 0 ||
	    add_low(x, x->cmdline_len + 1, 16, buf + cmd_off, x->cmdline_len + 1, "command line",
		    &cmd_gpa) != 0 ||
	    add_low(x, LINUX_GDT_SIZE, 16, buf + gdt_off, LINUX_GDT_SIZE, "GDT", &gdt_gpa) != 0 ||
	    add_low(x, LINUX_STACK_SIZE, LX_PAGE, NULL, 0, "boot stack", &stack_gpa) != 0 ||
	    add_low(x, (uint64_t)b.n * LX_PAGE, LX_PAGE, buf + pt_off, (uint64_t)b.n * LX_PAGE,
		    "page tables", &pt_gpa) != 0)
		goto out;
	pt_relocate(&b, buf + pt_off, pt_gpa);
	if (fill_zero_page(x, buf + zp_off, cmd_gpa) != 0)
		goto out;

	p->entry.mode = BOOT_ENTRY_LONG64;
	p->entry.rip = x->kernel_gpa + LINUX_ENTRY64_OFFSET;
	p->entry.rsi = zp_gpa;
	p->entry.rsp = stack_gpa + LINUX_STACK_SIZE;
	p->entry.cr3 = pt_gpa;
	p->entry.gdt_base = gdt_gpa;
	p->entry.gdt_limit = LINUX_GDT_SIZE - 1;
	rc = 0;
out:
	free(b.pages);
	return rc;
}

int linux_plan(const struct boot_input *in, const struct memmap *mm, struct boot_plan *plan,
	       struct boot_error *err)
{
	struct lx x;
	char msg[200];
	int rc;

	if (err != NULL)
		memset(err, 0, sizeof(*err));
	if (plan == NULL) {
		plan_err(err, BOOT_ERR_KERNEL, "internal error: no boot plan");
		return -1;
	}
	memset(plan, 0, sizeof(*plan));
	if (in == NULL || mm == NULL) {
		plan_err(err, BOOT_ERR_KERNEL, "internal error: no boot input or memory map");
		return -1;
	}
	if (in->kernel == NULL || in->kernel_size == 0) {
		plan_err(err, BOOT_ERR_KERNEL, "kernel image is empty");
		return -1;
	}
	if (in->nmodules > 0) {
		plan_err(err, BOOT_ERR_MODULE,
			 "the Linux boot protocol takes one initrd, not Multiboot modules");
		return -1;
	}
	if (in->nfw > 0 && in->fw == NULL) {
		plan_err(err, BOOT_ERR_MEMORY, "internal error: no firmware blob list");
		return -1;
	}
	if (in->nfw > BOOT_MAX_ITEMS - LX_OWN_ITEMS) {
		plan_err(err, BOOT_ERR_MEMORY, "too many firmware blobs (%u, limit %u)", in->nfw,
			 BOOT_MAX_ITEMS - LX_OWN_ITEMS);
		return -1;
	}
	memset(&x, 0, sizeof(x));
	x.in = in;
	x.mm = mm;
	x.plan = plan;
	x.err = err;
	x.initrd_item = -1;
	if (linux_parse_header(in->kernel, in->kernel_size, &x.h, msg, sizeof(msg)) != 0) {
		plan_err(err, BOOT_ERR_KERNEL, "%s", msg);
		return -1;
	}
	if (check_cmdline(&x) != 0)
		return -1;
	rc = initrd_check(&x);
	if (rc < 0)
		return -1;

	/* Fixed addresses first, so that automatic choices work around them. */
	if (place_fw(&x) != 0 ||
	    (in->kernel_addr != 0 && place_kernel_fixed(&x) != 0) ||
	    (rc == 0 && in->initrd_addr != 0 && place_initrd_fixed(&x) != 0) ||
	    (in->kernel_addr == 0 && place_kernel_auto(&x) != 0) ||
	    (rc == 0 && in->initrd_addr == 0 && place_initrd_auto(&x) != 0) ||
	    build_boot_data(&x) != 0) {
		boot_plan_free(plan);
		return -1;
	}
	return 0;
}

void linux_describe(const struct linux_header *h, const char *indent, FILE *out)
{
	if (h == NULL || out == NULL)
		return;
	if (indent == NULL)
		indent = "";
	fprintf(out, "%slinux boot protocol %u.%02u%s%s%s\n", indent, (unsigned)h->version >> 8,
		h->version & 0xffu, h->kernel_version[0] ? ", kernel \"" : "", h->kernel_version,
		h->kernel_version[0] ? "\"" : "");
	fprintf(out, "%ssetup: %u sectors; protected-mode kernel 0x%llx bytes, init_size 0x%x\n",
		indent, h->setup_sects, (unsigned long long)h->kernel_size, h->init_size);
	fprintf(out, "%s%s, kernel_alignment 0x%x", indent,
		h->relocatable ? "relocatable" : "not relocatable", h->kernel_alignment);
	if (h->min_alignment != 0)
		fprintf(out, " (min 0x%llx)", 1ULL << h->min_alignment);
	fprintf(out, ", pref_address 0x%llx\n", (unsigned long long)h->pref_address);
	fprintf(out, "%s64-bit entry at load address + 0x200; %s 4 GiB; cmdline_size %u, "
		"initrd_addr_max 0x%x\n", indent,
		(h->xloadflags & LINUX_XLF_ABOVE_4G) ? "may load above" : "loads below",
		h->cmdline_size, h->initrd_addr_max);
}
