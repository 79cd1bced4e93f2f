#include "vm/exit.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/log.h"
#include "vm/msr.h"

typedef enum exit_action (*exit_handler_fn)(struct vcpu *v);

void vcpu_trace_record(struct vcpu *v, char kind, uint64_t addr, const uint8_t *data,
		       unsigned len, bool is_write)
{
	struct access_record *r = &v->trace[v->trace_next % VCPU_TRACE_LEN];
	uint64_t value = 0;

	memcpy(&value, data, len < 8 ? len : 8);
	*r = (struct access_record){ kind, is_write, (uint8_t)len, addr, value };
	v->trace_next++;
}

static enum exit_action fault(struct vcpu *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static enum exit_action fault(struct vcpu *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->fault, sizeof(v->fault), fmt, ap);
	va_end(ap);
	return EXIT_FAULT;
}

/* REQ-EXIT-002: port I/O, including string I/O (rep ins/outs), where KVM
 * hands over `count` items at data_offset in the run area. */
static enum exit_action handle_io(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint64_t size = run->io.size, count = run->io.count, off = run->io.data_offset;
	bool is_write = run->io.direction == KVM_EXIT_IO_OUT;

	if ((size != 1 && size != 2 && size != 4) || count == 0 || off > v->run_size ||
	    size * count > v->run_size - off)
		return fault(v, "malformed port I/O exit (port 0x%x size %llu count %llu)",
			     run->io.port, (unsigned long long)size, (unsigned long long)count);
	for (uint64_t i = 0; i < count; i++) {
		uint8_t *data = (uint8_t *)run + off + i * size;

		iobus_access(v->pio, run->io.port, data, (unsigned)size, is_write);
		vcpu_trace_record(v, 'p', run->io.port, data, (unsigned)size, is_write);
		if (vm_stop_requested(v->stop))
			return EXIT_STOP;
	}
	return EXIT_RESUME;
}

/* REQ-EXIT-003: MMIO; KVM has decoded the instruction and gives the access. */
static enum exit_action handle_mmio(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	unsigned len = run->mmio.len;

	if (len == 0 || len > sizeof(run->mmio.data))
		return fault(v, "malformed MMIO exit at 0x%llx (len %u)",
			     (unsigned long long)run->mmio.phys_addr, len);
	iobus_access(v->mmio, run->mmio.phys_addr, run->mmio.data, len, run->mmio.is_write);
	vcpu_trace_record(v, 'm', run->mmio.phys_addr, run->mmio.data, len, run->mmio.is_write);
	return vm_stop_requested(v->stop) ? EXIT_STOP : EXIT_RESUME;
}

/* REQ-EXIT-004: HLT. With IF=1 the vCPU waits for an interrupt; with IF=0
 * only an NMI or INIT can wake it (the usual way to park a CPU, and for the
 * last running CPU the guest's way of saying "done"). The VM loop decides. */
static enum exit_action handle_hlt(struct vcpu *v)
{
	return v->run->if_flag ? EXIT_HALT_WAIT : EXIT_HALT_NOIRQ;
}

static enum exit_action handle_shutdown(struct vcpu *v)
{
	return fault(v, "triple fault (shutdown)");
}

static enum exit_action handle_fail_entry(struct vcpu *v)
{
	return fault(v, "VM entry failed (hardware reason 0x%llx)",
		     (unsigned long long)v->run->fail_entry.hardware_entry_failure_reason);
}

static enum exit_action handle_internal_error(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	static const char *const sub[] = {
		[KVM_INTERNAL_ERROR_EMULATION] = "instruction emulation failed",
		[KVM_INTERNAL_ERROR_SIMUL_EX] = "exception while delivering an exception",
		[KVM_INTERNAL_ERROR_DELIVERY_EV] = "event delivery failed",
	};
	const char *what = run->internal.suberror < sizeof(sub) / sizeof(sub[0]) &&
				   sub[run->internal.suberror] != NULL
				   ? sub[run->internal.suberror]
				   : "unknown";

	return fault(v, "KVM internal error %u (%s)", run->internal.suberror, what);
}

static void log_msr_once(struct vcpu *v, uint32_t index, bool is_write)
{
	for (unsigned i = 0; i < v->nmsr_logged; i++)
		if (v->msr_logged[i] == index)
			return;
	if (v->nmsr_logged < sizeof(v->msr_logged) / sizeof(v->msr_logged[0]))
		v->msr_logged[v->nmsr_logged++] = index;
	else
		return;
	log_warn("vCPU %u: %s of MSR 0x%x not allowed: #GP injected", v->id,
		 is_write ? "wrmsr" : "rdmsr", index);
}

/* REQ-MSR-002: MSRs outside the kernel allow list come here; keel's table
 * answers, anything else gets #GP (msr.error = 1 makes KVM inject it). */
static int device_msr(struct vcpu *v, uint64_t *val, bool write)
{
	if (v->msr_hook == NULL)
		return 1;
	return v->msr_hook(v->msr_opaque, v->id, v->run->msr.index, val, write);
}

