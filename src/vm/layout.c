#include "vm/layout.h"

#include <inttypes.h>
#include <string.h>

#include "boot/multiboot.h"

static void fmt_err(char *err, size_t errlen, const struct keel_config *cfg, int line,
		    const struct vm_config *vm, const char *key, const char *msg)
{
	snprintf(err, errlen, "%s:%d: vms.[%u]%s%s: %s", cfg->path, line, vm->index,
		 key[0] ? "." : "", key, msg);
}

int vm_layout_build(const struct keel_config *cfg, unsigned vm_index, struct vm_layout *l,
		    char *err, size_t errlen)
{
	const struct vm_config *vm = &cfg->vms[vm_index];
	struct boot_module_input mods[CFG_MAX_MODULES];
	struct boot_input in;
	struct boot_error berr;
	char msg[512];

	memset(l, 0, sizeof(*l));
	l->cfg = cfg;
	l->vm = vm;
	if (memmap_build(vm, &l->mm, msg, sizeof(msg)) != 0) {
		fmt_err(err, errlen, cfg, vm->memory_line, vm, "memory", msg);
		return -1;
	}
	if (vm->protocol != BOOT_MULTIBOOT) {
		fmt_err(err, errlen, cfg, vm->kernel_line, vm, "image.protocol",
			"protocol \"linux\" is not supported by this version of keel");
		return -1;
	}
	if (file_read_all(vm->kernel, &l->kernel, msg, sizeof(msg)) != 0) {
		fmt_err(err, errlen, cfg, vm->kernel_line, vm, "image.kernel", msg);
		return -1;
	}
	for (unsigned i = 0; i < vm->nmodules; i++) {
		char key[48];

		if (file_read_all(vm->modules[i].path, &l->modules[i], msg, sizeof(msg)) != 0) {
			snprintf(key, sizeof(key), "image.modules.[%u]", i);
			fmt_err(err, errlen, cfg, vm->modules[i].line, vm, key, msg);
			goto fail;
		}
		mods[i] = (struct boot_module_input){
			.data = l->modules[i].data,
			.size = l->modules[i].size,
			.cmdline = vm->modules[i].cmdline,
			.name = vm->modules[i].path,
		};
	}
	in = (struct boot_input){
		.kernel = l->kernel.data,
		.kernel_size = l->kernel.size,
		.kernel_name = vm->kernel,
		.cmdline = vm->cmdline,
		.nmodules = vm->nmodules,
		.modules = mods,
	};
	memset(&berr, 0, sizeof(berr));
	if (multiboot_plan(&in, &l->mm, &l->plan, &berr) != 0) {
		char key[48];
		int line = vm->kernel_line;

		switch (berr.source) {
		case BOOT_ERR_MODULE:
			snprintf(key, sizeof(key), "image.modules.[%u]", berr.module);
			if (berr.module < vm->nmodules)
				line = vm->modules[berr.module].line;
			break;
		case BOOT_ERR_CMDLINE:
			snprintf(key, sizeof(key), "image.cmdline");
			break;
		case BOOT_ERR_MEMORY:
			snprintf(key, sizeof(key), "memory");
			line = vm->memory_line;
			break;
		case BOOT_ERR_KERNEL:
		default:
			snprintf(key, sizeof(key), "image.kernel");
			break;
		}
		fmt_err(err, errlen, cfg, line, vm, key, berr.msg);
		goto fail;
	}
	if (bda_plan(&l->plan, &l->mm, &l->bda) < 0) {
		fmt_err(err, errlen, cfg, vm->memory_line, vm, "memory",
			"no room left in the boot plan for the BIOS data area");
		goto fail;
	}
	return 0;
fail:
	vm_layout_free(l);
	return -1;
}

void vm_layout_free(struct vm_layout *l)
{
	boot_plan_free(&l->plan);
	file_buf_free(&l->kernel);
	for (unsigned i = 0; i < CFG_MAX_MODULES; i++)
		file_buf_free(&l->modules[i]);
}

