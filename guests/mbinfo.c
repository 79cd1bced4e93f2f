/* mbinfo: validates the Multiboot information structure, partly against
 * fixed rules of the spec and of keel, partly against expectations passed
 * in its own command line:
 *   mods=N mem_lower=KiB mem_upper=KiB mmap=N ram=KiB modN=<cmdline>
 *   loader=<name> (default "keel")
 * A key that is not given is not checked. */
#include "rt/rt.h"

#define MAX_REGIONS 48

struct region {
	char name[24];
	uint64_t start, end; /* [start, end) */
};

static struct region regions[MAX_REGIONS];
static unsigned nregions;

static void add_region(const char *name, uint64_t start, uint64_t len)
{
	if (len == 0 || nregions == MAX_REGIONS)
		return;
	struct region *r = &regions[nregions++];
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->start = start;
	r->end = start + len;
}

/* Checks got against key=<N> from the command line, if the key is there. */
static void expect_u32(const char *cl, const char *key, uint64_t got)
{
	uint32_t want = 0;
	int r = cmdline_u32(cl, key, &want);

	if (r < 0)
		check(false, key, "bad value for %s= in the command line", key);
	else if (r > 0)
		check(got == want, key, "got %llu, expected %u", (unsigned long long)got, want);
}

static const char *str_at(uint32_t addr)
{
	return addr ? (const char *)phys(addr) : "";
}

static void check_mmap(const struct mb_info *mbi, const char *cl)
{
	const struct mb_mmap_entry *e[MB_MMAP_MAX];
	unsigned n = 0, bad_size = 0, unsorted = 0, overlaps = 0;
	uint32_t off = 0;
	uint64_t ram = 0;

	while (n < MB_MMAP_MAX && (e[n] = mb_mmap_next(mbi, &off)))
		n++;
	for (unsigned i = 0; i < n; i++) {
		bad_size += e[i]->size != 20;
		if (e[i]->type == MB_MMAP_RAM)
			ram += e[i]->length;
		if (i && e[i]->base_addr < e[i - 1]->base_addr)
			unsorted++;
		for (unsigned j = 0; j < i; j++)
			overlaps += e[i]->base_addr < e[j]->base_addr + e[j]->length &&
				    e[j]->base_addr < e[i]->base_addr + e[i]->length;
	}
	check(bad_size == 0, "mmap entry size 20", "%u entries with another size", bad_size);
	check(off == mbi->mmap_length, "mmap length", "entries cover %u of %u bytes",
	      off, mbi->mmap_length);
	check(unsorted == 0, "mmap sorted", "%u entries below their predecessor", unsorted);
	check(overlaps == 0, "mmap no overlap", "%u overlapping pairs", overlaps);
	expect_u32(cl, "mmap", n);
	expect_u32(cl, "ram", ram / 1024);
	if (mbi->flags & MBI_MEM) {
		/* mem_lower/mem_upper may understate, never overstate, the RAM
		 * that starts at 0 and at 1 MiB. */
		uint64_t low = mb_ram_end_from(mbi, 0);
		uint64_t up = mb_ram_end_from(mbi, 0x100000) - 0x100000;
		check(mbi->mem_lower <= 640 && mbi->mem_lower * 1024ull <= low, "mem_lower vs mmap",
		      "mem_lower %u KiB, RAM at 0 is %llu KiB", mbi->mem_lower,
		      (unsigned long long)(low / 1024));
		check(mbi->mem_upper * 1024ull <= up, "mem_upper vs mmap",
		      "mem_upper %u KiB, RAM at 1 MiB is %llu KiB", mbi->mem_upper,
		      (unsigned long long)(up / 1024));
	}
}

static void check_mods(const struct mb_info *mbi, const char *cl)
{
	const struct mb_module *m = phys(mbi->mods_addr);
	char what[40], key[16], want[128];

	add_region("mods array", mbi->mods_addr, (uint64_t)mbi->mods_count * sizeof(*m));
	for (uint32_t i = 0; i < mbi->mods_count && i < 16; i++) {
		snprintf(what, sizeof(what), "module %u aligned", i);
		check((m[i].mod_start & 0xfff) == 0, what, "start 0x%08x", m[i].mod_start);
		snprintf(what, sizeof(what), "module %u nonempty", i);
		check(m[i].mod_end > m[i].mod_start, what, "start 0x%08x end 0x%08x",
		      m[i].mod_start, m[i].mod_end);
		snprintf(key, sizeof(key), "mod%u", i);
		if (cmdline_get(cl, key, want, sizeof(want))) {
			snprintf(what, sizeof(what), "module %u cmdline", i);
			check(strcmp(str_at(m[i].cmdline), want) == 0, what,
			      "got \"%s\", expected \"%s\"", str_at(m[i].cmdline), want);
		}
		if (m[i].mod_end > m[i].mod_start) {
			snprintf(what, sizeof(what), "module %u", i);
			add_region(what, m[i].mod_start, m[i].mod_end - m[i].mod_start);
		}
		if (m[i].cmdline) {
			snprintf(what, sizeof(what), "module %u cmdline", i);
			add_region(what, m[i].cmdline, strlen(str_at(m[i].cmdline)) + 1);
		}
	}
}

