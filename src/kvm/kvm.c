#include "kvm/kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define ERR(...) snprintf(err, errlen, __VA_ARGS__)

int kvm_open(struct kvm_sys *k, char *err, size_t errlen)
{
	int version, size;

	k->fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (k->fd < 0) {
		ERR("cannot open /dev/kvm: %s", strerror(errno));
		return -1;
	}
	version = ioctl(k->fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		ERR("KVM API version %d, keel needs %d", version, KVM_API_VERSION);
		goto fail;
	}
	size = ioctl(k->fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run)) {
		ERR("KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
		goto fail;
	}
	k->run_size = (size_t)size;
	return 0;
fail:
	close(k->fd);
	k->fd = -1;
	return -1;
}

void kvm_close(struct kvm_sys *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}

int kvm_check_extension(const struct kvm_sys *k, long cap)
{
	int r = ioctl(k->fd, KVM_CHECK_EXTENSION, cap);

	return r < 0 ? 0 : r;
}

int kvm_vm_create(const struct kvm_sys *k, struct kvm_handle *vm, char *err, size_t errlen)
{
	vm->fd = ioctl(k->fd, KVM_CREATE_VM, 0);
	if (vm->fd < 0) {
		ERR("KVM_CREATE_VM: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void kvm_vm_destroy(struct kvm_handle *vm)
{
	if (vm->fd >= 0)
		close(vm->fd);
	vm->fd = -1;
}

int kvm_vm_set_memslot(struct kvm_handle *vm, unsigned slot, uint64_t gpa, uint64_t size,
		       void *hva, char *err, size_t errlen)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)hva,
	};

	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r) != 0) {
		ERR("KVM_SET_USER_MEMORY_REGION slot %u at 0x%llx size 0x%llx: %s", slot,
		    (unsigned long long)gpa, (unsigned long long)size, strerror(errno));
		return -1;
	}
	return 0;
}

int kvm_vm_set_tss_addr(struct kvm_handle *vm, uint64_t gpa)
{
	return ioctl(vm->fd, KVM_SET_TSS_ADDR, (unsigned long)gpa) == 0 ? 0 : -1;
}

int kvm_vm_enable_user_msrs(struct kvm_handle *vm, const struct kvm_msr_allow *allow,
			    unsigned nallow, char *err, size_t errlen)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_X86_USER_SPACE_MSR,
		.args[0] = KVM_MSR_EXIT_REASON_FILTER | KVM_MSR_EXIT_REASON_UNKNOWN |
			   KVM_MSR_EXIT_REASON_INVAL,
	};
	struct kvm_msr_filter filter = { .flags = KVM_MSR_FILTER_DEFAULT_DENY };
	uint64_t bitmaps[KVM_MSR_FILTER_MAX_RANGES];

	if (nallow > KVM_MSR_FILTER_MAX_RANGES) {
		ERR("too many MSR filter ranges");
		return -1;
	}
	if (ioctl(vm->fd, KVM_ENABLE_CAP, &cap) != 0) {
		ERR("KVM_CAP_X86_USER_SPACE_MSR: %s", strerror(errno));
		return -1;
	}
	for (unsigned i = 0; i < nallow; i++) {
		bitmaps[i] = allow[i].allow_bits;
		filter.ranges[i] = (struct kvm_msr_filter_range){
			.flags = KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE,
			.nmsrs = allow[i].nmsrs,
			.base = allow[i].base,
			.bitmap = (uint8_t *)&bitmaps[i],
		};
	}
	if (ioctl(vm->fd, KVM_X86_SET_MSR_FILTER, &filter) != 0) {
		ERR("KVM_X86_SET_MSR_FILTER: %s", strerror(errno));
		return -1;
	}
	return 0;
}

