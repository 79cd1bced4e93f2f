#include "vm/platform.h"

#include <stdio.h>
#include <string.h>

#include "host/clock.h"
#include "util/log.h"

static __thread unsigned current_cpu;

void platform_set_current_cpu(unsigned cpu)
{
	current_cpu = cpu;
}

/* ---- interrupt lines ---------------------------------------------------- */

/* REQ-IRQ-001: an ISA IRQ reaches the PIC and I/O APIC (keel's or KVM's). */
static void isa_irq(struct platform *p, unsigned irq, bool level)
{
	if (p->kernel_irqchip)
		p->host.kernel_irq(p->host.opaque, irq, level);
	else
		irqchip_set_isa_irq(&p->ic, irq, level);
}

static bool hpet_legacy(const struct platform *p)
{
	return p->cfg->timers.hpet && (p->hpet.config & HPET_CONF_LEG_RT);
}

/* REQ-IRQ-006: on PC chipsets HPET legacy replacement takes IRQ0 from the
 * PIT and IRQ8 from the RTC. Each source keeps its own level; the shared
 * line follows the selected source, so switching routes gives the new
 * source clean edges. */
static void update_legacy_lines(struct platform *p)
{
	bool legacy = hpet_legacy(p);
	bool l0 = legacy ? p->hpet_out0 : p->pit_out0;
	bool l8 = legacy ? p->hpet_out8 : p->rtc_out8;

	if (l0 != p->line0) {
		p->line0 = l0;
		isa_irq(p, 0, l0);
	}
	if (l8 != p->line8) {
		p->line8 = l8;
		isa_irq(p, 8, l8);
	}
}

static void pit_irq0(void *opaque, unsigned line, bool level)
{
	struct platform *p = opaque;

	(void)line;
	p->pit_out0 = level;
	update_legacy_lines(p);
}

static void rtc_irq8(void *opaque, unsigned line, bool level)
{
	struct platform *p = opaque;

	(void)line;
	p->rtc_out8 = level;
	update_legacy_lines(p);
}

static void hpet_irq(void *opaque, bool isa, unsigned line, bool level)
{
	struct platform *p = opaque;

	if (isa && line == 0) {
		p->hpet_out0 = level;
		update_legacy_lines(p);
	} else if (isa && line == 8) {
		p->hpet_out8 = level;
		update_legacy_lines(p);
	} else if (isa) {
		isa_irq(p, line, level);
	} else if (p->kernel_irqchip) {
		p->host.kernel_irq(p->host.opaque, line == 2 ? 0 : line, level);
	} else {
		irqchip_set_gsi(&p->ic, line, level);
	}
}

static void com1_irq(void *opaque, bool level)
{
	isa_irq(opaque, UART_COM1_IRQ, level);
}

/* ---- port and MMIO handlers (all under the platform lock) --------------- */

static void com1_tx(void *opaque, uint8_t byte)
{
	struct platform *p = opaque;

	console_write(&p->con, byte);
}

/* 8-bit device registers: wider accesses touch the first register only and
 * the other bytes read as all-ones. */
static void com1_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	struct platform *p = opaque;

	pthread_mutex_lock(&p->lock);
	if (is_write) {
		uart_write(&p->com1, (unsigned)offset, data[0]);
	} else {
		memset(data, 0xff, len);
		data[0] = uart_read(&p->com1, (unsigned)offset);
	}
	pthread_mutex_unlock(&p->lock);
}

static void pic_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write,
		   uint16_t base)
{
	struct platform *p = opaque;

	pthread_mutex_lock(&p->lock);
	if (is_write) {
		pic_io_write(&p->ic.pic, (uint16_t)(base + offset), data[0]);
	} else {
		memset(data, 0xff, len);
		data[0] = pic_io_read(&p->ic.pic, (uint16_t)(base + offset));
	}
	pthread_mutex_unlock(&p->lock);
}

static void pic_master_io(void *o, uint64_t off, uint8_t *d, unsigned len, bool w)
{
	pic_io(o, off, d, len, w, PIC_MASTER_BASE);
}

static void pic_slave_io(void *o, uint64_t off, uint8_t *d, unsigned len, bool w)
{
	pic_io(o, off, d, len, w, PIC_SLAVE_BASE);
}

