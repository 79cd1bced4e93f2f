/* keel's view of one vCPU and of a VM's stop request. Exit handlers work on
 * this struct and the kvm_run area only, so they can be unit-tested with a
 * hand-made kvm_run (no /dev/kvm). */
#ifndef KEEL_VM_VCPU_H
#define KEEL_VM_VCPU_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "bus/iobus.h"

#define VCPU_TRACE_LEN 16

/* Exit status of `keel run` (REQ-CLI-003). */
#define KEEL_EXIT_CLEAN  0
#define KEEL_EXIT_FAULT  1
#define KEEL_EXIT_USAGE  2
/* The guest asked for a reset (0xcf9, i8042 pulse, ACPI reset register)
 * and on_reboot = "exit" (REQ-PWR-016). Even, so no debug-exit status
 * ((V << 1) | 1) can be mistaken for it. */
#define KEEL_EXIT_REBOOT 4

/* A VM stops once: the first request wins (its status and reason are kept). */
struct vm_stop {
	pthread_mutex_t lock;
	bool requested;
	int status;
	char reason[256];
	void (*kick)(void *opaque);     /* interrupts every vCPU of the VM */
	void *kick_opaque;
};

void vm_stop_init(struct vm_stop *s);
/* Returns true if this call was the one that stopped the VM. */
bool vm_stop_request(struct vm_stop *s, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool vm_stop_requested(struct vm_stop *s);

struct access_record {
	char kind;              /* 'p' port, 'm' mmio */
	bool is_write;
	uint8_t len;
	uint64_t addr;
	uint64_t value;
};

struct vcpu {
	unsigned id;
	struct kvm_run *run;
	size_t run_size;
	struct iobus *pio;
	struct iobus *mmio;
	struct vm_stop *stop;
	/* Last port/MMIO accesses, reported when the guest faults (REQ-EXIT-010). */
	struct access_record trace[VCPU_TRACE_LEN];
	unsigned trace_next;
	uint64_t nexits;
	/* Filled by a handler that ends the VM because of a guest fault. */
	char fault[256];
	/* Device MSRs (the LAPIC's in irqchip = "vmm" mode) before keel's
	 * table: 0 handled, -1 #GP, 1 not a device MSR. May be NULL. */
	int (*msr_hook)(void *opaque, unsigned cpu, uint32_t index, uint64_t *value, bool write);
	void *msr_opaque;
	/* MSR indices already reported as unknown, so a guest looping on rdmsr
	 * cannot flood the log. */
	uint32_t msr_logged[16];
	unsigned nmsr_logged;
	/* The last exit was answered with msr.error: KVM queues the #GP only
	 * when it completes that exit inside the next KVM_RUN. An interrupt
	 * given to KVM_INTERRUPT before then would be dropped (KVM can deliver
	 * one event per entry and forgets a queued interrupt at the exit that
	 * follows), so the vCPU loop must not inject until a KVM_RUN has run
	 * the guest (REQ-IRQ-014). */
	bool exception_on_entry;
};

#endif
