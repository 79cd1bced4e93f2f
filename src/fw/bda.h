/* BIOS Data Area and EBDA header for the PC layout (REQ-FW-001). PC kernels
 * (Xen, for one) read the base-memory size and the EBDA segment from the BDA
 * that a PC BIOS leaves at 0x400 to find free low memory; with zeros there
 * they compute addresses that wrap around 4 GiB. Static maps get no BDA: an
 * RTOS partition is told its memory by the boot protocol only. */
#ifndef KEEL_FW_BDA_H
#define KEEL_FW_BDA_H

#include <stdint.h>

#include "boot/boot.h"
#include "mem/memmap.h"

#define BDA_BASE       0x400u
#define BDA_SIZE       0x100u
#define EBDA_BASE      0x9fc00u
#define EBDA_SIZE      0x400u

#define BDA_COM1       0x00u   /* word: I/O base of COM1 */
#define BDA_EQUIPMENT  0x10u   /* word: bits 9-11 = number of serial ports */
#define BDA_EBDA_SEG   0x0eu   /* word: segment of the EBDA */
#define BDA_BASE_MEM   0x13u   /* word: KiB of base memory below the EBDA */

struct bda_image {
	uint8_t bda[BDA_SIZE];
	uint8_t ebda[EBDA_SIZE];
};

/* Fills `img` for memory map `mm` and adds it to `plan` when the map has
 * the PC low-memory layout and no kernel part occupies those bytes.
 * Returns 1 if added, 0 if not applicable, -1 if the plan is full. */
int bda_plan(struct boot_plan *plan, const struct memmap *mm, struct bda_image *img);

#endif
