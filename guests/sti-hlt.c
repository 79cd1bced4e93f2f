/* sti-hlt: waits for an interrupt with interrupts enabled. Nothing in this
 * platform raises one, so the VMM must put the vCPU to sleep (no spinning)
 * until it is stopped from outside. */
#include "rt/rt.h"

void kmain(uint32_t magic, uint32_t info_phys)
{
	(void)magic;
	(void)info_phys;
	printf("waiting\n");
	for (;;)
		__asm__ volatile("sti; hlt; cli");
}