static void elcr_io(void *o, uint64_t off, uint8_t *d, unsigned len, bool w)
{
	pic_io(o, off, d, len, w, PIC_ELCR_BASE);
}

static void pit_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write,
		   uint16_t base)
{
	struct platform *p = opaque;
	uint64_t now = clock_now_ns();

	pthread_mutex_lock(&p->lock);
	if (is_write) {
		/* New channel 0 programming: ticks owed at the old rate lapse. */
		if (base == PIT_BASE && (offset == 0 || (offset == 3 && (data[0] >> 6) == 0)))
			p->pit_pending = 0;
		pit_io_write(&p->pit, (uint16_t)(base + offset), data[0], now);
	} else {
		memset(data, 0xff, len);
		data[0] = pit_io_read(&p->pit, (uint16_t)(base + offset), now);
	}
	pthread_mutex_unlock(&p->lock);
	if (is_write)
		timer_thread_rearm(&p->timers);
}

static void pit_main_io(void *o, uint64_t off, uint8_t *d, unsigned len, bool w)
{
	pit_io(o, off, d, len, w, PIT_BASE);
}

static void pit_61_io(void *o, uint64_t off, uint8_t *d, unsigned len, bool w)
{
	pit_io(o, off, d, len, w, PIT_PORT_61);
}

static void rtc_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	struct platform *p = opaque;
	uint64_t now = clock_now_ns();

	pthread_mutex_lock(&p->lock);
	if (is_write) {
		rtc_io_write(&p->rtc, (uint16_t)(RTC_PORT_INDEX + offset), data[0], now);
	} else {
		memset(data, 0xff, len);
		data[0] = rtc_io_read(&p->rtc, (uint16_t)(RTC_PORT_INDEX + offset), now);
	}
	pthread_mutex_unlock(&p->lock);
	if (is_write)
		timer_thread_rearm(&p->timers);
}

static void pmt_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	struct platform *p = opaque;

	/* The PM timer is a pure function of time: no lock needed. */
	pmtimer_io(&p->pmt, offset, data, len, is_write, clock_now_ns());
}

/* Wide MMIO registers: little-endian value <-> bytes. */
static uint64_t get_le(const uint8_t *d, unsigned len)
{
	uint64_t v = 0;

	memcpy(&v, d, len < 8 ? len : 8);
	return v;
}

static void put_le(uint8_t *d, unsigned len, uint64_t v)
{
	memcpy(d, &v, len < 8 ? len : 8);
}

static void hpet_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	struct platform *p = opaque;
	uint64_t now = clock_now_ns();

	pthread_mutex_lock(&p->lock);
	if (is_write) {
		hpet_mmio_write(&p->hpet, offset, get_le(data, len), len, now);
		update_legacy_lines(p);    /* LEG_RT_CNF may have changed */
	} else
		put_le(data, len, hpet_mmio_read(&p->hpet, offset, len, now));
	pthread_mutex_unlock(&p->lock);
	if (is_write)
		timer_thread_rearm(&p->timers);
}

static void ioapic_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	struct platform *p = opaque;

	pthread_mutex_lock(&p->lock);
	if (is_write)
		ioapic_mmio_write(&p->ic.ioapic, offset, (uint32_t)get_le(data, len));
	else
		put_le(data, len, ioapic_mmio_read(&p->ic.ioapic, offset));
	pthread_mutex_unlock(&p->lock);
}

/* REQ-IRQ-002: one MMIO window, each vCPU sees its own LAPIC. */
static void lapic_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	struct platform *p = opaque;
	unsigned cpu = current_cpu < p->ic.ncpus ? current_cpu : 0;

	pthread_mutex_lock(&p->lock);
	if (is_write)
		lapic_mmio_write(&p->ic.lapic[cpu], offset, (uint32_t)get_le(data, len),
				 clock_now_ns());
	else
		put_le(data, len, lapic_mmio_read(&p->ic.lapic[cpu], offset, clock_now_ns()));
	pthread_mutex_unlock(&p->lock);
}

