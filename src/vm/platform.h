/* The devices of one VM and their wiring (REQ-IRQ-*, REQ-TMR-*, REQ-DBG-*,
 * REQ-POST-*, REQ-CON-*), built from the validated config:
 *   irqchip = "vmm":    PIC, I/O APIC, LAPICs, PIT in keel (src/vm/irqchip.c)
 *   irqchip = "kernel": those in KVM; keel's devices raise GSIs through
 *                       host->kernel_irq (KVM_IRQ_LINE)
 * and in both: COM1, HPET, RTC, PM timer, debug exit, POST. A timer that is
 * off is absent: its ports or MMIO stay unclaimed.
 * One lock (`lock`) covers every device model and the interrupt complex;
 * the host timer thread advances the timers under it. */
#ifndef KEEL_VM_PLATFORM_H
#define KEEL_VM_PLATFORM_H

#include <pthread.h>

#include "bus/iobus.h"
#include "config/config.h"
#include "dev/acpi_pm.h"
#include "dev/debug_exit.h"
#include "dev/hpet.h"
#include "dev/i8042.h"
#include "dev/pit8254.h"
#include "dev/pmtimer.h"
#include "dev/post.h"
#include "dev/reset.h"
#include "dev/rtc.h"
#include "dev/uart16550.h"
#include "host/console.h"
#include "host/timer_thread.h"
#include "mem/memmap.h"
#include "vm/irqchip.h"
#include "vm/vcpu.h"

/* What the platform needs from the VM that owns it. */
struct platform_host {
	void (*kick)(void *opaque, unsigned cpu);
	/* irqchip = "kernel": drive GSI `gsi` (KVM_IRQ_LINE). */
	void (*kernel_irq)(void *opaque, unsigned gsi, bool level);
	void *opaque;
};

struct platform {
	const struct vm_config *cfg;
	bool kernel_irqchip;
	pthread_mutex_t lock;
	struct platform_host host;
	struct vm_stop *stop;

	struct uart16550 com1;
	struct console con;
	struct debug_exit dbg;
	struct post_port post;
	struct pit pit;
	struct hpet hpet;
	struct rtc rtc;
	struct pmtimer pmt;
	struct acpi_pm acpi;
	struct reset_ctl rst;
	struct i8042 kbc;
	struct irqchip ic;              /* irqchip = "vmm" only */

	struct timer_thread timers;
	/* PIT ticks due but not yet acknowledged by the guest (lost-tick
	 * policy): +1 per period, -1 per IRQ0 acknowledge. */
	uint32_t pit_pending;
	/* ISA IRQ0 and IRQ8 have two possible sources each (PIT or HPET timer 0,
	 * RTC or HPET timer 1); the line follows the one legacy routing selects. */
	bool pit_out0, rtc_out8, hpet_out0, hpet_out8, line0, line8;
	uint64_t pit_last_advance;
};

/* Most PIT ticks held for re-injection: one second at 1 kHz. */
#define PIT_PENDING_MAX 1000

int platform_init(struct platform *p, const struct vm_config *vm, const struct memmap *mm,
		  struct iobus *pio, struct iobus *mmio, struct vm_stop *stop,
		  const struct platform_host *host, uint64_t tsc_khz, int64_t tsc_base,
		  char *err, size_t errlen);
/* Starts host-side activity (timer thread, console input). */
int platform_start(struct platform *p);
void platform_destroy(struct platform *p);

/* The vCPU whose thread is calling (LAPIC MMIO is per vCPU). */
void platform_set_current_cpu(unsigned cpu);

/* vCPU side, irqchip = "vmm" (each takes the lock). */
bool platform_has_interrupt(struct platform *p, unsigned cpu);
int platform_ack_interrupt(struct platform *p, unsigned cpu);

bool platform_take_nmi(struct platform *p, unsigned cpu);
bool platform_take_init(struct platform *p, unsigned cpu);
int platform_take_sipi(struct platform *p, unsigned cpu);
/* A timer deadline more than `slack` ns in the past (the timer thread
 * should have fired it): for the halted-vCPU safety net. */
bool platform_timer_overdue(struct platform *p, uint64_t now, uint64_t slack);
/* Interrupt state of vCPU `cpu` (its LAPIC, what is pending for it, the
 * next timer) in one line, for the report keel prints when stopped from
 * outside (irqchip = "vmm"). */
void platform_describe_cpu(struct platform *p, unsigned cpu, char *buf, size_t len);
/* LAPIC MSRs for vcpu->msr_hook. */
int platform_msr(void *opaque, unsigned cpu, uint32_t index, uint64_t *value, bool write);

#endif
