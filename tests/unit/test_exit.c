/* Exit dispatch without /dev/kvm: a kvm_run area made by hand. */
#include <stdlib.h>

#include "dev/debug_exit.h"
#include "dev/post.h"
#include "vm/exit.h"
#include "vm/msr.h"
#include "test.h"

#define RUN_SIZE 4096

struct fixture {
	struct kvm_run *run;
	struct iobus pio, mmio;
	struct vm_stop stop;
	struct vcpu v;
	struct post_port post;
	struct debug_exit dbg;
	int kicks;
};

static void on_kick(void *opaque)
{
	((struct fixture *)opaque)->kicks++;
}

static void on_dbg(void *opaque, int status, uint32_t value)
{
	struct fixture *f = opaque;

	vm_stop_request(&f->stop, status, "debug exit 0x%x", value);
}

static struct fixture *fixture_new(void)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->run = calloc(1, RUN_SIZE);
	iobus_init(&f->pio, "port");
	iobus_init(&f->mmio, "mmio");
	vm_stop_init(&f->stop);
	f->stop.kick = on_kick;
	f->stop.kick_opaque = f;
	debug_exit_init(&f->dbg, on_dbg, f);
	iobus_register(&f->pio, POST_PORT, 1, post_io, &f->post, "post");
	iobus_register(&f->pio, DEBUG_EXIT_PORT, DEBUG_EXIT_LEN, debug_exit_io, &f->dbg, "dbg");
	f->v = (struct vcpu){ .id = 0, .run = f->run, .run_size = RUN_SIZE, .pio = &f->pio,
			      .mmio = &f->mmio, .stop = &f->stop };
	return f;
}

static void fixture_free(struct fixture *f)
{
	iobus_destroy(&f->pio);
	iobus_destroy(&f->mmio);
	free(f->run);
	free(f);
}

static void set_io(struct kvm_run *run, uint16_t port, uint8_t dir, uint8_t size, uint32_t count,
		   const void *data)
{
	run->exit_reason = KVM_EXIT_IO;
	run->io.port = port;
	run->io.direction = dir;
	run->io.size = size;
	run->io.count = count;
	run->io.data_offset = 256;
	if (data != NULL)
		memcpy((uint8_t *)run + 256, data, (size_t)size * count);
}

TEST(exit_io_routes_to_bus_and_traces, "REQ-EXIT-001 REQ-EXIT-002 REQ-POST-001")
{
	struct fixture *f = fixture_new();
	uint8_t v = 0x5a;

	set_io(f->run, 0x80, KVM_EXIT_IO_OUT, 1, 1, &v);
	CHECK_EQ(exit_dispatch(&f->v), EXIT_RESUME);
	CHECK_EQ(f->post.last, 0x5a);
	set_io(f->run, 0x80, KVM_EXIT_IO_IN, 1, 1, NULL);
	CHECK_EQ(exit_dispatch(&f->v), EXIT_RESUME);
	CHECK_EQ(((uint8_t *)f->run)[256], 0x5a);
	CHECK_EQ(f->v.trace_next, 2);
	CHECK_EQ(f->v.trace[0].kind, 'p');
	CHECK(f->v.trace[0].is_write);
	CHECK_EQ(f->v.trace[1].value, 0x5a);
	CHECK_EQ(f->v.nexits, 2);
	fixture_free(f);
}

TEST(exit_io_string_and_unclaimed, "REQ-EXIT-002 REQ-BUS-003")
{
	struct fixture *f = fixture_new();
	uint16_t words[3] = { 1, 2, 3 };

	/* rep insw from a port nobody claims: every item reads all-ones. */
	set_io(f->run, 0x1f0, KVM_EXIT_IO_IN, 2, 3, words);
	CHECK_EQ(exit_dispatch(&f->v), EXIT_RESUME);
	memcpy(words, (uint8_t *)f->run + 256, sizeof(words));
	CHECK_EQ(words[0], 0xffff);
	CHECK_EQ(words[2], 0xffff);
	CHECK_EQ(f->v.trace_next, 3);
	fixture_free(f);
}

