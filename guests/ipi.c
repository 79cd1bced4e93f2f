/* ipi: inter-processor interrupts between the BSP and one AP (run with 2
 * vCPUs).
 *   ping-pong   100 fixed IPIs (vector 0x40) BSP -> AP, each answered by
 *               the AP's handler with one AP -> BSP; round trips timed
 *   nmi         an NMI IPI to the AP: its vector 2 handler runs (iretq)
 *   self        ICR shorthand "self" (vector 0x41), pending in IRR while
 *               interrupts are disabled, taken once they are enabled
 *   others      shorthand "all excluding self" from the BSP (0x42) and
 *               from the AP (0x43): only the other CPU takes it
 *   all         shorthand "all including self" (0x44): both take it
 * Every handler counts per CPU (APIC ID); the BSP checks all the counts.
 * Both CPUs wait in sti; hlt; the AP takes commands through a mailbox,
 * woken by a doorbell IPI (0x45), and the BSP bounds its waits with its
 * LAPIC timer (0x50). "ipi: all ok" and exit 0, or exit 1.
 *
 * Command line: rounds=N ping-pong round trips (default 100). */
#include "rt/irq.h"
#include "rt/smp.h"

#define VEC_PING     0x40
#define VEC_SELF     0x41
#define VEC_OTHERS   0x42
#define VEC_OTHERS2  0x43
#define VEC_ALL      0x44
#define VEC_DOORBELL 0x45
#define VEC_WATCHDOG 0x50
#define NMI_VECTOR   2
#define NCPU         2
#define WAIT_US      500000u

enum { CNT_PING, CNT_SELF, CNT_OTHERS, CNT_OTHERS2, CNT_ALL, CNT_DOORBELL, CNT_NMI, CNT_N };

static volatile uint32_t count[NCPU][CNT_N];
static volatile uint32_t ap_ready, ap_cmd, ap_cmd_done, ap_bad_id;
static uint32_t ap_id = 1;
static uint32_t rounds = 100;

enum { CMD_NONE, CMD_SEND_OTHERS };

static unsigned me(void)
{
	uint32_t id = lapic_id();
	if (id >= NCPU) {
		ap_bad_id = id;
		return NCPU - 1;
	}
	return id;
}

static void ping_handler(struct irq_frame *f)
{
	unsigned cpu = me();
	(void)f;
	count[cpu][CNT_PING]++;
	lapic_eoi();
	if (cpu != 0)                        /* the AP answers the BSP */
		lapic_send_ipi(0, APIC_DM_FIXED | VEC_PING);
}

static void count_handler(struct irq_frame *f)
{
	unsigned idx = CNT_SELF + (unsigned)(f->vector - VEC_SELF);
	count[me()][idx]++;
	lapic_eoi();
}

static void nmi_handler(struct irq_frame *f)
{
	(void)f;
	count[me()][CNT_NMI]++;            /* no EOI: NMIs do not use the ISR */
}

void ap_main(unsigned cpu)
{
	(void)cpu;
	lapic_enable();
	ap_ready = 1;
	for (;;) {
		wait_for_interrupt();
		if (ap_cmd == CMD_SEND_OTHERS) {
			ap_cmd = CMD_NONE;
			lapic_send_ipi(0, APIC_SH_OTHERS | APIC_DM_FIXED | VEC_OTHERS2);
			ap_cmd_done = 1;
		}
	}
}

static void watchdog_handler(struct irq_frame *f)
{
	(void)f;
	lapic_eoi();
}

/* Sleeps (sti; hlt) until *v >= want or WAIT_US passed. The BSP's LAPIC
 * timer runs periodically meanwhile (1 ms at a 1 GHz timer clock), so an
 * IPI that never comes cannot leave the CPU asleep for ever. */
static bool wait_for(volatile uint32_t *v, uint32_t want)
{
	uint64_t t0 = rdtsc(), limit = (uint64_t)WAIT_US * tsc_khz() / 1000;
	bool ok;

	lapic_timer_setup(VEC_WATCHDOG, APIC_TIMER_PERIODIC, 1, 1000000);
	while (!(ok = *v >= want) && rdtsc() - t0 < limit)
		wait_for_interrupt();
	lapic_timer_stop();
	return ok;
}

/* Interrupts enabled for a while, for anything that should not come. */
static void settle(void)
{
	irq_enable();
	delay_us(20000);
	irq_disable();
}

static void test_pingpong(void)
{
	uint64_t k = tsc_khz(), min = ~0ull, max = 0, sum = 0;
	uint32_t done = 0;

	for (uint32_t i = 0; i < rounds; i++) {
		uint64_t t0 = rdtsc();
		lapic_send_ipi(ap_id, APIC_DM_FIXED | VEC_PING);
		if (!wait_for(&count[0][CNT_PING], i + 1))
			break;
		uint64_t d = rdtsc() - t0;
		min = d < min ? d : min;
		max = d > max ? d : max;
		sum += d;
		done++;
	}
	settle();
	printf("ping-pong: %u round trips, us min %llu avg %llu max %llu\n", done,
	       (unsigned long long)(done ? min * 1000 / k : 0),
	       (unsigned long long)(done ? sum / done * 1000 / k : 0),
	       (unsigned long long)(max * 1000 / k));
	check(done == rounds && count[1][CNT_PING] == rounds && count[0][CNT_PING] == rounds,
	      "ping-pong", "%u round trips, AP took %u pings, BSP took %u pongs (want %u)", done,
	      count[1][CNT_PING], count[0][CNT_PING], rounds);
}