int platform_msr(void *opaque, unsigned cpu, uint32_t index, uint64_t *value, bool write)
{
	struct platform *p = opaque;
	int r;

	if (p->kernel_irqchip || !p->ic.has_lapic || cpu >= p->ic.ncpus ||
	    !(index == MSR_IA32_APIC_BASE || index == MSR_IA32_TSC_DEADLINE ||
	      (index >= MSR_X2APIC_FIRST && index <= MSR_X2APIC_LAST)))
		return 1;
	pthread_mutex_lock(&p->lock);
	if (write)
		r = lapic_msr_write(&p->ic.lapic[cpu], index, *value, clock_now_ns());
	else
		r = lapic_msr_read(&p->ic.lapic[cpu], index, value, clock_now_ns());
	pthread_mutex_unlock(&p->lock);
	return r;
}

/* ---- power: ACPI PM1/GPE0, reset control 0xcf9, i8042 (REQ-PWR-*) ------ */

static void on_power_event(void *opaque, enum power_event ev)
{
	struct platform *p = opaque;

	if (ev == POWER_OFF)
		vm_stop_request(p->stop, KEEL_EXIT_CLEAN, "guest powered off (ACPI S5)");
	else
		vm_stop_request(p->stop, KEEL_EXIT_REBOOT, "guest requested a reset");
}

static uint32_t get_le32(const uint8_t *d, unsigned len)
{
	uint32_t v = 0;

	memcpy(&v, d, len < 4 ? len : 4);
	return v;
}

static void put_le32(uint8_t *d, unsigned len, uint32_t v)
{
	memset(d, 0xff, len);
	memcpy(d, &v, len < 4 ? len : 4);
}

/* The SCI follows PM1/GPE0 status & enable (ISA IRQ 9, level). */
static void acpi_sci_update(struct platform *p)
{
	isa_irq(p, ACPI_SCI_IRQ, acpi_pm_sci_level(&p->acpi));
}

static void acpi_evt_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	struct platform *p = opaque;

	pthread_mutex_lock(&p->lock);
	if (is_write) {
		acpi_pm_evt_write(&p->acpi, offset, get_le32(data, len), len);
		acpi_sci_update(p);
	} else {
		put_le32(data, len, acpi_pm_evt_read(&p->acpi, offset, len));
	}
	pthread_mutex_unlock(&p->lock);
}

static void acpi_cnt_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	struct platform *p = opaque;

	pthread_mutex_lock(&p->lock);
	if (is_write)
		acpi_pm_cnt_write(&p->acpi, offset, get_le32(data, len), len);
	else
		put_le32(data, len, acpi_pm_cnt_read(&p->acpi, offset, len));
	pthread_mutex_unlock(&p->lock);
}

static void acpi_gpe_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	struct platform *p = opaque;

	pthread_mutex_lock(&p->lock);
	if (is_write) {
		acpi_pm_gpe_write(&p->acpi, offset, get_le32(data, len), len);
		acpi_sci_update(p);
	} else {
		put_le32(data, len, acpi_pm_gpe_read(&p->acpi, offset, len));
	}
	pthread_mutex_unlock(&p->lock);
}

static void reset_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	struct platform *p = opaque;

	pthread_mutex_lock(&p->lock);
	if (is_write)
		reset_ctl_write(&p->rst, offset, get_le32(data, len), len);
	else
		put_le32(data, len, reset_ctl_read(&p->rst, offset, len));
	pthread_mutex_unlock(&p->lock);
}

static void i8042_io(void *opaque, uint64_t port, uint8_t *data, unsigned len, bool is_write)
{
	struct platform *p = opaque;

	pthread_mutex_lock(&p->lock);
	if (is_write)
		i8042_write(&p->kbc, (uint16_t)port, get_le32(data, len), len);
	else
		put_le32(data, len, i8042_read(&p->kbc, (uint16_t)port, len));
	pthread_mutex_unlock(&p->lock);
}

static void i8042_data_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	i8042_io(opaque, I8042_DATA_PORT + offset, data, len, is_write);
}

static void i8042_cmd_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	i8042_io(opaque, I8042_CMD_PORT + offset, data, len, is_write);
}

static void on_debug_exit(void *opaque, int status, uint32_t value)
{
	struct platform *p = opaque;

	vm_stop_request(p->stop, status, "guest wrote 0x%x to the debug-exit port", value);
}

static bool com1_deliver(void *opaque, uint8_t byte)
{
	struct platform *p = opaque;
	bool ok;

	pthread_mutex_lock(&p->lock);
	ok = uart_rx_push(&p->com1, byte);
	pthread_mutex_unlock(&p->lock);
	return ok;
}

