/* The guest-physical memory map of one VM: what the guest is told (e820 /
 * Multiboot mmap entries) and which ranges are backed by host memory
 * (KVM memory slots). One module that loaders and firmware tables read
 * (REQ-MEM-*). Pure data: no KVM, no allocation of guest RAM here. */
#ifndef KEEL_MEM_MEMMAP_H
#define KEEL_MEM_MEMMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

#define MEMMAP_MAX_ENTRIES  (CFG_MAX_REGIONS + 8)
#define MEMMAP_MAX_SLOTS    (CFG_MAX_REGIONS + 2)

/* e820 types, as in the ACPI spec and Multiboot mmap. */
enum memmap_type { MEMMAP_RAM = 1, MEMMAP_RESERVED = 2 };

struct memmap_entry {
	uint64_t base;
	uint64_t size;
	enum memmap_type type;
};

/* A range of guest-physical space backed by guest RAM (host memory). */
struct memmap_slot {
	uint64_t gpa;
	uint64_t size;
	uint64_t offset;        /* offset into the VM's memfd */
};

struct memmap {
	unsigned nentries;      /* sorted by base, non-overlapping */
	struct memmap_entry entries[MEMMAP_MAX_ENTRIES];
	unsigned nslots;        /* sorted by gpa, non-overlapping */
	struct memmap_slot slots[MEMMAP_MAX_SLOTS];
	uint64_t backing_size;  /* total bytes of guest RAM (sum of slot sizes) */
};

/* PC layout constants for `ram_mb` (REQ-MEM-003). */
#define MEMMAP_PC_LOW_RAM_END   0x9fc00ULL
#define MEMMAP_PC_HIGH_START    0x100000ULL
#define MEMMAP_PC_BELOW_4G_END  0xc0000000ULL   /* 3 GiB boundary */
#define MEMMAP_4G               0x100000000ULL

/* Builds the map from a validated VM config. Returns 0, or -1 with a
 * message (without file/line; the caller adds them) for an inconsistent map. */
int memmap_build(const struct vm_config *vm, struct memmap *mm, char *err, size_t errlen);

/* True when [gpa, gpa+len) lies wholly in RAM entries (usable memory). */
bool memmap_is_ram(const struct memmap *mm, uint64_t gpa, uint64_t len);
/* True when [gpa, gpa+len) lies wholly in backed slots (RAM or reserved-but-backed). */
bool memmap_is_backed(const struct memmap *mm, uint64_t gpa, uint64_t len);
/* Bytes of RAM starting at `gpa` without a gap (0 if gpa is not RAM). */
uint64_t memmap_contiguous_ram(const struct memmap *mm, uint64_t gpa);

const char *memmap_type_name(enum memmap_type t);

#endif