static void test_nmi(void)
{
	lapic_send_ipi(ap_id, APIC_DM_NMI);
	bool ok = wait_for(&count[1][CNT_NMI], 1);
	settle();
	printf("nmi: AP took %u, BSP took %u\n", count[1][CNT_NMI], count[0][CNT_NMI]);
	check(ok && count[1][CNT_NMI] == 1 && count[0][CNT_NMI] == 0, "nmi ipi to the AP",
	      "AP %u, BSP %u", count[1][CNT_NMI], count[0][CNT_NMI]);
}

static void test_self(void)
{
	/* Interrupts are disabled: the IPI must wait in IRR. */
	lapic_send_ipi(0, APIC_SH_SELF | APIC_DM_FIXED | VEC_SELF);
	bool pending = lapic_irr_bit(VEC_SELF);
	uint32_t before = count[0][CNT_SELF];
	bool ok = wait_for(&count[0][CNT_SELF], 1);
	settle();
	check(pending && before == 0, "self ipi pending while interrupts are disabled",
	      "irr %d, taken %u", pending, before);
	check(ok && count[0][CNT_SELF] == 1 && count[1][CNT_SELF] == 0, "self ipi",
	      "BSP %u, AP %u", count[0][CNT_SELF], count[1][CNT_SELF]);
	check(!lapic_isr_bit(VEC_SELF), "self ipi isr clear after eoi", "isr bit set");
}

static void test_others(void)
{
	lapic_send_ipi(0, APIC_SH_OTHERS | APIC_DM_FIXED | VEC_OTHERS);
	bool ok = wait_for(&count[1][CNT_OTHERS], 1);
	settle();
	check(ok && count[1][CNT_OTHERS] == 1 && count[0][CNT_OTHERS] == 0,
	      "all-excluding-self from the BSP", "AP %u, BSP %u", count[1][CNT_OTHERS],
	      count[0][CNT_OTHERS]);

	ap_cmd_done = 0;
	ap_cmd = CMD_SEND_OTHERS;
	lapic_send_ipi(ap_id, APIC_DM_FIXED | VEC_DOORBELL);
	ok = wait_for(&count[0][CNT_OTHERS2], 1) && wait_for(&ap_cmd_done, 1);
	settle();
	check(ok && count[0][CNT_OTHERS2] == 1 && count[1][CNT_OTHERS2] == 0,
	      "all-excluding-self from the AP", "BSP %u, AP %u", count[0][CNT_OTHERS2],
	      count[1][CNT_OTHERS2]);
}

static void test_all(void)
{
	lapic_send_ipi(0, APIC_SH_ALL | APIC_DM_FIXED | VEC_ALL);
	bool ok = wait_for(&count[0][CNT_ALL], 1) && wait_for(&count[1][CNT_ALL], 1);
	settle();
	check(ok && count[0][CNT_ALL] == 1 && count[1][CNT_ALL] == 1, "all-including-self",
	      "BSP %u, AP %u", count[0][CNT_ALL], count[1][CNT_ALL]);
}

void kmain(uint32_t magic, uint32_t info_phys)
{
	const struct mb_info *mbi = phys(info_phys);
	const char *cmdline = NULL;

	printf("keel ipi\n");
	if (magic != MB_BOOTLOADER_MAGIC) {
		printf("bad magic\n");
		guest_exit(1);
	}
	if (mbi->flags & MBI_CMDLINE)
		cmdline = phys(mbi->cmdline);
	if (cmdline_u32(cmdline, "rounds", &rounds) < 0) {
		printf("usage: rounds=N\n");
		guest_exit(1);
	}

	idt_init();
	pic_disable();
	lapic_enable();
	irq_register(VEC_PING, ping_handler);
	for (unsigned v = VEC_SELF; v <= VEC_DOORBELL; v++)
		irq_register((uint8_t)v, count_handler);
	irq_register(NMI_VECTOR, nmi_handler);
	irq_register(VEC_WATCHDOG, watchdog_handler);
	printf("tsc: %u kHz (%s)\n", tsc_khz(), tsc_khz_source());

	if (!check(lapic_id() == 0, "bsp apic id 0", "%u", lapic_id()) ||
	    !check(smp_init(mbi), "trampoline", "see above") ||
	    !check(smp_start_ap(ap_id) == 1, "start the AP", "see above") ||
	    !check(wait_for(&ap_ready, 1), "AP ready", "AP did not enable its LAPIC"))
		check_finish("ipi");

	test_pingpong();
	test_nmi();
	test_self();
	test_others();
	test_all();
	check(count[1][CNT_DOORBELL] == 1 && count[0][CNT_DOORBELL] == 0 && !ap_bad_id,
	      "no stray interrupts", "doorbell AP %u BSP %u, bad apic id %u",
	      count[1][CNT_DOORBELL], count[0][CNT_DOORBELL], ap_bad_id);
	check_finish("ipi");
}
