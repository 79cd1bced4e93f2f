/* ELF32/ELF64 program-header reader (REQ-MB-006, REQ-MB-007, REQ-MB-008).
 * Written from the System V ABI ELF specification. The image is hostile
 * input: fields are read byte by byte (no alignment assumptions, no host
 * struct overlays) and every offset/size is checked in 64-bit arithmetic.
 *
 * Only ET_EXEC is accepted. ET_DYN (position-independent) images have no
 * fixed physical load address; a Multiboot loader loads at p_paddr as
 * linked, so an ET_DYN image would land at whatever its link base says
 * (usually 0) by accident rather than by design. Refusing it is clearer. */
#include "boot/elf.h"

#include "util/errmsg.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define EI_NIDENT   16
#define EI_CLASS    4
#define EI_DATA     5
#define EI_VERSION  6
#define ELFCLASS32  1
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define EV_CURRENT  1
#define ET_EXEC     2
#define ET_DYN      3
#define EM_386      3
#define EM_X86_64   62
#define PT_LOAD     1
#define PN_XNUM     0xffffu

#define EHDR32_SIZE 52u
#define EHDR64_SIZE 64u
#define PHDR32_SIZE 32u
#define PHDR64_SIZE 56u


/* Little-endian readers; callers have checked the bounds. */
static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) | ((uint64_t)rd32(p + 4) << 32); }

int elf_is_elf(const uint8_t *data, size_t size)
{
	return data != NULL && size >= 4 && data[0] == 0x7f && data[1] == 'E' && data[2] == 'L' &&
	       data[3] == 'F';
}

