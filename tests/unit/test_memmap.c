#include <stdlib.h>
#include <unistd.h>

#include "mem/guest_mem.h"
#include "mem/memmap.h"
#include "test.h"

static struct vm_config static_vm(unsigned n, const uint64_t (*r)[2])
{
	struct vm_config vm;

	memset(&vm, 0, sizeof(vm));
	vm.nregions = n;
	for (unsigned i = 0; i < n; i++) {
		vm.regions[i].base = r[i][0];
		vm.regions[i].size = r[i][1];
	}
	return vm;
}

TEST(memmap_static_single_region, "REQ-MEM-001 REQ-MEM-002")
{
	static const uint64_t r[][2] = { { 0, 0x40000000 } };
	struct vm_config vm = static_vm(1, r);
	struct memmap mm;
	char err[128];

	CHECK_EQ(memmap_build(&vm, &mm, err, sizeof(err)), 0);
	CHECK_EQ(mm.nentries, 1);
	CHECK_EQ(mm.entries[0].base, 0);
	CHECK_EQ(mm.entries[0].size, 0x40000000);
	CHECK_EQ(mm.entries[0].type, MEMMAP_RAM);
	CHECK_EQ(mm.nslots, 1);
	CHECK_EQ(mm.slots[0].gpa, 0);
	CHECK_EQ(mm.backing_size, 0x40000000);
	CHECK(memmap_is_ram(&mm, 0, 0x40000000));
	CHECK(!memmap_is_ram(&mm, 0x3ffff000, 0x2000));
	CHECK(!memmap_is_ram(&mm, 0x40000000, 1));
}

TEST(memmap_static_sorted_with_gaps, "REQ-MEM-001 REQ-MEM-002")
{
	/* Given out of order; the map is sorted and keeps the gap. */
	static const uint64_t r[][2] = { { 0x200000000ULL, 0x100000 }, { 0x100000, 0x100000 },
					 { 0x200000, 0x1000 } };
	struct vm_config vm = static_vm(3, r);
	struct memmap mm;
	char err[128];

	CHECK_EQ(memmap_build(&vm, &mm, err, sizeof(err)), 0);
	CHECK_EQ(mm.nentries, 3);
	CHECK_EQ(mm.entries[0].base, 0x100000);
	CHECK_EQ(mm.entries[1].base, 0x200000);
	CHECK_EQ(mm.entries[2].base, 0x200000000ULL);
	CHECK_EQ(mm.slots[1].offset, 0x100000);
	CHECK_EQ(mm.slots[2].offset, 0x101000);
	CHECK_EQ(mm.backing_size, 0x201000);
	/* Adjacent regions form one contiguous stretch; a gap ends it. */
	CHECK(memmap_is_ram(&mm, 0x1ff000, 0x2000));
	CHECK(!memmap_is_ram(&mm, 0x200000, 0x2000));
	CHECK_EQ(memmap_contiguous_ram(&mm, 0x100000), 0x101000);
	CHECK_EQ(memmap_contiguous_ram(&mm, 0), 0);
	CHECK(!memmap_is_ram(&mm, 0x100000, 0));
	CHECK(!memmap_is_ram(&mm, UINT64_MAX, 2));
}

TEST(memmap_static_rejects_bad_regions, "REQ-MEM-002")
{
	static const uint64_t overlap[][2] = { { 0, 0x200000 }, { 0x100000, 0x1000 } };
	static const uint64_t unaligned[][2] = { { 0x800, 0x1000 } };
	static const uint64_t empty[][2] = { { 0, 0 } };
	static const uint64_t high[][2] = { { CFG_GPA_LIMIT, 0x1000 } };
	struct vm_config vm;
	struct memmap mm;
	char err[128];

	vm = static_vm(2, overlap);
	CHECK_EQ(memmap_build(&vm, &mm, err, sizeof(err)), -1);
	CHECK_STR_CONTAINS(err, "overlaps");
	vm = static_vm(1, unaligned);
	CHECK_EQ(memmap_build(&vm, &mm, err, sizeof(err)), -1);
	vm = static_vm(1, empty);
	CHECK_EQ(memmap_build(&vm, &mm, err, sizeof(err)), -1);
	vm = static_vm(1, high);
	CHECK_EQ(memmap_build(&vm, &mm, err, sizeof(err)), -1);
	vm = static_vm(1, empty);
	vm.nregions = CFG_MAX_REGIONS + 1;
	CHECK_EQ(memmap_build(&vm, &mm, err, sizeof(err)), -1);
	memset(&vm, 0, sizeof(vm));
	CHECK_EQ(memmap_build(&vm, &mm, err, sizeof(err)), -1); /* neither regions nor ram_mb */
}

