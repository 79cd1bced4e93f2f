/* cli-hlt: halts with interrupts off; the VMM must treat it as a clean stop. */
#include "rt/rt.h"

void kmain(uint32_t magic, uint32_t info_phys)
{
	(void)magic;
	(void)info_phys;
	printf("halting\n");
	halt_forever();
}
