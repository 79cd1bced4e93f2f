/* MSR policy (REQ-MSR-*). Architectural MSRs that KVM keeps in the vCPU
 * state are handled in the kernel (the allow list of the MSR filter); every
 * other MSR exits to keel, which looks it up in its own table. An MSR in
 * neither gets #GP, as on a CPU that does not implement it. Pure. */
#ifndef KEEL_VM_MSR_H
#define KEEL_VM_MSR_H

#include <stdbool.h>
#include <stdint.h>

#include "kvm/kvm.h"

#define MSR_IA32_PLATFORM_ID     0x17u
#define MSR_IA32_FEATURE_CONTROL 0x3au
#define MSR_EFER                 0xc0000080u

/* Builds the kernel allow list (MSR filter ranges) into `out`; returns the
 * number of ranges used, at most `cap`, or -1 if they do not fit. */
int msr_kernel_allow_list(struct kvm_msr_allow *out, unsigned cap, bool kernel_lapic);
/* True if `index` is in the kernel allow list. */
bool msr_in_kernel(uint32_t index, bool kernel_lapic);

/* keel's own MSRs. 0 = handled (value in *val for reads); -1 = #GP. */
int msr_read(uint32_t index, uint64_t *val);
int msr_write(uint32_t index, uint64_t val);
/* Name for messages, or NULL. */
const char *msr_name(uint32_t index);

#endif
