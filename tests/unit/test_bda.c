#include "fw/bda.h"
#include "test.h"

static void pc_map(struct memmap *mm, uint64_t ram_mb)
{
	struct vm_config vm;
	char err[128];

	memset(&vm, 0, sizeof(vm));
	vm.ram_mb = ram_mb;
	memmap_build(&vm, mm, err, sizeof(err));
}

TEST(bda_pc_layout_values, "REQ-FW-001")
{
	struct memmap mm;
	struct boot_plan plan;
	static struct bda_image img;

	pc_map(&mm, 64);
	memset(&plan, 0, sizeof(plan));
	CHECK_EQ(bda_plan(&plan, &mm, &img), 1);
	CHECK_EQ(plan.nitems, 2);
	CHECK_EQ(plan.items[0].gpa, 0x400);
	CHECK_EQ(plan.items[0].size, 0x100);
	CHECK_EQ(plan.items[1].gpa, 0x9fc00);
	CHECK_EQ(img.bda[0x0e] | img.bda[0x0f] << 8, 0x9fc0);  /* EBDA segment */
	CHECK_EQ(img.bda[0x13] | img.bda[0x14] << 8, 639);     /* base memory KiB */
	CHECK_EQ(img.bda[0x00] | img.bda[0x01] << 8, 0x3f8);   /* COM1 */
	CHECK_EQ((img.bda[0x10] | img.bda[0x11] << 8) >> 9 & 7, 1);
	CHECK_EQ(img.ebda[0], 1);
}

TEST(bda_not_for_static_maps_or_kernel_overlap, "REQ-FW-001")
{
	struct memmap mm;
	struct boot_plan plan;
	static struct bda_image img;
	struct vm_config vm;
	char err[128];

	memset(&vm, 0, sizeof(vm));
	vm.nregions = 1;
	vm.regions[0].size = 0x4000000;
	CHECK_EQ(memmap_build(&vm, &mm, err, sizeof(err)), 0);
	memset(&plan, 0, sizeof(plan));
	CHECK_EQ(bda_plan(&plan, &mm, &img), 0);     /* static map: no BIOS data */
	CHECK_EQ(plan.nitems, 0);
	pc_map(&mm, 64);
	CHECK_EQ(boot_plan_add(&plan, 0x0, 0x1000, NULL, 0, "kernel at 0"), 0);
	CHECK_EQ(bda_plan(&plan, &mm, &img), 0);     /* the kernel owns page 0 */
	CHECK_EQ(plan.nitems, 1);
	memset(&plan, 0, sizeof(plan));
	plan.nitems = BOOT_MAX_ITEMS - 1;            /* room for one item only */
	CHECK_EQ(bda_plan(&plan, &mm, &img), -1);
}
