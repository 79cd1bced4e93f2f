/* Multiboot 1 boot information (spec 0.6.96 section 3.3), the parts the
 * guests read. */
#ifndef GUEST_MULTIBOOT_H
#define GUEST_MULTIBOOT_H

#include <stddef.h>
#include <stdint.h>

#define MB_BOOTLOADER_MAGIC 0x2BADB002u

#define MBI_MEM          (1u << 0)
#define MBI_BOOTDEV      (1u << 1)
#define MBI_CMDLINE      (1u << 2)
#define MBI_MODS         (1u << 3)
#define MBI_AOUT_SYMS    (1u << 4)
#define MBI_ELF_SHDR     (1u << 5)
#define MBI_MMAP         (1u << 6)
#define MBI_DRIVES       (1u << 7)
#define MBI_CONFIG       (1u << 8)
#define MBI_LOADER_NAME  (1u << 9)
#define MBI_APM          (1u << 10)
#define MBI_VBE          (1u << 11)
#define MBI_FRAMEBUFFER  (1u << 12)
#define MBI_KNOWN_FLAGS  0x1fffu

#define MB_MMAP_RAM 1

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe_control_info, vbe_mode_info;
	uint16_t vbe_mode, vbe_interface_seg, vbe_interface_off, vbe_interface_len;
};
/* Size of the structure up to the VBE fields; the framebuffer fields
 * (flag bit 12) follow and are not used here. */
#define MB_INFO_SIZE 88
_Static_assert(sizeof(struct mb_info) == MB_INFO_SIZE, "layout");
_Static_assert(offsetof(struct mb_info, mmap_length) == 44, "layout");
_Static_assert(offsetof(struct mb_info, boot_loader_name) == 64, "layout");

struct mb_module {
	uint32_t mod_start, mod_end;
	uint32_t cmdline;
	uint32_t reserved;
};
_Static_assert(sizeof(struct mb_module) == 16, "layout");

/* 'size' excludes itself: the next entry is at (char *)e + e->size + 4. */
struct mb_mmap_entry {
	uint32_t size;
	uint64_t base_addr;
	uint64_t length;
	uint32_t type;
} __attribute__((packed));
_Static_assert(sizeof(struct mb_mmap_entry) == 24, "layout");

/* Upper bound on entries walked, so a corrupt map cannot loop forever. */
#define MB_MMAP_MAX 128

/* Walks the mmap buffer: returns the entry at *off and advances *off, or
 * NULL at the end (or if the next entry would not fit in mmap_length). */
const struct mb_mmap_entry *mb_mmap_next(const struct mb_info *mbi, uint32_t *off);
/* End of the run of type-1 (RAM) entries covering addr without a gap;
 * addr itself if addr is not in RAM. */
uint64_t mb_ram_end_from(const struct mb_info *mbi, uint64_t addr);

#endif