struct kvm_cpuid2 *kvm_get_supported_cpuid(const struct kvm_sys *k, char *err, size_t errlen)
{
	/* Grow until KVM stops answering E2BIG. */
	for (unsigned n = 64; n <= 4096; n *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));

		if (c == NULL)
			break;
		c->nent = n;
		if (ioctl(k->fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			return c;
		free(c);
		if (errno != E2BIG) {
			ERR("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
			return NULL;
		}
	}
	ERR("KVM_GET_SUPPORTED_CPUID: list too large");
	return NULL;
}

int kvm_vcpu_create(const struct kvm_sys *k, struct kvm_handle *vm, unsigned id,
		    struct kvm_vcpu_handle *vcpu, char *err, size_t errlen)
{
	void *run;

	vcpu->id = id;
	vcpu->fd = ioctl(vm->fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (vcpu->fd < 0) {
		ERR("KVM_CREATE_VCPU %u: %s", id, strerror(errno));
		return -1;
	}
	run = mmap(NULL, k->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (run == MAP_FAILED) {
		ERR("mmap of vCPU %u run area: %s", id, strerror(errno));
		close(vcpu->fd);
		vcpu->fd = -1;
		return -1;
	}
	vcpu->run = run;
	vcpu->run_size = k->run_size;
	return 0;
}

void kvm_vcpu_destroy(struct kvm_vcpu_handle *vcpu)
{
	if (vcpu->run != NULL)
		munmap(vcpu->run, vcpu->run_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	vcpu->run = NULL;
	vcpu->fd = -1;
}

int kvm_vcpu_set_cpuid(struct kvm_vcpu_handle *vcpu, const struct kvm_cpuid2 *cpuid,
		       char *err, size_t errlen)
{
	if (ioctl(vcpu->fd, KVM_SET_CPUID2, cpuid) != 0) {
		ERR("KVM_SET_CPUID2 on vCPU %u: %s", vcpu->id, strerror(errno));
		return -1;
	}
	return 0;
}

static void flat_segment(struct kvm_segment *s, uint16_t selector, uint8_t type)
{
	*s = (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = selector, .type = type,
		.present = 1, .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1,
	};
}

int kvm_vcpu_set_entry(struct kvm_vcpu_handle *vcpu, const struct boot_entry *entry,
		       char *err, size_t errlen)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = { 0 };

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) != 0) {
		ERR("KVM_GET_SREGS: %s", strerror(errno));
		return -1;
	}
	switch (entry->mode) {
	case BOOT_ENTRY_PROTECTED32:
		/* Multiboot 0.6.96 section 3.2: flat 32-bit code (execute/read)
		 * and data (read/write) segments, CR0.PE=1, PG=0, IF=0. The
		 * selectors are our choice; the guest must load its own GDT. */
		flat_segment(&sregs.cs, 0x08, 0xb);
		flat_segment(&sregs.ds, 0x10, 0x3);
		sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
		sregs.cr0 = 0x11;       /* PE | ET */
		sregs.cr3 = 0;
		sregs.cr4 = 0;
		sregs.efer = 0;
		break;
	case BOOT_ENTRY_LONG64:
		/* Linux boot protocol, 64-bit entry (boot.rst): long mode with
		 * paging on the loader's identity map, a GDT whose 0x10 is flat
		 * 64-bit code and 0x18 flat data, CS=0x10, DS=ES=SS=0x18, IF=0.
		 * The hidden parts of the segment registers are set to what
		 * loading those descriptors gives. */
		flat_segment(&sregs.cs, 0x10, 0xb);
		sregs.cs.l = 1;
		sregs.cs.db = 0;
		flat_segment(&sregs.ds, 0x18, 0x3);
		sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
		sregs.gdt.base = entry->gdt_base;
		sregs.gdt.limit = entry->gdt_limit;
		sregs.cr3 = entry->cr3;
		sregs.cr4 = 0x20;                /* PAE */
		sregs.cr0 = 0x80050033;          /* PG | AM | WP | NE | ET | MP | PE */
		sregs.efer = 0x500;              /* LMA | LME */
		break;
	default:
		ERR("unknown entry mode %d", (int)entry->mode);
		return -1;
	}
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) != 0) {
		ERR("KVM_SET_SREGS: %s", strerror(errno));
		return -1;
	}
	regs.rip = entry->rip;
	regs.rax = entry->rax;
	regs.rbx = entry->rbx;
	regs.rcx = entry->rcx;
	regs.rdx = entry->rdx;
	regs.rsi = entry->rsi;
	regs.rdi = entry->rdi;
	regs.rsp = entry->rsp;
	regs.rflags = 0x2;      /* reserved bit 1; IF=0, VM=0 */
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs) != 0) {
		ERR("KVM_SET_REGS: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int kvm_vcpu_run(struct kvm_vcpu_handle *vcpu)
{
	return ioctl(vcpu->fd, KVM_RUN, 0) == 0 ? 0 : -1;
}

int kvm_vcpu_get_regs(struct kvm_vcpu_handle *vcpu, struct kvm_regs *regs)
{
	return ioctl(vcpu->fd, KVM_GET_REGS, regs) == 0 ? 0 : -1;
}

int kvm_vcpu_get_sregs(struct kvm_vcpu_handle *vcpu, struct kvm_sregs *sregs)
{
	return ioctl(vcpu->fd, KVM_GET_SREGS, sregs) == 0 ? 0 : -1;
}

uint32_t kvm_vcpu_tsc_khz(struct kvm_vcpu_handle *vcpu)
{
	int r = ioctl(vcpu->fd, KVM_GET_TSC_KHZ, 0);

	return r > 0 ? (uint32_t)r : 0;
}

int kvm_vcpu_interrupt(struct kvm_vcpu_handle *vcpu, uint8_t vector)
{
	struct kvm_interrupt irq = { .irq = vector };

	return ioctl(vcpu->fd, KVM_INTERRUPT, &irq) == 0 ? 0 : -1;
}

int kvm_vcpu_nmi(struct kvm_vcpu_handle *vcpu)
{
	return ioctl(vcpu->fd, KVM_NMI, 0) == 0 ? 0 : -1;
}

int kvm_vcpu_set_sipi_state(struct kvm_vcpu_handle *vcpu, uint8_t vector)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rflags = 0x2 };
	struct kvm_segment rm = { .limit = 0xffff, .present = 1, .s = 1, .type = 0x3 };

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) != 0)
		return -1;
	/* SDM 8.4.4/9.1.1: after INIT and SIPI the AP starts in real mode at
	 * CS = vector << 8, IP = 0, other segments at base 0, paging off. */
	sregs.cs = rm;
	sregs.cs.type = 0xb;
	sregs.cs.selector = (uint16_t)(vector << 8);
	sregs.cs.base = (uint64_t)vector << 12;
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = rm;
	sregs.cr0 = 0x60000010;  /* CD | NW | ET: the reset value */
	sregs.cr3 = sregs.cr4 = 0;
	sregs.efer = 0;
	sregs.gdt.base = sregs.idt.base = 0;
	sregs.gdt.limit = sregs.idt.limit = 0xffff;
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) != 0)
		return -1;
	return ioctl(vcpu->fd, KVM_SET_REGS, &regs) == 0 ? 0 : -1;
}