TEST(memmap_pc_layout_small, "REQ-MEM-003")
{
	struct vm_config vm;
	struct memmap mm;
	char err[128];

	memset(&vm, 0, sizeof(vm));
	vm.ram_mb = 256;
	CHECK_EQ(memmap_build(&vm, &mm, err, sizeof(err)), 0);
	CHECK_EQ(mm.nentries, 3);
	CHECK_EQ(mm.entries[0].base, 0);
	CHECK_EQ(mm.entries[0].size, 0x9fc00);
	CHECK_EQ(mm.entries[0].type, MEMMAP_RAM);
	CHECK_EQ(mm.entries[1].base, 0x9fc00);
	CHECK_EQ(mm.entries[1].size, 0x100000 - 0x9fc00);
	CHECK_EQ(mm.entries[1].type, MEMMAP_RESERVED);
	CHECK_EQ(mm.entries[2].base, 0x100000);
	CHECK_EQ(mm.entries[2].size, (256ULL << 20) - 0x100000);
	CHECK_EQ(mm.nslots, 1);
	CHECK_EQ(mm.backing_size, 256ULL << 20);
	CHECK(memmap_is_backed(&mm, 0x9f000, 0x2000));
	CHECK(!memmap_is_ram(&mm, 0x9f000, 0x2000));
	CHECK_EQ(memmap_contiguous_ram(&mm, 0), 0x9fc00);
	CHECK_EQ(memmap_contiguous_ram(&mm, 0x100000), (256ULL << 20) - 0x100000);
}

TEST(memmap_pc_layout_above_4g, "REQ-MEM-003")
{
	struct vm_config vm;
	struct memmap mm;
	char err[128];

	memset(&vm, 0, sizeof(vm));
	vm.ram_mb = 4096;
	CHECK_EQ(memmap_build(&vm, &mm, err, sizeof(err)), 0);
	CHECK_EQ(mm.nentries, 4);
	CHECK_EQ(mm.entries[2].base, 0x100000);
	CHECK_EQ(mm.entries[2].size, 0xc0000000ULL - 0x100000);
	CHECK_EQ(mm.entries[3].base, 0x100000000ULL);
	CHECK_EQ(mm.entries[3].size, 0x40000000ULL);
	CHECK_EQ(mm.nslots, 2);
	CHECK_EQ(mm.slots[1].gpa, 0x100000000ULL);
	CHECK_EQ(mm.slots[1].offset, 0xc0000000ULL);
	CHECK(!memmap_is_backed(&mm, 0xc0000000ULL, 1));
	CHECK_EQ(mm.backing_size, 4096ULL << 20);
}

TEST(memmap_pc_layout_tiny, "REQ-MEM-003")
{
	struct vm_config vm;
	struct memmap mm;
	char err[128];

	memset(&vm, 0, sizeof(vm));
	vm.ram_mb = 1; /* all of it below 1 MiB: RAM then the reserved hole */
	CHECK_EQ(memmap_build(&vm, &mm, err, sizeof(err)), 0);
	CHECK_EQ(mm.nentries, 2);
	CHECK_EQ(mm.entries[1].type, MEMMAP_RESERVED);
	CHECK_EQ(mm.entries[1].base + mm.entries[1].size, 0x100000);
	vm.ram_mb = CFG_RAM_MB_MAX + 1;
	CHECK_EQ(memmap_build(&vm, &mm, err, sizeof(err)), -1);
	CHECK(strcmp(memmap_type_name(MEMMAP_RAM), "ram") == 0);
	CHECK(strcmp(memmap_type_name(MEMMAP_RESERVED), "reserved") == 0);
	CHECK(strcmp(memmap_type_name((enum memmap_type)7), "unknown") == 0);
}

