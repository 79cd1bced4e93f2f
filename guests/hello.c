/* hello: prints the Multiboot information in a fixed format the
 * integration tests compare line by line. */
#include "rt/rt.h"

static const char *str_or_none(bool present, uint32_t addr)
{
	return present && addr ? (const char *)phys(addr) : "(none)";
}

void kmain(uint32_t magic, uint32_t info_phys)
{
	const struct mb_info *mbi = phys(info_phys);

	printf("keel hello\n");
	printf("magic: 0x%08x\n", magic);
	if (magic != MB_BOOTLOADER_MAGIC) {
		printf("bad magic\n");
		guest_exit(1);
	}
	printf("cmdline: %s\n", str_or_none(mbi->flags & MBI_CMDLINE, mbi->cmdline));
	printf("loader: %s\n", str_or_none(mbi->flags & MBI_LOADER_NAME, mbi->boot_loader_name));
	if (mbi->flags & MBI_MEM) {
		printf("mem_lower: %u KiB\n", mbi->mem_lower);
		printf("mem_upper: %u KiB\n", mbi->mem_upper);
	} else {
		printf("mem_lower: (none)\nmem_upper: (none)\n");
	}
	if (mbi->flags & MBI_MMAP) {
		uint32_t off = 0;
		const struct mb_mmap_entry *e;
		for (int i = 0; i < MB_MMAP_MAX && (e = mb_mmap_next(mbi, &off)); i++)
			printf("mmap: base=0x%016llx len=0x%016llx type=%u\n",
			       (unsigned long long)e->base_addr,
			       (unsigned long long)e->length, e->type);
	}
	if (mbi->flags & MBI_MODS) {
		const struct mb_module *m = phys(mbi->mods_addr);
		for (uint32_t i = 0; i < mbi->mods_count; i++) {
			uint32_t size = m[i].mod_end - m[i].mod_start;
			const uint8_t *data = phys(m[i].mod_start);
			printf("module %u: start=0x%08x end=0x%08x size=%u cmdline=\"%s\" first=",
			       i, m[i].mod_start, m[i].mod_end, size,
			       m[i].cmdline ? (const char *)phys(m[i].cmdline) : "");
			for (uint32_t b = 0; b < size && b < 8; b++)
				printf("%02x", data[b]);
			printf("\n");
		}
	}
	printf("done\n");
	guest_exit(0);
}
