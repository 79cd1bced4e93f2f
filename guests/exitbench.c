/* exitbench: cost of a port-I/O exit and an MMIO exit as the guest sees it,
 * in TSC cycles and ns (CPUID 0x40000010 TSC kHz), for bench/. Prints
 *   exitbench: pio <cycles> cycles <ns> ns, mmio <cycles> cycles <ns> ns
 * and exits 0. Cmdline n=<iterations> (default 20000). */
#include "rt/rt.h"
#include "rt/irq.h"

#define MMIO_PROBE 0xfebff000u  /* unclaimed on keel's platform */

void kmain(uint32_t magic, uint32_t info_phys)
{
	const struct mb_info *mbi = phys(info_phys);
	const char *cl = NULL;
	uint32_t n = 20000;
	uint64_t t0, pio, mmio, khz = tsc_khz();
	volatile uint32_t *probe = phys(MMIO_PROBE);

	if (magic == MB_BOOTLOADER_MAGIC && (mbi->flags & MBI_CMDLINE) && mbi->cmdline)
		cl = phys(mbi->cmdline);
	if (cmdline_u32(cl, "n", &n) != 1 || n == 0)
		n = 20000;
	t0 = rdtsc();
	for (uint32_t i = 0; i < n; i++)
		outb(0x80, (uint8_t)i);
	pio = (rdtsc() - t0) / n;
	t0 = rdtsc();
	for (uint32_t i = 0; i < n; i++)
		(void)*probe;
	mmio = (rdtsc() - t0) / n;
	printf("exitbench: pio %llu cycles %llu ns, mmio %llu cycles %llu ns\n",
	       (unsigned long long)pio, (unsigned long long)(khz ? pio * 1000000 / khz : 0),
	       (unsigned long long)mmio, (unsigned long long)(khz ? mmio * 1000000 / khz : 0));
	guest_exit(0);
}
