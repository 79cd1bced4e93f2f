/* fault: deliberate triple fault; the VMM must report a guest fault. */
#include "rt/rt.h"

void kmain(uint32_t magic, uint32_t info_phys)
{
	/* 64-bit IDTR image: limit 0 means no vector is deliverable, so #UD
	 * escalates to #GP, #DF and then a triple fault (shutdown). */
	static const struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { 0, 0 };

	(void)magic;
	(void)info_phys;
	printf("about to fault\n");
	__asm__ volatile("lidt %0\n\tud2" : : "m"(idtr) : "memory");
	printf("fault: still running\n"); /* unreachable on a correct VMM */
	guest_exit(1);
}