/* One program header, widened to 64 bits. */
struct phdr {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

static void read_phdr(const uint8_t *p, int cls, struct phdr *ph)
{
	if (cls == 32) {
		ph->type = rd32(p);
		ph->offset = rd32(p + 4);
		ph->vaddr = rd32(p + 8);
		ph->paddr = rd32(p + 12);
		ph->filesz = rd32(p + 16);
		ph->memsz = rd32(p + 20);
	} else {
		ph->type = rd32(p);
		ph->offset = rd64(p + 8);
		ph->vaddr = rd64(p + 16);
		ph->paddr = rd64(p + 24);
		ph->filesz = rd64(p + 32);
		ph->memsz = rd64(p + 40);
	}
}

/* Checks one PT_LOAD header against the file and the address space
 * (2^32 for ELF32, 2^64 for ELF64). 0 or -1 + err. */
static int check_load(const struct phdr *ph, unsigned idx, int cls, uint64_t fsize, char *err,
		      size_t errlen)
{
	uint64_t space_max = cls == 32 ? 0xffffffffull : UINT64_MAX;

	if (ph->offset > fsize || ph->filesz > fsize - ph->offset) {
		errmsg_set(err, errlen,
			"ELF program header %u: file bytes [0x%llx, +0x%llx) lie beyond the end of "
			"the file (0x%llx bytes)",
			idx, (unsigned long long)ph->offset, (unsigned long long)ph->filesz,
			(unsigned long long)fsize);
		return -1;
	}
	if (ph->filesz > ph->memsz) {
		errmsg_set(err, errlen,
			"ELF program header %u: p_filesz 0x%llx is larger than p_memsz 0x%llx", idx,
			(unsigned long long)ph->filesz, (unsigned long long)ph->memsz);
		return -1;
	}
	/* The end address (exclusive) may equal the size of the space, but not exceed it. */
	if (ph->memsz > 0 && (ph->memsz - 1 > space_max - ph->paddr ||
			      ph->memsz - 1 > space_max - ph->vaddr)) {
		errmsg_set(err, errlen,
			"ELF program header %u: address range (p_paddr 0x%llx / p_vaddr 0x%llx, "
			"p_memsz 0x%llx) wraps around the %d-bit address space",
			idx, (unsigned long long)ph->paddr, (unsigned long long)ph->vaddr,
			(unsigned long long)ph->memsz, cls);
		return -1;
	}
	return 0;
}

int elf_parse(const uint8_t *data, size_t size, struct elf_image *out, char *err, size_t errlen)
{
	uint64_t fsize = (uint64_t)size;
	uint16_t type, machine, ehsize, phentsize, phnum;
	uint64_t phoff;
	int cls;

	if (out == NULL) {
		errmsg_set(err, errlen, "internal error: no output for the ELF reader");
		return -1;
	}
	memset(out, 0, sizeof(*out));
	if (!elf_is_elf(data, size)) {
		errmsg_set(err, errlen, "not an ELF file (no \\x7fELF magic)");
		return -1;
	}
	if (size < EI_NIDENT) {
		errmsg_set(err, errlen, "ELF file truncated: %zu bytes, e_ident needs 16", size);
		return -1;
	}
	if (data[EI_CLASS] == ELFCLASS32) {
		cls = 32;
	} else if (data[EI_CLASS] == ELFCLASS64) {
		cls = 64;
	} else {
		errmsg_set(err, errlen, "ELF class %u is neither ELFCLASS32 (1) nor ELFCLASS64 (2)",
			data[EI_CLASS]);
		return -1;
	}
	if (data[EI_DATA] != ELFDATA2LSB) {
		errmsg_set(err, errlen, "ELF data encoding %u is not little-endian (ELFDATA2LSB)",
			data[EI_DATA]);
		return -1;
	}
	if (data[EI_VERSION] != EV_CURRENT) {
		errmsg_set(err, errlen, "ELF version %u is not EV_CURRENT (1)", data[EI_VERSION]);
		return -1;
	}
	if (fsize < (cls == 32 ? EHDR32_SIZE : EHDR64_SIZE)) {
		errmsg_set(err, errlen, "ELF%d file truncated: %zu bytes, the ELF header needs %u", cls,
			size, cls == 32 ? EHDR32_SIZE : EHDR64_SIZE);
		return -1;
	}

	type = rd16(data + 16);
	machine = rd16(data + 18);
	if (cls == 32) {
		out->entry = rd32(data + 24);
		phoff = rd32(data + 28);
		ehsize = rd16(data + 40);
		phentsize = rd16(data + 42);
		phnum = rd16(data + 44);
	} else {
		out->entry = rd64(data + 24);
		phoff = rd64(data + 32);
		ehsize = rd16(data + 52);
		phentsize = rd16(data + 54);
		phnum = rd16(data + 56);
	}

	if (type == ET_DYN) {
		errmsg_set(err, errlen,
			"ELF type ET_DYN (position-independent) is not supported: link the kernel "
			"as ET_EXEC at its load address");
		return -1;
	}
	if (type != ET_EXEC) {
		errmsg_set(err, errlen, "ELF type %u is not an executable (ET_EXEC)", type);
		return -1;
	}
	if (cls == 32 && machine != EM_386) {
		errmsg_set(err, errlen, "ELF32 machine %u is not EM_386 (3)", machine);
		return -1;
	}
	if (cls == 64 && machine != EM_X86_64) {
		errmsg_set(err, errlen, "ELF64 machine %u is not EM_X86_64 (62)", machine);
		return -1;
	}
	if (ehsize < (cls == 32 ? EHDR32_SIZE : EHDR64_SIZE)) {
		errmsg_set(err, errlen, "ELF%d e_ehsize %u is smaller than the ELF header (%u)", cls,
			ehsize, cls == 32 ? EHDR32_SIZE : EHDR64_SIZE);
		return -1;
	}
	if (phnum == 0) {
		errmsg_set(err, errlen, "ELF file has no program headers");
		return -1;
	}
	if (phnum == PN_XNUM) {
		/* Extended numbering keeps the count in section 0; no kernel needs it. */
		errmsg_set(err, errlen, "ELF extended program header numbering (PN_XNUM) is not "
				     "supported");
		return -1;
	}
	if (phentsize < (cls == 32 ? PHDR32_SIZE : PHDR64_SIZE)) {
		errmsg_set(err, errlen, "ELF%d e_phentsize %u is smaller than a program header (%u)",
			cls, phentsize, cls == 32 ? PHDR32_SIZE : PHDR64_SIZE);
		return -1;
	}
	/* phnum * phentsize < 2^32, so only phoff can overflow the sum. */
	if (phoff > fsize || (uint64_t)phnum * phentsize > fsize - phoff) {
		errmsg_set(err, errlen,
			"ELF program headers (e_phoff 0x%llx, %u x %u bytes) lie beyond the end of "
			"the file (0x%llx bytes)",
			(unsigned long long)phoff, phnum, phentsize, (unsigned long long)fsize);
		return -1;
	}

	out->elf_class = cls;
	for (unsigned i = 0; i < phnum; i++) {
		struct phdr ph;
		struct elf_segment *s;

		read_phdr(data + phoff + (uint64_t)i * phentsize, cls, &ph);
		if (ph.type != PT_LOAD)
			continue;
		if (check_load(&ph, i, cls, fsize, err, errlen) != 0)
			return -1;
		if (ph.memsz == 0)
			continue;
		if (out->nsegments >= ELF_MAX_SEGMENTS) {
			errmsg_set(err, errlen, "ELF file has more than %d loadable segments",
				ELF_MAX_SEGMENTS);
			return -1;
		}
		s = &out->segments[out->nsegments++];
		s->paddr = ph.paddr;
		s->vaddr = ph.vaddr;
		s->offset = ph.offset;
		s->filesz = ph.filesz;
		s->memsz = ph.memsz;
	}
	if (out->nsegments == 0) {
		errmsg_set(err, errlen, "ELF file has no loadable (PT_LOAD) segment with p_memsz > 0");
		return -1;
	}
	return 0;
}
