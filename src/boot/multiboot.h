/* Multiboot 1 (specification 0.6.96) loader (REQ-MB-*). Pure: works on image
 * bytes and the memory map and produces a boot plan. */
#ifndef KEEL_BOOT_MULTIBOOT_H
#define KEEL_BOOT_MULTIBOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/boot.h"

#define MB_HEADER_MAGIC      0x1BADB002u
#define MB_BOOTLOADER_MAGIC  0x2BADB002u
#define MB_SEARCH_LIMIT      8192u

#define MB_FLAG_PAGE_ALIGN   (1u << 0)
#define MB_FLAG_MEMORY_INFO  (1u << 1)
#define MB_FLAG_VIDEO_MODE   (1u << 2)
#define MB_FLAG_AOUT_KLUDGE  (1u << 16)

/* Flags of the information structure keel sets. */
#define MBI_FLAG_MEM         (1u << 0)
#define MBI_FLAG_CMDLINE     (1u << 2)
#define MBI_FLAG_MODS        (1u << 3)
#define MBI_FLAG_MMAP        (1u << 6)
#define MBI_FLAG_LOADER_NAME (1u << 9)

struct mb_header {
	uint32_t offset;        /* file offset of the header */
	uint32_t magic, flags, checksum;
	/* valid when flags & MB_FLAG_AOUT_KLUDGE */
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
	/* valid when flags & MB_FLAG_VIDEO_MODE */
	uint32_t mode_type, width, height, depth;
};

/* Finds and checks the header: magic at a 32-bit aligned offset below
 * MB_SEARCH_LIMIT, checksum, and that the fields its flags imply lie in the
 * file. 0 on success; -1 with a message. */
int multiboot_find_header(const uint8_t *image, size_t size, struct mb_header *hdr,
			  char *err, size_t errlen);

/* Plans loading `in` into a VM with memory map `mm`: kernel parts, modules,
 * the information structure, and the entry state. 0, or -1 with err set.
 * `plan` is overwritten (free a previous plan first); on error it is left
 * empty. The plan points into in->kernel and the module data: keep them
 * alive until boot_plan_apply. Required feature flags are checked here,
 * not in multiboot_find_header. */
int multiboot_plan(const struct boot_input *in, const struct memmap *mm,
		   struct boot_plan *plan, struct boot_error *err);

/* True if the image has a valid Multiboot header (for protocol detection). */
bool multiboot_detect(const uint8_t *image, size_t size);

#endif
