/* badport: touches I/O ports and MMIO that no device claims. Reads are
 * expected to return all ones; writes must be ignored. */
#include "rt/rt.h"

#define PORT_UNCLAIMED8  0x2f8  /* COM2 base, absent */
#define PORT_UNCLAIMED16 0x1230
#define PORT_UNCLAIMED32 0x1234
#define PORT_POST        0x80
#define MMIO_UNCLAIMED   0xfebf0000u

void kmain(uint32_t magic, uint32_t info_phys)
{
	volatile uint8_t *mmio8 = phys(MMIO_UNCLAIMED);
	volatile uint32_t *mmio32 = phys(MMIO_UNCLAIMED + 4);
	unsigned not_ones = 0;

	(void)magic;
	(void)info_phys;

	uint8_t b = inb(PORT_UNCLAIMED8);
	printf("inb 0x%x: 0x%02x\n", PORT_UNCLAIMED8, b);
	not_ones += b != 0xff;
	uint16_t w = inw(PORT_UNCLAIMED16);
	printf("inw 0x%x: 0x%04x\n", PORT_UNCLAIMED16, w);
	not_ones += w != 0xffff;
	uint32_t l = inl(PORT_UNCLAIMED32);
	printf("inl 0x%x: 0x%08x\n", PORT_UNCLAIMED32, l);
	not_ones += l != 0xffffffffu;
	b = *mmio8;
	printf("mmio8 0x%x: 0x%02x\n", MMIO_UNCLAIMED, b);
	not_ones += b != 0xff;
	l = *mmio32;
	printf("mmio32 0x%x: 0x%08x\n", MMIO_UNCLAIMED + 4, l);
	not_ones += l != 0xffffffffu;

	outb(PORT_UNCLAIMED8, 0x5a);
	outw(PORT_UNCLAIMED16, 0x5a5a);
	outl(PORT_UNCLAIMED32, 0x5a5a5a5au);
	*mmio8 = 0x5a;
	*mmio32 = 0x5a5a5a5au;
	printf("writes done\n");
	outb(PORT_POST, 0x42);
	printf("post 0x42\n");

	if (not_ones)
		printf("badport: %u reads not all-ones\n", not_ones);
	else
		printf("badport: all reads all-ones\n");
	guest_exit(0);
}
