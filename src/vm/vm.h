/* One VM's lifetime: create it in KVM from a validated layout, run its
 * vCPUs until it stops, report how it ended (REQ-CLI-003, REQ-EXIT-*). */
#ifndef KEEL_VM_VM_H
#define KEEL_VM_VM_H

#include "vm/layout.h"

/* Runs the VM to completion; returns keel's exit status for it. */
int vm_run(struct vm_layout *layout);

#endif