static void console_quit(void *opaque)
{
	struct platform *p = opaque;

	vm_stop_request(p->stop, KEEL_EXIT_CLEAN, "quit from the console (Ctrl-A x)");
}

/* ---- timers ------------------------------------------------------------- */

/* REQ-IRQ-010: the PIT model gives IRQ0 one edge per advance however many
 * periods elapsed, and an edge that arrives while the previous tick still
 * waits in IRR merges with it. A guest that counts ticks to keep time (an
 * RTOS, older Linux) would lose time whenever the host runs the vCPU late,
 * so, like KVM's in-kernel PIT, keel counts the ticks due (one per period)
 * and the ticks the guest acknowledged, and raises IRQ0 again after each
 * acknowledge while ticks are owed. */
static void count_pit_ticks(struct platform *p, uint64_t now)
{
	uint64_t period = pit_channel_period_ns(&p->pit, 0), first, n;

	if (period == 0 || p->pit_last_advance == 0 || hpet_legacy(p)) {
		p->pit_last_advance = now;
		p->pit_pending = 0;
		return;
	}
	first = pit_channel_next_rise(&p->pit, 0, p->pit_last_advance);
	p->pit_last_advance = now;
	if (first == TIME_NEVER || first > now)
		return;
	n = 1 + (now - first) / period;
	if (n > PIT_PENDING_MAX - p->pit_pending)
		n = PIT_PENDING_MAX - p->pit_pending;
	p->pit_pending += (uint32_t)n;
}

/* Called with the lock held when `vector` was just acknowledged. */
static void reinject_pit_tick(struct platform *p, int vector)
{
	uint64_t rte;
	bool irq0;

	if (p->pit_pending == 0 || vector < 0)
		return;
	rte = ioapic_entry(&p->ic.ioapic, 2);
	irq0 = (p->ic.has_lapic && !(rte & IOAPIC_RTE_MASK) &&
		(int)(rte & IOAPIC_RTE_VECTOR) == vector) ||
	       (!(p->ic.pic.chip[0].imr & 1) && p->ic.pic.chip[0].vector_base == vector);
	if (!irq0)
		return;
	if (--p->pit_pending == 0)
		return;
	/* A fresh edge for an owed tick: it waits in IRR until the EOI. */
	irqchip_set_isa_irq(&p->ic, 0, false);
	irqchip_set_isa_irq(&p->ic, 0, true);
	irqchip_set_isa_irq(&p->ic, 0, pit_channel_out(&p->pit, 0, clock_now_ns()));
}

static uint64_t timers_next(void *opaque)
{
	struct platform *p = opaque;
	uint64_t d = TIME_NEVER, t;

	pthread_mutex_lock(&p->lock);
	t = p->cfg->timers.pit && !p->kernel_irqchip ? pit_next_deadline(&p->pit) : TIME_NEVER;
	d = t < d ? t : d;
	t = p->cfg->timers.hpet ? hpet_next_deadline(&p->hpet) : TIME_NEVER;
	d = t < d ? t : d;
	t = p->cfg->timers.rtc ? rtc_next_deadline(&p->rtc) : TIME_NEVER;
	d = t < d ? t : d;
	t = !p->kernel_irqchip ? irqchip_next_deadline(&p->ic) : TIME_NEVER;
	d = t < d ? t : d;
	pthread_mutex_unlock(&p->lock);
	return d;
}

bool platform_timer_overdue(struct platform *p, uint64_t now, uint64_t slack)
{
	uint64_t d = timers_next(p);

	return d != TIME_NEVER && d + slack < now;
}

static void timers_fire(void *opaque, uint64_t now)
{
	struct platform *p = opaque;

	pthread_mutex_lock(&p->lock);
	if (p->cfg->timers.pit && !p->kernel_irqchip) {
		count_pit_ticks(p, now);
		pit_advance(&p->pit, now);
	}
	if (p->cfg->timers.hpet)
		hpet_advance(&p->hpet, now);
	if (p->cfg->timers.rtc)
		rtc_advance(&p->rtc, now);
	if (!p->kernel_irqchip)
		irqchip_advance(&p->ic, now);
	pthread_mutex_unlock(&p->lock);
}

static void ic_kick(void *opaque, unsigned cpu)
{
	struct platform *p = opaque;

	p->host.kick(p->host.opaque, cpu);
}

