/* Guest RAM: host memory mapped MAP_SHARED|MAP_NORESERVE from one memfd per
 * VM, one mapping per memmap slot (REQ-MEM-004). Every access from keel to
 * guest memory goes through these bounds-checked helpers: a guest-supplied
 * address can never make keel touch host memory outside the guest's RAM. */
#ifndef KEEL_MEM_GUEST_MEM_H
#define KEEL_MEM_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem/memmap.h"

struct guest_mem_slot {
	uint64_t gpa;
	uint64_t size;
	uint8_t *hva;
};

struct guest_mem {
	int memfd;              /* -1 for memory from guest_mem_init_buffer */
	unsigned nslots;
	struct guest_mem_slot slots[MEMMAP_MAX_SLOTS];
	uint8_t *base;          /* start of the single host mapping */
	size_t size;
	bool owns_mapping;
};

/* Creates the memfd (named after the VM) and maps every slot of `mm`. */
int guest_mem_create(struct guest_mem *gm, const struct memmap *mm, const char *name,
		     char *err, size_t errlen);
/* Uses a caller-owned buffer of mm->backing_size bytes (unit tests, fuzzing). */
void guest_mem_init_buffer(struct guest_mem *gm, const struct memmap *mm, uint8_t *buf);
void guest_mem_destroy(struct guest_mem *gm);

/* Host pointer for [gpa, gpa+len) when it lies in one slot, else NULL. */
void *guest_mem_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len);
/* Copies that may span adjacent slots; -1 when any byte is not guest RAM. */
int guest_mem_write(const struct guest_mem *gm, uint64_t gpa, const void *src, uint64_t len);
int guest_mem_read(const struct guest_mem *gm, uint64_t gpa, void *dst, uint64_t len);
int guest_mem_fill(const struct guest_mem *gm, uint64_t gpa, uint8_t byte, uint64_t len);

#endif