TEST(exit_io_malformed_is_fault, "REQ-EXIT-002 REQ-EXIT-010")
{
	struct fixture *f = fixture_new();

	set_io(f->run, 0x80, KVM_EXIT_IO_OUT, 3, 1, NULL);
	CHECK_EQ(exit_dispatch(&f->v), EXIT_FAULT);
	CHECK_STR_CONTAINS(f->v.fault, "malformed port I/O");
	set_io(f->run, 0x80, KVM_EXIT_IO_OUT, 4, 2000, NULL); /* beyond the run area */
	CHECK_EQ(exit_dispatch(&f->v), EXIT_FAULT);
	set_io(f->run, 0x80, KVM_EXIT_IO_OUT, 1, 0, NULL);
	CHECK_EQ(exit_dispatch(&f->v), EXIT_FAULT);
	set_io(f->run, 0x80, KVM_EXIT_IO_OUT, 1, 1, NULL);
	f->run->io.data_offset = RUN_SIZE + 1;
	CHECK_EQ(exit_dispatch(&f->v), EXIT_FAULT);
	fixture_free(f);
}

TEST(exit_debug_exit_stops_with_status, "REQ-DBG-001 REQ-DBG-002 REQ-EXIT-002")
{
	struct fixture *f = fixture_new();
	uint32_t v = 3;

	set_io(f->run, 0xf4, KVM_EXIT_IO_OUT, 4, 1, &v);
	CHECK_EQ(exit_dispatch(&f->v), EXIT_STOP);
	CHECK(f->stop.requested);
	CHECK_EQ(f->stop.status, 7);
	CHECK_EQ(f->kicks, 1);
	/* The first stop wins. */
	CHECK(!vm_stop_request(&f->stop, 0, "later"));
	CHECK_EQ(f->stop.status, 7);
	CHECK_EQ(f->kicks, 1);
	fixture_free(f);
}

TEST(debug_exit_status_mapping, "REQ-DBG-001 REQ-DBG-002")
{
	struct debug_exit d;
	int got = -1;
	uint8_t data[4] = { 0xff, 0xff, 0xff, 0xff };

	CHECK_EQ(debug_exit_status(0), 1);
	CHECK_EQ(debug_exit_status(1), 3);
	CHECK_EQ(debug_exit_status(0x7f), 0xff);
	CHECK_EQ(debug_exit_status(0x80), 1);   /* truncated to 8 bits, like QEMU's */
	CHECK_EQ(debug_exit_status(0xffffffffu), 0xff);
	debug_exit_init(&d, NULL, &got);
	/* Reads return all-ones and never fire. */
	debug_exit_io(&d, 0, data, 4, false);
	CHECK_EQ(data[0], 0xff);
	/* Writes to bytes other than 0xf4 itself are ignored (no callback). */
	debug_exit_io(&d, 1, data, 1, true);
	CHECK_EQ(got, -1);
}

TEST(exit_mmio_unclaimed, "REQ-EXIT-003 REQ-BUS-003")
{
	struct fixture *f = fixture_new();

	f->run->exit_reason = KVM_EXIT_MMIO;
	f->run->mmio.phys_addr = 0xfebf0000;
	f->run->mmio.len = 4;
	f->run->mmio.is_write = 0;
	CHECK_EQ(exit_dispatch(&f->v), EXIT_RESUME);
	CHECK_EQ(f->run->mmio.data[0], 0xff);
	CHECK_EQ(f->run->mmio.data[3], 0xff);
	CHECK_EQ(f->v.trace[0].kind, 'm');
	f->run->mmio.len = 9;
	CHECK_EQ(exit_dispatch(&f->v), EXIT_FAULT);
	f->run->mmio.len = 0;
	CHECK_EQ(exit_dispatch(&f->v), EXIT_FAULT);
	fixture_free(f);
}

TEST(exit_hlt_if0_stops_if1_waits, "REQ-EXIT-004")
{
	struct fixture *f = fixture_new();

	f->run->exit_reason = KVM_EXIT_HLT;
	f->run->if_flag = 1;
	CHECK_EQ(exit_dispatch(&f->v), EXIT_HALT_WAIT);
	f->run->if_flag = 0;
	CHECK_EQ(exit_dispatch(&f->v), EXIT_HALT_NOIRQ);
	CHECK(!f->stop.requested);      /* the VM loop decides, knowing all vCPUs */
	fixture_free(f);
}

