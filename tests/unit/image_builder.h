/* In-memory ELF image builder for loader tests (defined in test_elf.c). */
#ifndef KEEL_TEST_IMAGE_BUILDER_H
#define KEEL_TEST_IMAGE_BUILDER_H

#include <stddef.h>
#include <stdint.h>

struct mbt_seg {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

void mbt_put16(uint8_t *p, uint16_t v);
void mbt_put32(uint8_t *p, uint32_t v);
void mbt_put64(uint8_t *p, uint64_t v);
size_t mbt_elf(uint8_t *img, size_t cap, int cls, uint64_t entry, const struct mbt_seg *s,
	       unsigned n);

#endif
