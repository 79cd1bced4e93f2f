#include "mem/memmap.h"

#include <stdio.h>
#include <string.h>

static int add_entry(struct memmap *mm, uint64_t base, uint64_t size, enum memmap_type type)
{
	if (size == 0)
		return 0;
	if (mm->nentries >= MEMMAP_MAX_ENTRIES)
		return -1;
	mm->entries[mm->nentries++] = (struct memmap_entry){ base, size, type };
	return 0;
}

static int add_slot(struct memmap *mm, uint64_t gpa, uint64_t size)
{
	if (mm->nslots >= MEMMAP_MAX_SLOTS)
		return -1;
	mm->slots[mm->nslots++] = (struct memmap_slot){ gpa, size, mm->backing_size };
	mm->backing_size += size;
	return 0;
}

/* REQ-MEM-003: PC layout. Guest RAM below 1 MiB is backed whole (the hole
 * 0x9fc00..0x100000 is reported reserved, as on a PC, and gives firmware
 * tables a home later); RAM continues from 1 MiB to the 3 GiB boundary and
 * the remainder is placed above 4 GiB. */
static int build_pc(uint64_t ram_mb, struct memmap *mm)
{
	uint64_t total = ram_mb << 20;
	uint64_t low = total < MEMMAP_PC_BELOW_4G_END ? total : MEMMAP_PC_BELOW_4G_END;
	uint64_t high = total - low;

	if (add_slot(mm, 0, low) != 0)
		return -1;
	if (low <= MEMMAP_PC_LOW_RAM_END) {
		if (add_entry(mm, 0, low, MEMMAP_RAM) != 0)
			return -1;
	} else {
		uint64_t reserved_end = low < MEMMAP_PC_HIGH_START ? low : MEMMAP_PC_HIGH_START;

		if (add_entry(mm, 0, MEMMAP_PC_LOW_RAM_END, MEMMAP_RAM) != 0 ||
		    add_entry(mm, MEMMAP_PC_LOW_RAM_END, reserved_end - MEMMAP_PC_LOW_RAM_END,
			      MEMMAP_RESERVED) != 0 ||
		    (low > MEMMAP_PC_HIGH_START &&
		     add_entry(mm, MEMMAP_PC_HIGH_START, low - MEMMAP_PC_HIGH_START, MEMMAP_RAM) != 0))
			return -1;
	}
	if (high > 0) {
		if (add_slot(mm, MEMMAP_4G, high) != 0 || add_entry(mm, MEMMAP_4G, high, MEMMAP_RAM) != 0)
			return -1;
	}
	return 0;
}

int memmap_build(const struct vm_config *vm, struct memmap *mm, char *err, size_t errlen)
{
	unsigned order[CFG_MAX_REGIONS];

	memset(mm, 0, sizeof(*mm));
	if (vm->nregions == 0) {
		if (vm->ram_mb == 0 || vm->ram_mb > CFG_RAM_MB_MAX || build_pc(vm->ram_mb, mm) != 0) {
			snprintf(err, errlen, "ram_mb %llu cannot be laid out",
				 (unsigned long long)vm->ram_mb);
			return -1;
		}
		return 0;
	}
	if (vm->nregions > CFG_MAX_REGIONS) {
		snprintf(err, errlen, "too many regions (%u, at most %u)", vm->nregions,
			 (unsigned)CFG_MAX_REGIONS);
		return -1;
	}
	/* REQ-MEM-001: static map. Sort by base (insertion sort over at most 16)
	 * and re-check what the config parser checked: the map is the authority. */
	for (unsigned i = 0; i < vm->nregions; i++) {
		unsigned j = i;

		while (j > 0 && vm->regions[order[j - 1]].base > vm->regions[i].base) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
	for (unsigned k = 0; k < vm->nregions; k++) {
		const struct cfg_region *r = &vm->regions[order[k]];

		if (r->size == 0 || (r->base | r->size) % CFG_PAGE_SIZE != 0 ||
		    r->base > CFG_GPA_LIMIT || r->size > CFG_GPA_LIMIT - r->base) {
			snprintf(err, errlen, "region 0x%llx+0x%llx is empty, unaligned or too high",
				 (unsigned long long)r->base, (unsigned long long)r->size);
			return -1;
		}
		if (k > 0) {
			const struct memmap_entry *prev = &mm->entries[mm->nentries - 1];

			if (r->base < prev->base + prev->size) {
				snprintf(err, errlen, "region at 0x%llx overlaps region at 0x%llx",
					 (unsigned long long)r->base,
					 (unsigned long long)prev->base);
				return -1;
			}
		}
		if (add_entry(mm, r->base, r->size, MEMMAP_RAM) != 0 ||
		    add_slot(mm, r->base, r->size) != 0) {
			snprintf(err, errlen, "too many memory regions");
			return -1;
		}
	}
	return 0;
}

static bool range_in(const struct memmap *mm, uint64_t gpa, uint64_t len, bool ram_only)
{
	uint64_t end;

	if (len == 0 || gpa + len < gpa)
		return false;
	end = gpa + len;
	/* Entries and slots are sorted; walk them while the range stays covered
	 * by adjacent pieces. */
	if (ram_only) {
		for (unsigned i = 0; i < mm->nentries && gpa < end; i++) {
			const struct memmap_entry *e = &mm->entries[i];

			if (e->type != MEMMAP_RAM || gpa < e->base || gpa >= e->base + e->size)
				continue;
			gpa = e->base + e->size;
		}
	} else {
		for (unsigned i = 0; i < mm->nslots && gpa < end; i++) {
			const struct memmap_slot *s = &mm->slots[i];

			if (gpa < s->gpa || gpa >= s->gpa + s->size)
				continue;
			gpa = s->gpa + s->size;
		}
	}
	return gpa >= end;
}

bool memmap_is_ram(const struct memmap *mm, uint64_t gpa, uint64_t len)
{
	return range_in(mm, gpa, len, true);
}

bool memmap_is_backed(const struct memmap *mm, uint64_t gpa, uint64_t len)
{
	return range_in(mm, gpa, len, false);
}

uint64_t memmap_contiguous_ram(const struct memmap *mm, uint64_t gpa)
{
	uint64_t cur = gpa;

	for (unsigned i = 0; i < mm->nentries; i++) {
		const struct memmap_entry *e = &mm->entries[i];

		if (e->type == MEMMAP_RAM && cur >= e->base && cur < e->base + e->size)
			cur = e->base + e->size;
	}
	return cur - gpa;
}

const char *memmap_type_name(enum memmap_type t)
{
	switch (t) {
	case MEMMAP_RAM:
		return "ram";
	case MEMMAP_RESERVED:
		return "reserved";
	default:
		return "unknown";
	}
}
