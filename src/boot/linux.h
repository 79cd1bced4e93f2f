/* Linux x86 boot protocol loader for bzImage kernels (REQ-LNX-*), written
 * from Documentation/arch/x86/boot.rst and zero-page.rst. Pure: image bytes
 * and the memory map in, a boot plan out; nothing here touches KVM.
 *
 * keel uses the 64-bit boot protocol only: it does not run the real-mode
 * setup code, it builds the zero page (struct boot_params) itself and
 * enters the kernel's 64-bit entry point (load address + 0x200).
 *
 * Entry state the vCPU must be given for BOOT_ENTRY_LONG64 (kvm.c):
 *   CR0   = PE | MP | ET | NE | WP | PG            (0x80010033)
 *   CR4   = PAE                                    (0x20)
 *   EFER  = LME | LMA                              (0x500)
 *   CR3   = entry.cr3 (PML4 of an identity map with 2 MiB pages covering
 *           [0, 4 GiB) and every planned item above 4 GiB)
 *   GDTR  = entry.gdt_base / entry.gdt_limit (4 descriptors, see below)
 *   IDTR  = base 0, limit 0 (interrupts stay off until the kernel loads one)
 *   CS    = 0x10 (__BOOT_CS): base 0, limit 0xfffff pages (G=1), type 0xb
 *           (execute/read, accessed), S=1, DPL 0, P=1, L=1, D=0
 *   DS = ES = SS = FS = GS = 0x18 (__BOOT_DS): base 0, limit 4 GiB (G=1),
 *           type 0x3 (read/write, accessed), S=1, DPL 0, P=1, D/B=1, L=0
 *   TR    = selector 0, base 0, limit 0x67, type 0xb (busy 64-bit TSS), P=1
 *           (never used by the kernel's entry code; VMX needs a usable TR)
 *   LDTR  = unusable
 *   RFLAGS = 0x2 (IF = 0)
 *   RIP   = entry.rip (kernel load address + 0x200)
 *   RSI   = entry.rsi (zero page), RSP = entry.rsp (top of a 4 KiB boot
 *           stack keel plans; the kernel sets up its own at once), every
 *           other general register 0.
 * The GDT keel plans holds: 0x00 null, 0x08 null, 0x10 = 0x00af9a000000ffff
 * (64-bit code), 0x18 = 0x00cf92000000ffff (flat data). */
#ifndef KEEL_BOOT_LINUX_H
#define KEEL_BOOT_LINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "boot/boot.h"

/* Setup header (boot.rst, "The Real-Mode Kernel Header"): file offsets,
 * which are also the offsets in the zero page. */
#define LINUX_HDR_START          0x1f1u
#define LINUX_OFF_SETUP_SECTS    0x1f1u
#define LINUX_OFF_SYSSIZE        0x1f4u
#define LINUX_OFF_VID_MODE       0x1fau
#define LINUX_OFF_BOOT_FLAG      0x1feu
#define LINUX_OFF_JUMP           0x200u
#define LINUX_OFF_HEADER         0x202u
#define LINUX_OFF_VERSION        0x206u
#define LINUX_OFF_REALMODE_SWTCH 0x208u
#define LINUX_OFF_KERNEL_VERSION 0x20eu
#define LINUX_OFF_TYPE_OF_LOADER 0x210u
#define LINUX_OFF_LOADFLAGS      0x211u
#define LINUX_OFF_CODE32_START   0x214u
#define LINUX_OFF_RAMDISK_IMAGE  0x218u
#define LINUX_OFF_RAMDISK_SIZE   0x21cu
#define LINUX_OFF_HEAP_END_PTR   0x224u
#define LINUX_OFF_EXT_LOADER_VER 0x226u
#define LINUX_OFF_EXT_LOADER_TYPE 0x227u
#define LINUX_OFF_CMD_LINE_PTR   0x228u
#define LINUX_OFF_INITRD_ADDR_MAX 0x22cu
#define LINUX_OFF_KERNEL_ALIGN   0x230u
#define LINUX_OFF_RELOCATABLE    0x234u
#define LINUX_OFF_MIN_ALIGN      0x235u
#define LINUX_OFF_XLOADFLAGS     0x236u
#define LINUX_OFF_CMDLINE_SIZE   0x238u
#define LINUX_OFF_HW_SUBARCH     0x23cu
#define LINUX_OFF_HW_SUBARCH_DATA 0x240u
#define LINUX_OFF_SETUP_DATA     0x250u
#define LINUX_OFF_PREF_ADDRESS   0x258u
#define LINUX_OFF_INIT_SIZE      0x260u

/* Zero page (struct boot_params) fields outside the setup header
 * (zero-page.rst). */
