#include "vm/layout.h"

#include <inttypes.h>
#include <string.h>

#include "boot/linux.h"
#include "boot/multiboot.h"
#include "fw/acpi.h"
#include "fw/acpi_hw.h"
#include "fw/mptable.h"

static void fmt_err(char *err, size_t errlen, const struct keel_config *cfg, int line,
		    const struct vm_config *vm, const char *key, const char *msg)
{
	snprintf(err, errlen, "%s:%d: vms.[%u]%s%s: %s", cfg->path, line, vm->index,
		 key[0] ? "." : "", key, msg);
}

/* Top 4 KiB page of the highest RAM entry below 4 GiB (ACPI tables hold
 * 32-bit pointers), or 0. */
static uint64_t static_fw_area(const struct memmap *mm, uint64_t size)
{
	for (unsigned i = mm->nentries; i-- > 0;) {
		const struct memmap_entry *e = &mm->entries[i];
		uint64_t end = e->base + e->size;

		if (e->type != MEMMAP_RAM || e->base >= MEMMAP_4G)
			continue;
		if (end > MEMMAP_4G)
			end = MEMMAP_4G;
		end &= ~(CFG_PAGE_SIZE - 1);
		if (end >= e->base + size + CFG_PAGE_SIZE && end - size >= MEMMAP_PC_HIGH_START)
			return (end - size) & ~(CFG_PAGE_SIZE - 1);
	}
	return 0;
}

/* REQ-ACPI-*, REQ-MPT-*: firmware tables describing this VM. The PC layout
 * gets ACPI at 0xe0000 and the MP table at 0xf0000, where kernels scan for
 * them; a static map running Linux gets ACPI in a page at the top of its
 * RAM below 4 GiB (reserved in e820, its address in boot_params); a static
 * Multiboot partition gets none (it is told its world by its boot protocol). */
static int fw_tables_build(struct vm_layout *l, char *err, size_t errlen)
{
	const struct vm_config *vm = l->vm;
	struct fw_desc d = {
		.ncpus = vm->vcpus, .lapic = vm->timers.lapic, .hpet = vm->timers.hpet,
		.pm_timer = vm->timers.pm_timer, .rtc = vm->timers.rtc, .pit = vm->timers.pit,
	};
	bool pc = vm->nregions == 0;
	uint64_t acpi_gpa = pc ? FW_PC_TABLES_BASE : 0;
	size_t used = 0;

	l->nfw = 0;
	l->acpi_rsdp = 0;
	if (!pc && vm->protocol != BOOT_LINUX)
		return 0;
	if (!pc) {
		acpi_gpa = static_fw_area(&l->mm, sizeof(l->acpi));
		if (acpi_gpa == 0) {
			snprintf(err, errlen, "no RAM page below 4 GiB (above 1 MiB) for the ACPI tables");
			return -1;
		}
	}
	if (acpi_build(&d, acpi_gpa, l->acpi, sizeof(l->acpi), &used, &l->acpi_rsdp, err,
		       errlen) != 0)
		return -1;
	l->fw[l->nfw++] = (struct boot_fw_blob){
		.gpa = acpi_gpa, .data = l->acpi,
		.size = pc ? used : (used + CFG_PAGE_SIZE - 1) & ~(CFG_PAGE_SIZE - 1),
		.what = "ACPI tables", .acpi = false,
	};
	if (pc && vm->timers.lapic) {
		uint64_t mpfp = 0;

		if (mptable_build(&d, FW_PC_TABLES_BASE + 0x10000, l->mptable, sizeof(l->mptable),
				  &used, &mpfp, err, errlen) != 0)
			return -1;
		l->fw[l->nfw++] = (struct boot_fw_blob){
			.gpa = FW_PC_TABLES_BASE + 0x10000, .data = l->mptable, .size = used,
			.what = "MP table", .acpi = false,
		};
	}
	return 0;
}

