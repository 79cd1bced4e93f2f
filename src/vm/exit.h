/* VM-exit dispatch (REQ-EXIT-*): one table from KVM exit reason to handler,
 * like the talk's x86_exit_handlers[]. KVM_RUN -> exit_dispatch -> bus ->
 * device model: three hops. */
#ifndef KEEL_VM_EXIT_H
#define KEEL_VM_EXIT_H

#include "vm/vcpu.h"

enum exit_action {
	EXIT_RESUME = 0,        /* run the vCPU again */
	EXIT_HALT_WAIT,         /* vCPU executed HLT with IF=1: wait for an event */
	EXIT_HALT_NOIRQ,        /* HLT with IF=0: only NMI or INIT can wake it */
	EXIT_STOP,              /* the VM was asked to stop (status already set) */
	EXIT_FAULT,             /* the guest did something keel cannot handle; see vcpu->fault */
};

enum exit_action exit_dispatch(struct vcpu *v);
/* Human name of a KVM exit reason, for messages. */
const char *exit_reason_name(uint32_t reason);
void vcpu_trace_record(struct vcpu *v, char kind, uint64_t addr, const uint8_t *data,
		       unsigned len, bool is_write);

#endif
