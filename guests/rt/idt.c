/* 64-bit IDT: 256 interrupt gates to the stubs in idt_stubs.S, and the
 * dispatcher they call. */
#include "irq.h"

#define SEL_CODE64   0x08
#define GATE_INT64   0x8e            /* present, DPL0, 64-bit interrupt gate */
#define STUB_SIZE    16

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "layout");
_Static_assert(sizeof(struct irq_frame) == 22 * 8, "layout");

extern char isr_stubs[];

static struct idt_gate idt[256] __attribute__((aligned(16)));
static irq_handler_t handlers[256];
volatile uint32_t irq_count[256];

static const char *const exc_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "r15",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "r22", "r23",
	"r24", "r25", "r26", "r27", "#HV", "#VC", "#SX", "r31",
};

void idt_init(void)
{
	static const struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

	for (unsigned v = 0; v < 256; v++) {
		uint64_t a = (uint64_t)(uintptr_t)(isr_stubs + STUB_SIZE * v);
		idt[v] = (struct idt_gate){
			.off_lo = (uint16_t)a,
			.sel = SEL_CODE64,
			.ist = 0,
			.type = GATE_INT64,
			.off_mid = (uint16_t)(a >> 16),
			.off_hi = (uint32_t)(a >> 32),
		};
	}
	__asm__ volatile("lidt %0" : : "m"(idtr) : "memory");
}

void irq_register(uint8_t vector, irq_handler_t handler)
{
	handlers[vector] = handler;
	__asm__ volatile("" ::: "memory");
}

void irq_dispatch(struct irq_frame *f)
{
	unsigned v = (unsigned)(f->vector & 0xff);
	irq_handler_t h = handlers[v];

	irq_count[v]++;
	if (h) {
		h(f);
		return;
	}
	if (v < 32)
		printf("exception: vector %u (%s) error 0x%llx rip 0x%llx\n", v, exc_names[v],
		       (unsigned long long)f->error, (unsigned long long)f->rip);
	else
		printf("irq: unexpected vector %u rip 0x%llx\n", v, (unsigned long long)f->rip);
	guest_exit(IRQ_EXIT_EXCEPTION);
}

uint32_t hv_signature(char sig[13])
{
	uint32_t a, b, c, d;

	sig[0] = '\0';
	cpuid(1, 0, &a, &b, &c, &d);
	if (!(c & (1u << 31)))
		return 0;
	cpuid(0x40000000, 0, &a, &b, &c, &d);
	memcpy(sig + 0, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	return a;
}

bool hv_timing_leaf(uint32_t *tsc, uint32_t *lapic)
{
	char sig[13];
	uint32_t a, b, c, d;

	if (hv_signature(sig) < 0x40000010)
		return false;
	cpuid(0x40000010, 0, &a, &b, &c, &d);
	if (a == 0)
		return false;
	if (tsc)
		*tsc = a;
	if (lapic)
		*lapic = b;
	return true;
}