/* Every structure must be in RAM and overlap nothing else, including us. */
static void check_placement(const struct mb_info *mbi)
{
	char what[40];

	for (unsigned i = 0; i < nregions; i++) {
		const struct region *r = &regions[i];
		const char *other = NULL;
		for (unsigned j = 0; j < nregions && !other; j++)
			if (j != i && r->start < regions[j].end && regions[j].start < r->end)
				other = regions[j].name;
		snprintf(what, sizeof(what), "placement %s", r->name);
		if (!(mbi->flags & MBI_MMAP))
			check(false, what, "no memory map");
		else if (mb_ram_end_from(mbi, r->start) < r->end)
			check(false, what, "0x%llx-0x%llx not in RAM",
			      (unsigned long long)r->start, (unsigned long long)r->end);
		else
			check(!other, what, "0x%llx-0x%llx overlaps %s", (unsigned long long)r->start,
			      (unsigned long long)r->end, other);
	}
}

void kmain(uint32_t magic, uint32_t info_phys)
{
	const struct mb_info *mbi = phys(info_phys);
	const char *cl = NULL;
	char want[64];
	uint32_t want_mods = 0;

	if (!check(magic == MB_BOOTLOADER_MAGIC, "magic", "0x%08x", magic) ||
	    !check(info_phys != 0, "info pointer", "null"))
		check_finish("mbinfo");
	if (mbi->flags & MBI_CMDLINE)
		cl = str_at(mbi->cmdline);
	cmdline_u32(cl, "mods", &want_mods);

	check(mbi->flags & MBI_MEM, "flags.mem", "flags=0x%08x", mbi->flags);
	check(mbi->flags & MBI_CMDLINE, "flags.cmdline", "flags=0x%08x", mbi->flags);
	check(mbi->flags & MBI_MMAP, "flags.mmap", "flags=0x%08x", mbi->flags);
	check(mbi->flags & MBI_LOADER_NAME, "flags.loader_name", "flags=0x%08x", mbi->flags);
	if (want_mods > 0)
		check(mbi->flags & MBI_MODS, "flags.mods", "flags=0x%08x", mbi->flags);
	check(!(mbi->flags & ~MBI_KNOWN_FLAGS), "flags known", "flags=0x%08x", mbi->flags);

	add_region("image", (uintptr_t)__image_start, (uintptr_t)(__image_end - __image_start));
	add_region("info", info_phys, MB_INFO_SIZE);
	if (cl)
		add_region("cmdline", mbi->cmdline, strlen(cl) + 1);

	if (!cmdline_get(cl, "loader", want, sizeof(want)))
		snprintf(want, sizeof(want), "keel");
	if (mbi->flags & MBI_LOADER_NAME) {
		const char *name = str_at(mbi->boot_loader_name);
		check(strcmp(name, want) == 0, "loader name", "got \"%s\", expected \"%s\"", name, want);
		add_region("loader name", mbi->boot_loader_name, strlen(name) + 1);
	} else {
		check(false, "loader name", "flag 9 clear");
	}

	if (mbi->flags & MBI_MEM) {
		expect_u32(cl, "mem_lower", mbi->mem_lower);
		expect_u32(cl, "mem_upper", mbi->mem_upper);
	}
	if (mbi->flags & MBI_MMAP) {
		add_region("mmap", mbi->mmap_addr, mbi->mmap_length);
		check_mmap(mbi, cl);
	}

	/* without flag 3 there are no modules, whatever mods_count says */
	expect_u32(cl, "mods", (mbi->flags & MBI_MODS) ? mbi->mods_count : 0);
	if (mbi->flags & MBI_MODS)
		check_mods(mbi, cl);

	check_placement(mbi);
	check_finish("mbinfo");
}