int kvm_vcpu_get_msr(struct kvm_vcpu_handle *vcpu, uint32_t index, uint64_t *value)
{
	/* struct kvm_msrs ends in a flexible array: one entry follows it. */
	union {
		struct kvm_msrs hdr;
		uint8_t buf[sizeof(struct kvm_msrs) + sizeof(struct kvm_msr_entry)];
	} m;

	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = 1;
	m.hdr.entries[0].index = index;
	if (ioctl(vcpu->fd, KVM_GET_MSRS, &m) != 1)
		return -1;
	*value = m.hdr.entries[0].data;
	return 0;
}

int kvm_vm_create_irqchip(struct kvm_handle *vm, bool pit, char *err, size_t errlen)
{
	/* struct kvm_irq_routing ends in a flexible array of entries. */
	union {
		struct kvm_irq_routing hdr;
		uint8_t buf[sizeof(struct kvm_irq_routing) +
			    (15 + 23) * sizeof(struct kvm_irq_routing_entry)];
	} r;
	struct kvm_irq_routing_entry *e = r.hdr.entries;
	unsigned n = 0;

	if (ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0) != 0) {
		ERR("KVM_CREATE_IRQCHIP: %s", strerror(errno));
		return -1;
	}
	/* The PC wiring: GSI 0-15 to the PIC inputs, GSI n to I/O APIC pin n
	 * except the ISA IRQ0 override (GSI 0 -> pin 2), as keel's own
	 * irqchip does, so guests see the same platform in both modes. */
	memset(&r, 0, sizeof(r));
	for (unsigned gsi = 0; gsi < 24; gsi++) {
		if (gsi < 16 && gsi != 2) {
			e[n].gsi = gsi;
			e[n].type = KVM_IRQ_ROUTING_IRQCHIP;
			e[n].u.irqchip.irqchip = gsi < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE;
			e[n].u.irqchip.pin = gsi % 8;
			n++;
		}
		if (gsi == 2)
			continue;
		e[n].gsi = gsi;
		e[n].type = KVM_IRQ_ROUTING_IRQCHIP;
		e[n].u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
		e[n].u.irqchip.pin = gsi == 0 ? 2 : gsi;
		n++;
	}
	r.hdr.nr = n;
	if (ioctl(vm->fd, KVM_SET_GSI_ROUTING, &r) != 0) {
		ERR("KVM_SET_GSI_ROUTING: %s", strerror(errno));
		return -1;
	}
	if (pit) {
		struct kvm_pit_config pc = { .flags = KVM_PIT_SPEAKER_DUMMY };

		if (ioctl(vm->fd, KVM_CREATE_PIT2, &pc) != 0) {
			ERR("KVM_CREATE_PIT2: %s", strerror(errno));
			return -1;
		}
	}
	return 0;
}

