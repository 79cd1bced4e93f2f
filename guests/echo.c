/* echo: reads COM1 by polling LSR.DR and echoes each byte in upper case,
 * to test the host console's input path into the UART's receive FIFO.
 * 'q' ends it through the debug-exit port. */
#include "rt/rt.h"

#define COM1     0x3f8
#define LSR      5
#define LSR_DR   0x01

void kmain(uint32_t magic, uint32_t info_phys)
{
	(void)magic;
	(void)info_phys;
	printf("echo ready\n");
	for (;;) {
		char c;

		while (!(inb(COM1 + LSR) & LSR_DR))
			;
		c = (char)inb(COM1);
		if (c == 'q') {
			printf("\nbye\n");
			guest_exit(0);
		}
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		serial_putc(c);
	}
}
