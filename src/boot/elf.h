/* ELF32/ELF64 program-header reader for boot loaders (REQ-MB-006). Pure and
 * defensive: every offset and size from the file is checked. */
#ifndef KEEL_BOOT_ELF_H
#define KEEL_BOOT_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 32

struct elf_segment {
	uint64_t paddr;         /* load address (p_paddr) */
	uint64_t vaddr;
	uint64_t offset;        /* in the file */
	uint64_t filesz;
	uint64_t memsz;
};

struct elf_image {
	int elf_class;          /* 32 or 64 */
	uint64_t entry;         /* e_entry as in the file */
	unsigned nsegments;     /* PT_LOAD segments with memsz > 0 */
	struct elf_segment segments[ELF_MAX_SEGMENTS];
};

/* 1 if the buffer starts with the ELF magic, else 0. */
int elf_is_elf(const uint8_t *data, size_t size);
/* Parses an x86 (EM_386 / EM_X86_64) little-endian executable. 0 or -1 + err. */
int elf_parse(const uint8_t *data, size_t size, struct elf_image *out, char *err, size_t errlen);

#endif