static void print_size(FILE *out, uint64_t size)
{
	if (size >= (1ULL << 20) && size % (1ULL << 20) == 0)
		fprintf(out, "%" PRIu64 " MiB", size >> 20);
	else if (size >= 1024 && size % 1024 == 0)
		fprintf(out, "%" PRIu64 " KiB", size >> 10);
	else
		fprintf(out, "%" PRIu64 " bytes", size);
}

void vm_layout_print(const struct vm_layout *l, FILE *out)
{
	const struct vm_config *vm = l->vm;
	const struct cfg_timers *t = &vm->timers;
	const struct boot_entry *e = &l->plan.entry;

	fprintf(out, "vm %s: %u vCPU%s, protocol multiboot, kernel %s\n", vm->name, vm->vcpus,
		vm->vcpus == 1 ? "" : "s", vm->kernel);
	if (vm->cmdline[0])
		fprintf(out, "  cmdline: \"%s\"\n", vm->cmdline);
	fprintf(out, "  memory map (%s):\n", vm->nregions ? "static regions" : "ram_mb PC layout");
	for (unsigned i = 0; i < l->mm.nentries; i++) {
		const struct memmap_entry *m = &l->mm.entries[i];

		fprintf(out, "    0x%016" PRIx64 "-0x%016" PRIx64 "  %-8s ", m->base,
			m->base + m->size - 1, memmap_type_name(m->type));
		print_size(out, m->size);
		fputc('\n', out);
	}
	fprintf(out, "  guest RAM: ");
	print_size(out, l->mm.backing_size);
	fprintf(out, " in %u KVM memory slot%s\n", l->mm.nslots, l->mm.nslots == 1 ? "" : "s");
	fprintf(out, "  load plan:\n");
	for (unsigned i = 0; i < l->plan.nitems; i++) {
		const struct boot_item *it = &l->plan.items[i];

		fprintf(out, "    0x%08" PRIx64 "-0x%08" PRIx64 "  %-28s ", it->gpa,
			it->gpa + it->size - 1, it->what);
		print_size(out, it->size);
		fputc('\n', out);
	}
	fprintf(out, "  entry: 32-bit protected mode, EIP=0x%08" PRIx64 " EAX=0x%08" PRIx64
		     " EBX=0x%08" PRIx64 "\n", e->rip, e->rax, e->rbx);
	fprintf(out, "  devices: com1 0x3f8 -> %s%s, post 0x80\n",
		vm->serial_stdout ? "stdout" : vm->serial_path,
		vm->debug_exit ? ", debug-exit 0xf4" : "");
	fprintf(out, "  irqchip: %s (%s)\n", vm->irqchip == IRQCHIP_KERNEL ? "kernel" : "vmm",
		vm->irqchip == IRQCHIP_KERNEL
			? "KVM's PIC, I/O APIC, LAPIC and PIT"
			: t->lapic ? "keel's PIC, I/O APIC and LAPICs" : "keel's PIC only, no APIC");
	fprintf(out, "  timers: pit=%s hpet=%s lapic=%s rtc=%s pm_timer=%s\n",
		t->pit ? "on" : "off", t->hpet ? "on" : "off", t->lapic ? "on" : "off",
		t->rtc ? "on" : "off", t->pm_timer ? "on" : "off");
	/* REQ-CFG-021: combinations that work but surprise are explained. */
	if (t->pit && t->hpet)
		fprintf(out, "  note: if the guest enables HPET legacy replacement, HPET timer 0 "
			     "takes IRQ0 from the PIT and timer 1 takes IRQ8 from the RTC\n");
	if (!t->lapic)
		fprintf(out, "  note: without a local APIC there is no I/O APIC either: "
			     "interrupts reach the CPU through the PIC only\n");
	if (vm->irqchip == IRQCHIP_KERNEL && !t->pit)
		fprintf(out, "  note: irqchip = \"kernel\" without the PIT: port 0x61 is unclaimed\n");
}
