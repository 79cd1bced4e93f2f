/* A boot plan: everything a boot protocol loader decided, as data. The loader
 * (multiboot.c, linux.c) is pure: it reads the image bytes and the
 * memory map and returns where each part goes and the vCPU entry state.
 * `keel check` prints the plan; `keel run` applies it to guest RAM. */
#ifndef KEEL_BOOT_BOOT_H
#define KEEL_BOOT_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem/guest_mem.h"
#include "mem/memmap.h"

#define BOOT_MAX_ITEMS 64
#define BOOT_WHAT_MAX  48

struct boot_item {
	uint64_t gpa;
	uint64_t size;          /* bytes occupied in guest RAM */
	const uint8_t *src;     /* bytes to copy (not owned); NULL for zero fill */
	uint64_t src_len;       /* <= size; the rest is zero-filled (bss) */
	char what[BOOT_WHAT_MAX]; /* "kernel segment 0", "module 1 (data.bin)", ... */
};

enum boot_entry_mode {
	BOOT_ENTRY_PROTECTED32 = 0, /* Multiboot: flat 32-bit, paging off */
	BOOT_ENTRY_LONG64 = 1,      /* Linux 64-bit boot protocol: long mode, identity
				     * map at cr3, GDT at gdt_base (see boot/linux.h) */
};

struct boot_entry {
	enum boot_entry_mode mode;
	uint64_t rip;
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp;
	/* BOOT_ENTRY_LONG64 only (0 otherwise): the PML4 and the GDT the
	 * loader planned in guest RAM. */
	uint64_t cr3, gdt_base;
	uint16_t gdt_limit;
};

struct boot_plan {
	unsigned nitems;
	struct boot_item items[BOOT_MAX_ITEMS];
	struct boot_entry entry;
	uint8_t *owned;         /* buffer the plan allocated (info structure...) */
	size_t owned_size;
	/* Optional: called by boot_plan_apply after each chunk of an item's
	 * source is in guest RAM, so the owner of mapped images can give those
	 * pages back (keeps keel's peak memory small, REQ-MEM-006). */
	void (*release_src)(void *ctx, const uint8_t *src, size_t len);
	void *release_ctx;
};

/* Which input an error is about, so the caller can name the config key. */
enum boot_error_source { BOOT_ERR_KERNEL = 0, BOOT_ERR_MODULE = 1, BOOT_ERR_CMDLINE = 2,
			 BOOT_ERR_MEMORY = 3, BOOT_ERR_INITRD = 4, BOOT_ERR_KERNEL_ADDR = 5,
			 BOOT_ERR_INITRD_ADDR = 6 };

struct boot_error {
	enum boot_error_source source;
	unsigned module;        /* index when source == BOOT_ERR_MODULE */
	char msg[256];
};

struct boot_module_input {
	const uint8_t *data;
	size_t size;
	const char *cmdline;
	const char *name;       /* for messages and plan labels */
};

/* Bytes keel's firmware puts at a fixed guest address (ACPI tables, MP
 * table...). Linux plans them first and reports them in e820 as ACPI data
 * (type 3) when `acpi`, else reserved (type 2). */
struct boot_fw_blob {
	uint64_t gpa;
	const uint8_t *data;
	size_t size;
	const char *what;       /* plan label */
	bool acpi;
};

struct boot_input {
	const uint8_t *kernel;
	size_t kernel_size;
	const char *kernel_name;
	const char *cmdline;
	unsigned nmodules;
	const struct boot_module_input *modules;
	/* Linux only; Multiboot ignores the fields below. */
	const uint8_t *initrd;  /* NULL: no initrd */
	size_t initrd_size;
	const char *initrd_name;
	uint64_t kernel_addr;   /* 0: choose automatically */
	uint64_t initrd_addr;   /* 0: choose automatically */
	unsigned nfw;
	const struct boot_fw_blob *fw;
	uint64_t acpi_rsdp;     /* guest address of the ACPI RSDP; 0: none */
};

/* Adds an item; -1 if the plan is full or the item is inconsistent
 * (src_len > size, src NULL with src_len > 0, gpa + size beyond 2^64). */
int boot_plan_add(struct boot_plan *p, uint64_t gpa, uint64_t size, const uint8_t *src,
		  uint64_t src_len, const char *what);
/* Index of an item overlapping [gpa, gpa+size), or -1. */
int boot_plan_find_overlap(const struct boot_plan *p, uint64_t gpa, uint64_t size);
/* Lowest address >= min_gpa, aligned to `align` (power of two), such that
 * [addr, addr+size) is RAM, below `limit`, and overlaps no item. 0 if none
 * (address 0 is never handed out). */
uint64_t boot_plan_alloc(const struct boot_plan *p, const struct memmap *mm, uint64_t size,
			 uint64_t align, uint64_t min_gpa, uint64_t limit);
/* Copies every item into guest RAM (src_len bytes, then zeros up to size)
 * through the bounds-checked guest_mem helpers; -1 with a message if one
 * does not fit. */
int boot_plan_apply(const struct boot_plan *p, const struct guest_mem *gm, char *err,
		    size_t errlen);
void boot_plan_free(struct boot_plan *p);

#endif