int kvm_vm_irq_line(struct kvm_handle *vm, unsigned gsi, bool level)
{
	struct kvm_irq_level l = { .irq = gsi, .level = level ? 1 : 0 };

	return ioctl(vm->fd, KVM_IRQ_LINE, &l) == 0 ? 0 : -1;
}

int kvm_vcpu_lapic_load(struct kvm_vcpu_handle *vcpu, bool virtual_wire)
{
	struct kvm_lapic_state st;
	static const struct { unsigned off; uint32_t val; } regs[] = {
		{ 0xf0, 0x1ff }, { 0x350, 0x700 }, { 0x360, 0x400 },
	};

	if (ioctl(vcpu->fd, KVM_GET_LAPIC, &st) != 0)
		return -1;
	for (unsigned i = 0; virtual_wire && i < sizeof(regs) / sizeof(regs[0]); i++)
		memcpy(&st.regs[regs[i].off], &regs[i].val, 4);
	return ioctl(vcpu->fd, KVM_SET_LAPIC, &st) == 0 ? 0 : -1;
}

int kvm_vcpu_get_events(struct kvm_vcpu_handle *vcpu, struct kvm_vcpu_events *ev)
{
	return ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, ev);
}

int kvm_vcpu_interruptible(struct kvm_vcpu_handle *vcpu)
{
	struct kvm_regs regs;
	struct kvm_vcpu_events ev;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs) != 0 ||
	    ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &ev) != 0)
		return -1;
	/* As KVM's own ready_for_interrupt_injection: also no NMI or exception
	 * half-delivered (an exit during event delivery re-injects it on the
	 * next entry, and an interrupt queued now would follow it into the
	 * handler with IF already cleared). */
	return (regs.rflags & 0x200) && !ev.interrupt.injected && !ev.interrupt.shadow &&
	       !ev.exception.injected && !ev.exception.pending && !ev.nmi.injected;
}
