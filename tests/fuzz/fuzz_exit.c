/* verifies: REQ-EXIT-001 REQ-EXIT-002 REQ-EXIT-003 REQ-EXIT-004 REQ-BUS-003 REQ-MSR-002 REQ-DBG-001 REQ-IRQ-002 REQ-IRQ-003 */
/* libFuzzer target for the guest-facing exit path: a hand-made kvm_run area
 * is filled from the input and dispatched through exit_dispatch() to the
 * real platform (irqchip = "vmm", every timer on: PIC, PIT, RTC, PM timer,
 * COM1, POST, debug exit on the port bus; I/O APIC, LAPIC, HPET on the MMIO
 * bus). Record format, repeated:
 *   kind (1 byte), then per kind:
 *     0 port I/O: port(2) dir(1) size(1) count(2) data_offset(2) data(16)
 *     1 MMIO:     addr(8) len(1) is_write(1) data(8)
 *     2 RDMSR:    index(4)
 *     3 WRMSR:    index(4) value(8)
 *     4 HLT:      if_flag(1)
 *     5 other:    exit_reason(4)
 * Invariants: no crash or sanitizer report; the action is a known one;
 * a stopped VM has an 8-bit status; MSR exits answer with error 0 or 1. */
#include <stdlib.h>
#include <string.h>

#include "vm/exit.h"
#include "vm/platform.h"

#define RUN_SIZE 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void no_kick(void *opaque, unsigned cpu)
{
	(void)opaque;
	(void)cpu;
}

static void no_irq(void *opaque, unsigned gsi, bool level)
{
	(void)opaque;
	(void)gsi;
	(void)level;
}

struct cursor {
	const uint8_t *p;
	size_t left;
};

static uint64_t take(struct cursor *c, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++) {
		uint8_t b = 0;

		if (c->left > 0) {
			b = *c->p++;
			c->left--;
		}
		v |= (uint64_t)b << (8 * i);
	}
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vm_config cfg;
	static struct memmap mm;
	static struct platform plat;
	const struct platform_host host = { no_kick, no_irq, NULL };
	static uint8_t run_area[RUN_SIZE] __attribute__((aligned(64)));
	struct kvm_run *run = (struct kvm_run *)run_area;
	struct iobus pio, mmio;
	struct vm_stop stop;
	struct vcpu v;
	struct cursor c = { data, size };
	char err[256];

	cfg.debug_exit = true;
	cfg.vcpus = 1;
	cfg.timers = (struct cfg_timers){ true, true, true, true, true };
	cfg.serial_stdout = false;
	strcpy(cfg.serial_path, "/dev/null");
	iobus_init(&pio, "port");
	iobus_init(&mmio, "mmio");
	vm_stop_init(&stop);
	if (platform_init(&plat, &cfg, &mm, &pio, &mmio, &stop, &host, 2000000, 0, err,
			  sizeof(err)) != 0)
		abort();
	memset(run_area, 0, sizeof(run_area));
	v = (struct vcpu){ .id = 0, .run = run, .run_size = RUN_SIZE, .pio = &pio,
			   .mmio = &mmio, .stop = &stop, .msr_hook = platform_msr,
			   .msr_opaque = &plat };

	while (c.left > 0 && !stop.requested) {
		enum exit_action a;
		uint8_t kind = (uint8_t)take(&c, 1) % 6;

		switch (kind) {
		case 0:
			run->exit_reason = KVM_EXIT_IO;
			/* Bias towards the claimed ports so the devices get exercised. */
			run->io.port = (uint16_t)take(&c, 2);
			if (run->io.port & 0x8000)
				run->io.port = (uint16_t)(0x3f8 + (run->io.port & 7));
			run->io.direction = (uint8_t)take(&c, 1) & 1;
			run->io.size = (uint8_t)take(&c, 1);
			run->io.count = (uint32_t)take(&c, 2);
			run->io.data_offset = take(&c, 2);
			for (unsigned i = 0; i < 16 && run->io.data_offset + i < RUN_SIZE; i++)
				run_area[run->io.data_offset + i] = (uint8_t)take(&c, 1);
			break;
		case 1:
			run->exit_reason = KVM_EXIT_MMIO;
			run->mmio.phys_addr = take(&c, 8);
			/* Bias towards the platform's MMIO devices. */
			if (run->mmio.phys_addr & 1)
				run->mmio.phys_addr = (run->mmio.phys_addr & 0x2
						       ? 0xfee00000ULL : 0xfec00000ULL) +
						      ((run->mmio.phys_addr >> 2) & 0xffc);
			else if (run->mmio.phys_addr & 2)
				run->mmio.phys_addr = 0xfed00000ULL + ((run->mmio.phys_addr >> 2) & 0x3f8);
			run->mmio.len = (uint32_t)take(&c, 1);
			run->mmio.is_write = (uint8_t)take(&c, 1) & 1;
			for (unsigned i = 0; i < 8; i++)
				run->mmio.data[i] = (uint8_t)take(&c, 1);
			break;
		case 2:
		case 3:
			run->exit_reason = kind == 2 ? KVM_EXIT_X86_RDMSR : KVM_EXIT_X86_WRMSR;
			run->msr.index = (uint32_t)take(&c, 4);
			run->msr.data = kind == 3 ? take(&c, 8) : 0;
			run->msr.error = 0xff;
			break;
		case 4:
			run->exit_reason = KVM_EXIT_HLT;
			run->if_flag = (uint8_t)take(&c, 1) & 1;
			break;
		default:
			run->exit_reason = (uint32_t)take(&c, 4);
			break;
		}
		a = exit_dispatch(&v);
		if (a != EXIT_RESUME && a != EXIT_HALT_WAIT && a != EXIT_HALT_NOIRQ &&
		    a != EXIT_STOP && a != EXIT_FAULT)
			abort();
		if ((kind == 2 || kind == 3) && run->msr.error > 1)
			abort();
		if (a == EXIT_FAULT && v.fault[0] == '\0')
			abort();
		if (a == EXIT_FAULT)
			break;
	}
	if (stop.requested && (stop.status < 0 || stop.status > 255))
		abort();
	platform_destroy(&plat);
	iobus_destroy(&pio);
	iobus_destroy(&mmio);
	pthread_mutex_destroy(&stop.lock);
	return 0;
}
