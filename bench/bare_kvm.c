/* The floor for exit costs: runs a Multiboot guest with keel's loader and
 * KVM wrappers but a bare exit loop (no bus, no devices, no locks, no
 * trace): port 0x3f8 writes go to stdout, LSR reads say "transmitter
 * empty", port 0xf4 ends the run, everything else is ignored.
 * usage: bare_kvm FILE.cfg   (the first VM of the description) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "kvm/kvm.h"
#include "vm/cpuid.h"
#include "vm/layout.h"
#include "vm/msr.h"

int main(int argc, char **argv)
{
	static struct keel_config cfg;
	static struct vm_layout l;
	struct kvm_sys k;
	struct kvm_handle vm;
	struct kvm_vcpu_handle v;
	struct guest_mem gm;
	struct kvm_msr_allow allow[16];
	struct kvm_cpuid2 *c;
	struct cpuid_platform cp = { .nvcpus = 1, .lapic_khz = 1000000 };
	char err[512];
	uint8_t lcr = 0;        /* the UART's LCR: DLAB turns 0x3f8 into DLL */
	int n;

	if (argc != 2 || config_load(argv[1], &cfg, err, sizeof(err)) != 0 ||
	    vm_layout_build(&cfg, 0, &l, err, sizeof(err)) != 0) {
		fprintf(stderr, "bare_kvm: %s\n", argc == 2 ? err : "usage: bare_kvm FILE.cfg");
		return 2;
	}
	if (kvm_open(&k, err, sizeof(err)) != 0 || kvm_vm_create(&k, &vm, err, sizeof(err)) != 0 ||
	    guest_mem_create(&gm, &l.mm, "bare", err, sizeof(err)) != 0)
		goto fail;
	for (unsigned i = 0; i < gm.nslots; i++)
		if (kvm_vm_set_memslot(&vm, i, gm.slots[i].gpa, gm.slots[i].size, gm.slots[i].hva, err,
				       sizeof(err)) != 0)
			goto fail;
	n = msr_kernel_allow_list(allow, 16, true);
	if (n < 0 || kvm_vm_enable_user_msrs(&vm, allow, (unsigned)n, err, sizeof(err)) != 0 ||
	    boot_plan_apply(&l.plan, &gm, err, sizeof(err)) != 0 ||
	    (c = kvm_get_supported_cpuid(&k, err, sizeof(err))) == NULL ||
	    kvm_vcpu_create(&k, &vm, 0, &v, err, sizeof(err)) != 0)
		goto fail;
	c = realloc(c, sizeof(*c) + (c->nent + 4) * sizeof(c->entries[0]));
	cp.tsc_khz = kvm_vcpu_tsc_khz(&v);
	if (c == NULL || cpuid_policy_apply(c, c->nent + 4, &cp) != 0 ||
	    kvm_vcpu_set_cpuid(&v, c, err, sizeof(err)) != 0 ||
	    kvm_vcpu_set_entry(&v, &l.plan.entry, err, sizeof(err)) != 0)
		goto fail;
	for (;;) {
		struct kvm_run *run = v.run;
		uint8_t *d;

		if (kvm_vcpu_run(&v) != 0)
			continue;
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			d = (uint8_t *)run + run->io.data_offset;
			if (run->io.direction == KVM_EXIT_IO_OUT && run->io.port == 0x3fb)
				lcr = d[0];
			else if (run->io.direction == KVM_EXIT_IO_OUT && run->io.port == 0x3f8 &&
				 !(lcr & 0x80))
				fputc(d[0], stdout);
			else if (run->io.direction == KVM_EXIT_IO_OUT && run->io.port == 0xf4)
				return (d[0] << 1) | 1;
			else if (run->io.direction == KVM_EXIT_IO_IN)
				memset(d, run->io.port == 0x3fd ? 0x60 : 0xff, run->io.size);
			break;
		case KVM_EXIT_MMIO:
			if (!run->mmio.is_write)
				memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
			break;
		case KVM_EXIT_X86_RDMSR:
		case KVM_EXIT_X86_WRMSR:
			run->msr.error = 1;
			break;
		default:
			fprintf(stderr, "bare_kvm: exit %u\n", run->exit_reason);
			return 1;
		}
	}
fail:
	fprintf(stderr, "bare_kvm: %s\n", err);
	return 1;
}