static enum exit_action handle_rdmsr(struct vcpu *v)
{
	uint64_t val = 0;
	int dev = device_msr(v, &val, false);

	if (dev != 1) {
		v->run->msr.data = dev == 0 ? val : 0;
		v->run->msr.error = dev == 0 ? 0 : 1;
	} else if (msr_read(v->run->msr.index, &val) == 0) {
		v->run->msr.data = val;
		v->run->msr.error = 0;
	} else {
		v->run->msr.error = 1;
		log_msr_once(v, v->run->msr.index, false);
	}
	v->exception_on_entry = v->run->msr.error != 0;
	return EXIT_RESUME;
}

static enum exit_action handle_wrmsr(struct vcpu *v)
{
	uint64_t val = v->run->msr.data;
	int dev = device_msr(v, &val, true);

	if (dev != 1) {
		v->run->msr.error = dev == 0 ? 0 : 1;
	} else if (msr_write(v->run->msr.index, v->run->msr.data) == 0) {
		v->run->msr.error = 0;
	} else {
		v->run->msr.error = 1;
		log_msr_once(v, v->run->msr.index, true);
	}
	v->exception_on_entry = v->run->msr.error != 0;
	return EXIT_RESUME;
}

/* REQ-IRQ-005: the guest can take an interrupt now; the vCPU loop injects
 * it before the next KVM_RUN. */
static enum exit_action handle_irq_window(struct vcpu *v)
{
	v->run->request_interrupt_window = 0;
	return EXIT_RESUME;
}

/* KVM_RUN returned because of a signal (a kick): nothing to emulate. */
static enum exit_action handle_intr(struct vcpu *v)
{
	return vm_stop_requested(v->stop) ? EXIT_STOP : EXIT_RESUME;
}

static enum exit_action handle_system_event(struct vcpu *v)
{
	switch (v->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		vm_stop_request(v->stop, KEEL_EXIT_CLEAN, "guest powered off");
		return EXIT_STOP;
	case KVM_SYSTEM_EVENT_RESET:
		vm_stop_request(v->stop, KEEL_EXIT_REBOOT, "guest requested a reset");
		return EXIT_STOP;
	default:
		return fault(v, "system event %u", v->run->system_event.type);
	}
}

/* REQ-EXIT-001: the dispatch table. A reason without a handler is a clear
 * fault, never silently ignored. */
static const exit_handler_fn exit_handlers[] = {
	[KVM_EXIT_IO] = handle_io,
	[KVM_EXIT_MMIO] = handle_mmio,
	[KVM_EXIT_HLT] = handle_hlt,
	[KVM_EXIT_SHUTDOWN] = handle_shutdown,
	[KVM_EXIT_FAIL_ENTRY] = handle_fail_entry,
	[KVM_EXIT_INTERNAL_ERROR] = handle_internal_error,
	[KVM_EXIT_INTR] = handle_intr,
	[KVM_EXIT_IRQ_WINDOW_OPEN] = handle_irq_window,
	[KVM_EXIT_SYSTEM_EVENT] = handle_system_event,
	[KVM_EXIT_X86_RDMSR] = handle_rdmsr,
	[KVM_EXIT_X86_WRMSR] = handle_wrmsr,
};

static const char *const exit_names[] = {
	[KVM_EXIT_UNKNOWN] = "unknown", [KVM_EXIT_EXCEPTION] = "exception",
	[KVM_EXIT_IO] = "io", [KVM_EXIT_HYPERCALL] = "hypercall", [KVM_EXIT_DEBUG] = "debug",
	[KVM_EXIT_HLT] = "hlt", [KVM_EXIT_MMIO] = "mmio",
	[KVM_EXIT_IRQ_WINDOW_OPEN] = "irq-window-open", [KVM_EXIT_SHUTDOWN] = "shutdown",
	[KVM_EXIT_FAIL_ENTRY] = "fail-entry", [KVM_EXIT_INTR] = "intr",
	[KVM_EXIT_SET_TPR] = "set-tpr", [KVM_EXIT_TPR_ACCESS] = "tpr-access",
	[KVM_EXIT_NMI] = "nmi", [KVM_EXIT_INTERNAL_ERROR] = "internal-error",
	[KVM_EXIT_SYSTEM_EVENT] = "system-event", [KVM_EXIT_X86_RDMSR] = "rdmsr",
	[KVM_EXIT_X86_WRMSR] = "wrmsr",
};

const char *exit_reason_name(uint32_t reason)
{
	if (reason < sizeof(exit_names) / sizeof(exit_names[0]) && exit_names[reason] != NULL)
		return exit_names[reason];
	return "?";
}

enum exit_action exit_dispatch(struct vcpu *v)
{
	uint32_t reason = v->run->exit_reason;

	v->nexits++;
	v->exception_on_entry = false;
	if (reason >= sizeof(exit_handlers) / sizeof(exit_handlers[0]) ||
	    exit_handlers[reason] == NULL)
		return fault(v, "unhandled exit reason %u (%s)", reason, exit_reason_name(reason));
	return exit_handlers[reason](v);
}