/* boot_plan release hook: the chunk lies in at most one of the images. */
static void release_image_pages(void *ctx, const uint8_t *src, size_t len)
{
	const struct vm_layout *l = ctx;

	file_buf_release(&l->kernel, src, len);
	file_buf_release(&l->initrd, src, len);
	for (unsigned i = 0; i < l->vm->nmodules && i < CFG_MAX_MODULES; i++)
		file_buf_release(&l->modules[i], src, len);
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
	if (file_map(vm->kernel, &l->kernel, msg, sizeof(msg)) != 0) {
		fmt_err(err, errlen, cfg, vm->kernel_line, vm, "image.kernel", msg);
		return -1;
	}
	for (unsigned i = 0; i < vm->nmodules; i++) {
		char key[48];

		if (file_map(vm->modules[i].path, &l->modules[i], msg, sizeof(msg)) != 0) {
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
	if (vm->protocol == BOOT_LINUX) {
		if (vm->initrd[0] != '\0' &&
		    file_map(vm->initrd, &l->initrd, msg, sizeof(msg)) != 0) {
			fmt_err(err, errlen, cfg, vm->initrd_line, vm, "image.initrd", msg);
			goto fail;
		}
		in.initrd = l->initrd.data;
		in.initrd_size = l->initrd.size;
		in.initrd_name = vm->initrd;
		in.kernel_addr = vm->kernel_addr;
		in.initrd_addr = vm->initrd_addr;
	}
	if (fw_tables_build(l, msg, sizeof(msg)) != 0) {
		fmt_err(err, errlen, cfg, vm->memory_line, vm, "memory", msg);
		goto fail;
	}
	in.nfw = l->nfw;
	in.fw = l->fw;
	in.acpi_rsdp = l->acpi_rsdp;
	memset(&berr, 0, sizeof(berr));
	if ((vm->protocol == BOOT_LINUX ? linux_plan(&in, &l->mm, &l->plan, &berr)
					: multiboot_plan(&in, &l->mm, &l->plan, &berr)) != 0) {
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
		case BOOT_ERR_INITRD:
			snprintf(key, sizeof(key), "image.initrd");
			line = vm->initrd_line;
			break;
		case BOOT_ERR_KERNEL_ADDR:
			snprintf(key, sizeof(key), "image.kernel_addr");
			line = vm->kernel_addr_line;
			break;
		case BOOT_ERR_INITRD_ADDR:
			snprintf(key, sizeof(key), "image.initrd_addr");
			line = vm->initrd_addr_line;
			break;
		case BOOT_ERR_KERNEL:
		default:
			snprintf(key, sizeof(key), "image.kernel");
			break;
		}
		fmt_err(err, errlen, cfg, line, vm, key, berr.msg);
		goto fail;
	}
	/* Multiboot plans know nothing of firmware: add the tables after. */
	for (unsigned i = 0; vm->protocol == BOOT_MULTIBOOT && i < l->nfw; i++) {
		if (boot_plan_find_overlap(&l->plan, l->fw[i].gpa, l->fw[i].size) >= 0 ||
		    boot_plan_add(&l->plan, l->fw[i].gpa, l->fw[i].size, l->fw[i].data,
				  l->fw[i].size, l->fw[i].what) != 0) {
			fmt_err(err, errlen, cfg, vm->memory_line, vm, "memory",
				"no room for the firmware tables");
			goto fail;
		}
	}
	if (bda_plan(&l->plan, &l->mm, &l->bda) < 0) {
		fmt_err(err, errlen, cfg, vm->memory_line, vm, "memory",
			"no room left in the boot plan for the BIOS data area");
		goto fail;
	}
	l->plan.release_src = release_image_pages;
	l->plan.release_ctx = l;
	return 0;
fail:
	vm_layout_free(l);
	return -1;
}

void vm_layout_drop_images(struct vm_layout *l)
{
	/* The plan's items point into these buffers: it cannot be applied
	 * again (or printed with contents) afterwards. */
	file_buf_free(&l->kernel);
	file_buf_free(&l->initrd);
	for (unsigned i = 0; i < CFG_MAX_MODULES; i++)
		file_buf_free(&l->modules[i]);
	l->images_dropped = true;
}

void vm_layout_free(struct vm_layout *l)
{
	boot_plan_free(&l->plan);
	file_buf_free(&l->kernel);
	file_buf_free(&l->initrd);
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

	fprintf(out, "vm %s: %u vCPU%s, protocol %s, kernel %s\n", vm->name, vm->vcpus,
		vm->vcpus == 1 ? "" : "s", vm->protocol == BOOT_LINUX ? "linux" : "multiboot",
		vm->kernel);
	if (vm->protocol == BOOT_LINUX) {
		struct linux_header h;
		char msg[128];

		if (linux_parse_header(l->kernel.data, l->kernel.size, &h, msg, sizeof(msg)) == 0)
			linux_describe(&h, "  ", out);
		if (vm->initrd[0])
			fprintf(out, "  initrd: %s\n", vm->initrd);
	}
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
	if (e->mode == BOOT_ENTRY_LONG64)
		fprintf(out, "  entry: 64-bit long mode, RIP=0x%08" PRIx64 " RSI=0x%08" PRIx64
			     " (zero page) CR3=0x%08" PRIx64 "\n", e->rip, e->rsi, e->cr3);
	else
		fprintf(out, "  entry: 32-bit protected mode, EIP=0x%08" PRIx64 " EAX=0x%08" PRIx64
			     " EBX=0x%08" PRIx64 "\n", e->rip, e->rax, e->rbx);
	if (l->acpi_rsdp)
		fprintf(out, "  firmware: ACPI RSDP at 0x%08" PRIx64 "%s\n", l->acpi_rsdp,
			l->nfw > 1 ? ", MP table at 0x000f0000" : "");
	fprintf(out, "  on reboot: %s\n", vm->on_reboot == REBOOT_RESTART ? "restart" : "exit");
	fprintf(out, "  devices: com1 0x3f8 -> %s%s, post 0x80\n",
		vm->serial_stdout ? "stdout" : vm->serial_path,
		vm->debug_exit ? ", debug-exit 0xf4" : "");
	fprintf(out, "  irqchip: %s (%s)\n", vm->irqchip == IRQCHIP_KERNEL ? "kernel" : "vmm",
		vm->irqchip == IRQCHIP_KERNEL
			? "KVM's PIC, I/O APIC, LAPIC and PIT"
			: t->lapic ? "keel's PIC, I/O APIC and LAPICs" : "keel's PIC only, no APIC");
	fprintf(out, "  timers: pit=%s hpet=%s lapic=%s rtc=%s pm_timer=%s kvmclock=%s\n",
		t->pit ? "on" : "off", t->hpet ? "on" : "off", t->lapic ? "on" : "off",
		t->rtc ? "on" : "off", t->pm_timer ? "on" : "off", t->kvmclock ? "on" : "off");
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
