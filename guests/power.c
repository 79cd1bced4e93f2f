/* power: asks the machine to power off or reset in the way how=<name> from
 * the command line says, to test keel's ACPI PM1 control, reset port 0xcf9,
 * i8042 pulse and on_reboot handling (REQ-PWR-*). Prints "power: boot" first,
 * so a restarted VM shows up as a second line.
 *   how=s5      PM1a_CNT: SLP_TYP=5 (the DSDT's \_S5), SLP_EN
 *   how=s3      SLP_TYP=3, SLP_EN: not a state keel has; must be ignored
 *   how=cf9     reset control: 0x02 then 0x06 (RST_CPU 0->1)
 *   how=kbd     i8042 command 0xfe (pulse the reset line)
 *   how=triple  empty IDT and #UD: a triple fault */
#include "rt/rt.h"

#define PM1A_CNT 0x604
#define SLP_EN   (1u << 13)

void kmain(uint32_t magic, uint32_t info_phys)
{
	static const struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { 0, 0 };
	const struct mb_info *mbi = phys(info_phys);
	const char *cl = NULL;
	char how[16];

	if (magic == MB_BOOTLOADER_MAGIC && (mbi->flags & MBI_CMDLINE) && mbi->cmdline)
		cl = phys(mbi->cmdline);
	printf("power: boot\n");
	if (!cmdline_get(cl, "how", how, sizeof(how))) {
		printf("power: missing how=\n");
		guest_exit(1);
	}
	printf("power: SCI_EN %u\n", inw(PM1A_CNT) & 1u);
	if (strcmp(how, "s5") == 0) {
		outw(PM1A_CNT, (uint16_t)(5u << 10 | SLP_EN));
	} else if (strcmp(how, "s3") == 0) {
		outw(PM1A_CNT, (uint16_t)(3u << 10 | SLP_EN));
		printf("power: still running after S3 request\n");
		guest_exit(0);
	} else if (strcmp(how, "cf9") == 0) {
		outb(0xcf9, 0x02);
		outb(0xcf9, 0x06);
	} else if (strcmp(how, "kbd") == 0) {
		outb(0x64, 0xfe);
	} else if (strcmp(how, "triple") == 0) {
		__asm__ volatile("lidt %0\n\tud2" : : "m"(idtr) : "memory");
	} else {
		printf("power: unknown how=%s\n", how);
		guest_exit(1);
	}
	printf("power: still running after %s\n", how);
	guest_exit(2);
}