TEST(exit_faults_are_reported, "REQ-EXIT-005 REQ-EXIT-006 REQ-EXIT-007 REQ-EXIT-001")
{
	struct fixture *f = fixture_new();

	f->run->exit_reason = KVM_EXIT_SHUTDOWN;
	CHECK_EQ(exit_dispatch(&f->v), EXIT_FAULT);
	CHECK_STR_CONTAINS(f->v.fault, "triple fault");
	f->run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	f->run->fail_entry.hardware_entry_failure_reason = 0x21;
	CHECK_EQ(exit_dispatch(&f->v), EXIT_FAULT);
	CHECK_STR_CONTAINS(f->v.fault, "0x21");
	f->run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	f->run->internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
	CHECK_EQ(exit_dispatch(&f->v), EXIT_FAULT);
	CHECK_STR_CONTAINS(f->v.fault, "emulation failed");
	f->run->internal.suberror = 999;
	CHECK_EQ(exit_dispatch(&f->v), EXIT_FAULT);
	CHECK_STR_CONTAINS(f->v.fault, "unknown");
	/* A reason without a handler is a clear fault, never ignored. */
	f->run->exit_reason = KVM_EXIT_DEBUG;
	CHECK_EQ(exit_dispatch(&f->v), EXIT_FAULT);
	CHECK_STR_CONTAINS(f->v.fault, "unhandled exit reason 4 (debug)");
	f->run->exit_reason = 12345;
	CHECK_EQ(exit_dispatch(&f->v), EXIT_FAULT);
	CHECK_STR_CONTAINS(f->v.fault, "(?)");
	CHECK(strcmp(exit_reason_name(KVM_EXIT_X86_WRMSR), "wrmsr") == 0);
	fixture_free(f);
}

TEST(exit_intr_and_system_events, "REQ-EXIT-008")
{
	struct fixture *f = fixture_new();

	f->run->exit_reason = KVM_EXIT_INTR;
	CHECK_EQ(exit_dispatch(&f->v), EXIT_RESUME);
	f->run->exit_reason = KVM_EXIT_SYSTEM_EVENT;
	f->run->system_event.type = 77;
	CHECK_EQ(exit_dispatch(&f->v), EXIT_FAULT);
	f->run->system_event.type = KVM_SYSTEM_EVENT_SHUTDOWN;
	CHECK_EQ(exit_dispatch(&f->v), EXIT_STOP);
	CHECK_EQ(f->stop.status, 0);
	fixture_free(f);
	f = fixture_new();
	f->run->exit_reason = KVM_EXIT_SYSTEM_EVENT;
	f->run->system_event.type = KVM_SYSTEM_EVENT_RESET;
	CHECK_EQ(exit_dispatch(&f->v), EXIT_STOP);
	CHECK_EQ(f->stop.status, KEEL_EXIT_REBOOT);
	f->run->exit_reason = KVM_EXIT_INTR;
	CHECK_EQ(exit_dispatch(&f->v), EXIT_STOP);
	fixture_free(f);
}

TEST(exit_msr_table_and_gp, "REQ-MSR-002 REQ-MSR-003")
{
	struct fixture *f = fixture_new();

	f->run->exit_reason = KVM_EXIT_X86_RDMSR;
	f->run->msr.index = MSR_IA32_FEATURE_CONTROL;
	CHECK_EQ(exit_dispatch(&f->v), EXIT_RESUME);
	CHECK_EQ(f->run->msr.error, 0);
	CHECK_EQ(f->run->msr.data, 1);
	f->run->msr.index = MSR_IA32_PLATFORM_ID;
	f->run->msr.data = 99;
	CHECK_EQ(exit_dispatch(&f->v), EXIT_RESUME);
	CHECK_EQ(f->run->msr.data, 0);
	/* Unknown MSR: #GP (error = 1), logged once however often. */
	f->run->msr.index = 0x4b564dff;
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(exit_dispatch(&f->v), EXIT_RESUME);
		CHECK_EQ(f->run->msr.error, 1);
	}
	CHECK_EQ(f->v.nmsr_logged, 1);
	for (uint32_t i = 0; i < 40; i++) {
		f->run->msr.index = 0x5000 + i;
		exit_dispatch(&f->v);
	}
	CHECK_EQ(f->v.nmsr_logged, 16);
	/* Writes to keel's MSRs (read-only) and unknown ones: #GP. */
	f->run->exit_reason = KVM_EXIT_X86_WRMSR;
	f->run->msr.index = MSR_IA32_FEATURE_CONTROL;
	f->run->msr.error = 0;
	CHECK_EQ(exit_dispatch(&f->v), EXIT_RESUME);
	CHECK_EQ(f->run->msr.error, 1);
	fixture_free(f);
}