TEST(guest_mem_bounds, "REQ-MEM-005")
{
	static const uint64_t r[][2] = { { 0x1000, 0x2000 }, { 0x3000, 0x1000 }, { 0x10000, 0x1000 } };
	struct vm_config vm = static_vm(3, r);
	struct memmap mm;
	struct guest_mem gm;
	uint8_t *buf, tmp[0x3000];
	char err[128];

	CHECK_EQ(memmap_build(&vm, &mm, err, sizeof(err)), 0);
	buf = calloc(1, mm.backing_size);
	CHECK(buf != NULL);
	guest_mem_init_buffer(&gm, &mm, buf);
	CHECK(guest_mem_ptr(&gm, 0x1000, 0x2000) == buf);
	CHECK(guest_mem_ptr(&gm, 0x2fff, 2) == NULL); /* spans two slots */
	CHECK(guest_mem_ptr(&gm, 0x0, 1) == NULL);
	CHECK(guest_mem_ptr(&gm, 0x10000, UINT64_MAX) == NULL);
	/* Writes spanning adjacent slots work; any byte outside fails whole. */
	memset(tmp, 0xab, sizeof(tmp));
	CHECK_EQ(guest_mem_write(&gm, 0x2800, tmp, 0x1000), 0);
	CHECK_EQ(buf[0x1800], 0xab);
	CHECK_EQ(buf[0x27ff], 0xab);
	CHECK_EQ(guest_mem_write(&gm, 0x3800, tmp, 0x1000), -1);
	CHECK_EQ(buf[0x2800], 0); /* untouched: all-or-nothing */
	CHECK_EQ(guest_mem_write(&gm, UINT64_MAX - 1, tmp, 4), -1);
	CHECK_EQ(guest_mem_fill(&gm, 0x10000, 0x5a, 0x1000), 0);
	CHECK_EQ(buf[0x3000], 0x5a);
	CHECK_EQ(guest_mem_read(&gm, 0x10ff0, tmp, 0x10), 0);
	CHECK_EQ(tmp[0], 0x5a);
	CHECK_EQ(guest_mem_read(&gm, 0x10ff0, tmp, 0x11), -1);
	CHECK_EQ(guest_mem_fill(&gm, 0x4000, 0, 1), -1);
	guest_mem_destroy(&gm);
	free(buf);
}

TEST(guest_mem_memfd_mapping, "REQ-MEM-004")
{
	static const uint64_t r[][2] = { { 0x0, 0x10000 }, { 0x100000000ULL, 0x10000 } };
	struct vm_config vm = static_vm(2, r);
	struct memmap mm;
	struct guest_mem gm;
	char err[128];
	uint32_t v = 0x12345678, back = 0;

	CHECK_EQ(memmap_build(&vm, &mm, err, sizeof(err)), 0);
	CHECK_EQ(guest_mem_create(&gm, &mm, "unit", err, sizeof(err)), 0);
	CHECK(gm.memfd >= 0);
	CHECK_EQ(gm.nslots, 2);
	CHECK(gm.slots[1].hva == gm.slots[0].hva + 0x10000);
	CHECK_EQ(guest_mem_write(&gm, 0x100000000ULL + 0xfffc, &v, 4), 0);
	CHECK_EQ(guest_mem_read(&gm, 0x100000000ULL + 0xfffc, &back, 4), 0);
	CHECK_EQ(back, 0x12345678);
	/* The memfd holds the same bytes: guest RAM is shareable. */
	CHECK_EQ(pread(gm.memfd, &back, 4, 0x1fffc), 4);
	CHECK_EQ(back, 0x12345678);
	guest_mem_destroy(&gm);
	CHECK_EQ(gm.memfd, -1);
}