static void ic_timer_changed(void *opaque)
{
	struct platform *p = opaque;

	timer_thread_rearm(&p->timers);
}

/* ---- set-up ------------------------------------------------------------- */

#define REG(base, len, fn, name)                                                   \
	do {                                                                       \
		if (iobus_register(bus, (base), (len), (fn), p, (name)) != 0)      \
			goto clash;                                                \
	} while (0)

int platform_init(struct platform *p, const struct vm_config *vm, const struct memmap *mm,
		  struct iobus *pio, struct iobus *mmio, struct vm_stop *stop,
		  const struct platform_host *host, uint64_t tsc_khz, int64_t tsc_base,
		  char *err, size_t errlen)
{
	const struct cfg_timers *t = &vm->timers;
	struct irqchip_ops icops = { ic_kick, ic_timer_changed, p };
	uint64_t now = clock_now_ns();
	uint64_t below4g = 0, above4g = 0;
	struct iobus *bus;

	memset(p, 0, sizeof(*p));
	p->cfg = vm;
	p->kernel_irqchip = vm->irqchip == IRQCHIP_KERNEL;
	p->host = *host;
	p->stop = stop;
	p->timers.tfd = p->timers.efd = -1;
	pthread_mutex_init(&p->lock, NULL);
	if (console_open(&p->con, vm->serial_stdout ? NULL : vm->serial_path, err, errlen) != 0)
		return -1;
	uart_init(&p->com1, com1_tx, com1_irq, p);
	pmtimer_init(&p->pmt, ACPI_PM_TMR_32BIT, now);

	bus = pio;
	REG(UART_COM1_BASE, UART_NUM_REGS, com1_io, "com1");
	REG(POST_PORT, 1, post_io, "post");
	if (vm->debug_exit) {
		debug_exit_init(&p->dbg, on_debug_exit, p);
		if (iobus_register(pio, DEBUG_EXIT_PORT, DEBUG_EXIT_LEN, debug_exit_io, &p->dbg,
				   "debug-exit") != 0)
			goto clash;
	}
	/* REQ-PWR-*: the ACPI fixed hardware keel's FADT describes, and the two
	 * PC reset paths; present on every VM (an RTOS may reset through them). */
	acpi_pm_init(&p->acpi, on_power_event, p);
	reset_ctl_init(&p->rst, on_power_event, p);
	i8042_init(&p->kbc, on_power_event, p);
	REG(ACPI_PM1A_EVT_PORT, ACPI_PM1A_EVT_LEN, acpi_evt_io, "acpi-pm1-evt");
	REG(ACPI_PM1A_CNT_PORT, ACPI_PM1A_CNT_LEN, acpi_cnt_io, "acpi-pm1-cnt");
	REG(ACPI_GPE0_PORT, ACPI_GPE0_LEN, acpi_gpe_io, "acpi-gpe0");
	REG(RESET_CTL_PORT, RESET_CTL_LEN, reset_io, "reset-ctl");
	REG(I8042_DATA_PORT, 1, i8042_data_io, "i8042-data");
	REG(I8042_CMD_PORT, 1, i8042_cmd_io, "i8042-cmd");
	if (!p->kernel_irqchip) {
		irqchip_init(&p->ic, vm->vcpus, t->lapic, tsc_khz, tsc_base, &icops);
		REG(PIC_MASTER_BASE, 2, pic_master_io, "pic-master");
		REG(PIC_SLAVE_BASE, 2, pic_slave_io, "pic-slave");
		REG(PIC_ELCR_BASE, 2, elcr_io, "elcr");
		if (t->pit) {
			pit_init(&p->pit, (struct irq_line){ pit_irq0, p, 0 }, now);
			REG(PIT_BASE, 4, pit_main_io, "pit");
			REG(PIT_PORT_61, 1, pit_61_io, "port61");
		}
		if (t->lapic) {
			bus = mmio;
			REG(IOAPIC_BASE, IOAPIC_SIZE, ioapic_io, "ioapic");
			REG(LAPIC_DEFAULT_BASE, LAPIC_SIZE, lapic_io, "lapic");
			bus = pio;
			/* REQ-IRQ-007: what PC firmware leaves: the boot CPU's LAPIC
			 * software-enabled in virtual-wire mode (LINT0 ExtINT, LINT1
			 * NMI), so a guest that never touches the LAPIC still gets
			 * the PIC's interrupts. */
			lapic_mmio_write(&p->ic.lapic[0], 0xf0, 0x1ff, now);
			lapic_mmio_write(&p->ic.lapic[0], 0x350, 0x700, now);
			lapic_mmio_write(&p->ic.lapic[0], 0x360, 0x400, now);
		}
	}
	if (t->rtc) {
		for (unsigned i = 0; i < mm->nslots; i++) {
			if (mm->slots[i].gpa >= (1ULL << 32))
				above4g += mm->slots[i].size;
			else
				below4g += mm->slots[i].size;
		}
		rtc_init(&p->rtc, (struct irq_line){ rtc_irq8, p, 8 }, clock_realtime_offset_ns(), now);
		rtc_set_memory(&p->rtc, below4g, above4g);
		REG(RTC_PORT_INDEX, 2, rtc_io, "rtc");
	}
	if (t->pm_timer)
		REG(PMTIMER_PORT, 4, pmt_io, "pm-timer");
	if (t->hpet) {
		hpet_init(&p->hpet, hpet_irq, p, now);
		bus = mmio;
		REG(HPET_BASE, HPET_SIZE, hpet_io, "hpet");
	}
	return 0;
clash:
	snprintf(err, errlen, "internal error: device address ranges overlap");
	console_close(&p->con);
	return -1;
}