TEST(msr_allow_list_ranges, "REQ-MSR-001")
{
	struct kvm_msr_allow a[16];
	int n = msr_kernel_allow_list(a, 16, true);
	bool efer = false;

	CHECK(n > 0 && n <= 16);
	for (int i = 0; i < n; i++) {
		CHECK(a[i].nmsrs <= 64);
		CHECK(a[i].allow_bits & 1); /* each range starts at an allowed MSR */
		if (MSR_EFER >= a[i].base && MSR_EFER - a[i].base < 64)
			efer = (a[i].allow_bits >> (MSR_EFER - a[i].base)) & 1;
	}
	CHECK(efer);
	CHECK(msr_in_kernel(MSR_EFER, true));
	CHECK(msr_in_kernel(0x10, false));
	CHECK(!msr_in_kernel(MSR_IA32_FEATURE_CONTROL, true));
	/* keel's LAPIC owns APIC_BASE and TSC_DEADLINE in irqchip = "vmm" mode. */
	CHECK(msr_in_kernel(0x1b, true));
	CHECK(!msr_in_kernel(0x1b, false));
	CHECK(!msr_in_kernel(0x6e0, false));
	/* Machine-check banks and the MSRs Linux reads at boot stay in KVM. */
	CHECK(msr_in_kernel(0x400, true) && msr_in_kernel(0x47f, false));
	CHECK(!msr_in_kernel(0x480, true) && !msr_in_kernel(0x3ff, true));
	CHECK(msr_in_kernel(0x10a, true) && msr_in_kernel(0x3b, true));
	CHECK(msr_in_kernel(0xc0010015, true) && msr_in_kernel(0xc0010010, true));
	CHECK(!msr_in_kernel(0xc0010011, true));
	n = msr_kernel_allow_list(a, 16, false);
	for (int i = 0; i < n; i++)
		CHECK(!(a[i].base <= 0x1b && 0x1b - a[i].base < 64 &&
			((a[i].allow_bits >> (0x1b - a[i].base)) & 1)));
	CHECK_EQ(msr_kernel_allow_list(a, 1, true), -1);
	CHECK(strcmp(msr_name(MSR_EFER), "EFER") == 0);
	CHECK(strcmp(msr_name(MSR_IA32_FEATURE_CONTROL), "IA32_FEATURE_CONTROL") == 0);
	CHECK(strcmp(msr_name(MSR_IA32_PLATFORM_ID), "IA32_PLATFORM_ID") == 0);
	CHECK(msr_name(0x1234) == NULL);
}

TEST(exit_refused_msr_defers_interrupts, "REQ-IRQ-014")
{
	struct fixture *f = fixture_new();

	f->run->exit_reason = KVM_EXIT_X86_RDMSR;
	f->run->msr.index = 0x4b564dff;       /* unknown: #GP */
	exit_dispatch(&f->v);
	CHECK(f->v.exception_on_entry);
	f->run->exit_reason = KVM_EXIT_X86_WRMSR;
	exit_dispatch(&f->v);
	CHECK(f->v.exception_on_entry);
	/* An MSR keel answers: nothing queued. */
	f->run->exit_reason = KVM_EXIT_X86_RDMSR;
	f->run->msr.index = MSR_IA32_FEATURE_CONTROL;
	exit_dispatch(&f->v);
	CHECK(!f->v.exception_on_entry);
	/* Any other exit after a refused one clears it (KVM ran the guest). */
	f->run->msr.index = 0x4b564dff;
	exit_dispatch(&f->v);
	CHECK(f->v.exception_on_entry);
	f->run->exit_reason = KVM_EXIT_IRQ_WINDOW_OPEN;
	exit_dispatch(&f->v);
	CHECK(!f->v.exception_on_entry);
	fixture_free(f);
}