#define LINUX_ZP_ACPI_RSDP       0x070u
#define LINUX_ZP_EXT_RAMDISK_IMAGE 0x0c0u
#define LINUX_ZP_EXT_RAMDISK_SIZE 0x0c4u
#define LINUX_ZP_EXT_CMD_LINE_PTR 0x0c8u
#define LINUX_ZP_E820_ENTRIES    0x1e8u
#define LINUX_ZP_SENTINEL        0x1efu
#define LINUX_ZP_E820_TABLE      0x2d0u
#define LINUX_ZP_SIZE            0x1000u
#define LINUX_E820_MAX           128u
#define LINUX_E820_ENTRY_SIZE    20u
/* The setup header's room in the zero page ends where edd_mbr_sig_buffer begins. */
#define LINUX_HDR_ROOM_END       0x290u

#define LINUX_BOOT_FLAG          0xaa55u
#define LINUX_HDRS_MAGIC         0x53726448u   /* "HdrS" */
#define LINUX_MIN_VERSION        0x020cu       /* 2.12: xloadflags */
#define LINUX_LOADED_HIGH        0x01u
#define LINUX_QUIET_FLAG         0x20u
#define LINUX_CAN_USE_HEAP       0x80u
#define LINUX_XLF_KERNEL_64      0x0001u
#define LINUX_XLF_ABOVE_4G       0x0002u       /* XLF_CAN_BE_LOADED_ABOVE_4G */
#define LINUX_LOADER_TYPE        0xffu         /* "undefined": keel has no assigned ID */
#define LINUX_ENTRY64_OFFSET     0x200u

/* e820 types in the zero page. */
#define LINUX_E820_RAM           1u
#define LINUX_E820_RESERVED      2u
#define LINUX_E820_ACPI          3u

/* Descriptors of the GDT keel plans (boot.rst "64-bit Boot Protocol"). */
#define LINUX_BOOT_CS            0x10u
#define LINUX_BOOT_DS            0x18u
#define LINUX_GDT_CODE64         0x00af9a000000ffffULL
#define LINUX_GDT_DATA           0x00cf92000000ffffULL
#define LINUX_GDT_SIZE           32u

/* Entry control registers for BOOT_ENTRY_LONG64 (see the comment above). */
#define LINUX_ENTRY_CR0          0x80010033ULL
#define LINUX_ENTRY_CR4          0x20ULL
#define LINUX_ENTRY_EFER         0x500ULL

/* Most 4 KiB paging-structure pages the identity map may take. */
#define LINUX_PT_MAX_PAGES       64u
#define LINUX_STACK_SIZE         0x1000u

/* What keel read from a bzImage's setup header (all values checked). */
struct linux_header {
	uint16_t version;           /* (major << 8) | minor */
	unsigned setup_sects;       /* after "0 means 4" */
	uint64_t setup_size;        /* (setup_sects + 1) * 512: file offset of the kernel */
	uint64_t kernel_size;       /* file bytes after the setup code (loaded) */
	unsigned hdr_end;           /* 0x202 + jump offset: end of the setup header */
	uint32_t syssize;           /* 16-byte paragraphs */
	uint8_t loadflags;
	uint16_t xloadflags;
	bool relocatable;
	uint32_t kernel_alignment;
	uint8_t min_alignment;      /* log2; 0 = not given */
	uint32_t initrd_addr_max;   /* highest byte address an initrd may occupy */
	uint32_t cmdline_size;      /* longest command line, without the NUL */
	uint64_t pref_address;
	uint32_t init_size;
	uint32_t code32_start;
	char kernel_version[64];    /* printable, "" if absent or unreadable */
};

/* Checks and reads the setup header. 0, or -1 with a one-line message
 * naming the field and the rule. */
int linux_parse_header(const uint8_t *img, size_t size, struct linux_header *h, char *err,
		       size_t errlen);

/* True when the image has the 0xAA55 boot flag and "HdrS" (a bzImage-style
 * header; it may still be refused by linux_parse_header). */
bool linux_detect(const uint8_t *img, size_t size);

/* Plans loading `in` into a VM with memory map `mm`: firmware blobs, the
 * protected-mode kernel, the initrd, the command line, the zero page, an
 * identity map, a GDT, a boot stack and the 64-bit entry state. 0, or -1
 * with err set (the source names the config key); a refused plan is empty.
 * The plan points into in->kernel, in->initrd and the blobs' data: keep
 * them alive until boot_plan_apply. */
int linux_plan(const struct boot_input *in, const struct memmap *mm, struct boot_plan *plan,
	       struct boot_error *err);

/* Prints what `keel check` shows about the kernel: one line per fact,
 * each starting with `indent`. */
void linux_describe(const struct linux_header *h, const char *indent, FILE *out);

#endif
