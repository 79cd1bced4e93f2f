/* Multiboot 1 header (spec 0.6.96 section 3.1). Assembled twice:
 *   plain           ELF images: the loader takes addresses from the ELF
 *                   program headers, so only magic/flags/checksum.
 *   -DMB_AOUT_KLUDGE flat binary: flag bit 16 plus the address fields,
 *                   the only way a loader can place a file with no headers.
 * Both ask for page-aligned modules (bit 0) and memory info (bit 1). */

#define MB_HEADER_MAGIC   0x1BADB002
#define MB_PAGE_ALIGN     (1 << 0)
#define MB_MEMORY_INFO    (1 << 1)
#define MB_AOUT_KLUDGE_F  (1 << 16)

#ifdef MB_AOUT_KLUDGE
#define MB_FLAGS (MB_PAGE_ALIGN | MB_MEMORY_INFO | MB_AOUT_KLUDGE_F)
#else
#define MB_FLAGS (MB_PAGE_ALIGN | MB_MEMORY_INFO)
#endif

	/* link.ld puts .multiboot first in the image, well inside the 8 KiB
	 * the loader searches. */
	.section .multiboot, "a"
	.balign 4
	.globl mb_header
mb_header:
	.long MB_HEADER_MAGIC
	.long MB_FLAGS
	.long -(MB_HEADER_MAGIC + MB_FLAGS)
#ifdef MB_AOUT_KLUDGE
	.long mb_header         /* header_addr: ties file offset to address */
	.long __image_start     /* load_addr: first byte of the file */
	.long __load_end        /* load_end_addr: end of .data = end of file */
	.long __bss_end         /* bss_end_addr: loader zeroes up to here */
	.long _start            /* entry_addr */
#endif
