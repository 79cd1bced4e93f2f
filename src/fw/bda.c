#include "fw/bda.h"

#include <string.h>

#include "dev/uart16550.h"
#include "util/le.h"

int bda_plan(struct boot_plan *plan, const struct memmap *mm, struct bda_image *img)
{
	/* The PC layout: usable RAM up to the EBDA, the EBDA reserved. */
	if (memmap_contiguous_ram(mm, 0) != EBDA_BASE || memmap_is_ram(mm, EBDA_BASE, 1) ||
	    !memmap_is_backed(mm, EBDA_BASE, EBDA_SIZE))
		return 0;
	/* A kernel loaded over these bytes owns them. */
	if (boot_plan_find_overlap(plan, BDA_BASE, BDA_SIZE) >= 0 ||
	    boot_plan_find_overlap(plan, EBDA_BASE, EBDA_SIZE) >= 0)
		return 0;
	memset(img, 0, sizeof(*img));
	le_put16(img->bda + BDA_COM1, UART_COM1_BASE);
	le_put16(img->bda + BDA_EQUIPMENT, 1u << 9);       /* one serial port */
	le_put16(img->bda + BDA_EBDA_SEG, EBDA_BASE >> 4);
	le_put16(img->bda + BDA_BASE_MEM, EBDA_BASE >> 10);
	img->ebda[0] = EBDA_SIZE >> 10;                 /* EBDA size in KiB */
	if (boot_plan_add(plan, BDA_BASE, BDA_SIZE, img->bda, BDA_SIZE, "BIOS data area") != 0 ||
	    boot_plan_add(plan, EBDA_BASE, EBDA_SIZE, img->ebda, EBDA_SIZE, "EBDA") != 0)
		return -1;
	return 1;
}