int platform_start(struct platform *p)
{
	if (timer_thread_start(&p->timers, timers_next, timers_fire, p) != 0)
		return -1;
	return console_start_input(&p->con, com1_deliver, console_quit, p);
}

void platform_destroy(struct platform *p)
{
	timer_thread_stop(&p->timers);
	console_close(&p->con);
	pthread_mutex_destroy(&p->lock);
}

/* ---- vCPU side ---------------------------------------------------------- */

void platform_describe_cpu(struct platform *p, unsigned cpu, char *buf, size_t len)
{
	uint64_t now = clock_now_ns(), next;
	char l[256] = "no lapic", when[48];
	int pending;

	if (len == 0)
		return;
	next = timers_next(p);
	pthread_mutex_lock(&p->lock);
	if (p->ic.has_lapic && cpu < p->ic.ncpus)
		lapic_describe(&p->ic.lapic[cpu], now, l, sizeof(l));
	pending = irqchip_has_interrupt(&p->ic, cpu) ? 1 : 0;
	if (next == TIME_NEVER)
		snprintf(when, sizeof(when), "none");
	else
		snprintf(when, sizeof(when), "%s %llu us", next < now ? "overdue by" : "in",
			 (unsigned long long)((next < now ? now - next : next - now) / 1000));
	snprintf(buf, len, "%s; interrupt pending %s, pit ticks owed %u, next timer %s", l,
		 pending ? "yes" : "no", p->pit_pending, when);
	pthread_mutex_unlock(&p->lock);
}

bool platform_has_interrupt(struct platform *p, unsigned cpu)
{
	bool r;

	pthread_mutex_lock(&p->lock);
	r = irqchip_has_interrupt(&p->ic, cpu);
	pthread_mutex_unlock(&p->lock);
	return r;
}

int platform_ack_interrupt(struct platform *p, unsigned cpu)
{
	int v;

	pthread_mutex_lock(&p->lock);
	v = irqchip_ack(&p->ic, cpu);
	reinject_pit_tick(p, v);
	pthread_mutex_unlock(&p->lock);
	return v;
}

bool platform_take_nmi(struct platform *p, unsigned cpu)
{
	bool r;

	pthread_mutex_lock(&p->lock);
	r = irqchip_take_nmi(&p->ic, cpu);
	pthread_mutex_unlock(&p->lock);
	return r;
}

bool platform_take_init(struct platform *p, unsigned cpu)
{
	bool r;

	pthread_mutex_lock(&p->lock);
	r = irqchip_take_init(&p->ic, cpu);
	pthread_mutex_unlock(&p->lock);
	return r;
}

int platform_take_sipi(struct platform *p, unsigned cpu)
{
	int r;

	pthread_mutex_lock(&p->lock);
	r = irqchip_take_sipi(&p->ic, cpu);
	pthread_mutex_unlock(&p->lock);
	return r;
}
