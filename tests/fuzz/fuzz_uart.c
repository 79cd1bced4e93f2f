/* verifies: REQ-UART-001 REQ-UART-005 REQ-UART-012 REQ-UART-013 REQ-UART-014 REQ-UART-021 REQ-UART-022 */
/* libFuzzer target for the 16550A model. The input is a sequence of
 * operations, one opcode byte each (plus an operand byte for some):
 *   00oooooo           read offset (o & 0x0f; 8..15 are out of range)
 *   01oooooo vv        write vv to offset (o & 0x0f)
 *   10xxxxxx vv        host pushes vv into the receiver
 *   11x0xxxx vv        host sets modem inputs to vv
 *   11x1xxxx           master reset
 * After every operation the model's invariants are checked; a violation
 * aborts, which libFuzzer reports as a crash. */
#include "dev/uart16550.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct host {
	unsigned ntx, nirq;
	bool level;
};

static void host_tx(void *opaque, uint8_t byte)
{
	struct host *h = opaque;

	(void)byte;
	h->ntx++;
}

static void host_irq(void *opaque, bool level)
{
	struct host *h = opaque;

	/* Called only on changes, so each call flips the level. */
	if (h->nirq > 0 && level == h->level)
		abort();
	if (h->nirq == 0 && !level)
		abort(); /* the line starts low */
	h->nirq++;
	h->level = level;
}

/* IIR identification the model would report now, read from a copy with the
 * callbacks removed so the real instance is not disturbed. */
static uint8_t peek_iir(const struct uart16550 *u)
{
	struct uart16550 c = *u;

	c.tx = NULL;
	c.irq = NULL;
	return uart_read(&c, UART_IIR);
}

static void check(const struct uart16550 *u, const struct host *h)
{
	uint8_t iir = peek_iir(u);
	uint8_t id = iir & 0x0f;
	bool fifo = (u->fcr & UART_FCR_ENABLE) != 0;

	if (u->rx.count > UART_FIFO_SIZE || u->rx.head >= UART_FIFO_SIZE)
		abort();
	if (!fifo && u->rx.count > 1)
		abort();
	if (u->rx.count + uart_rx_space(u) > UART_FIFO_SIZE)
		abort();
	if ((u->ier & 0xf0) || (u->mcr & 0xe0))
		abort();
	/* THRE/TEMT always set; PE, FE, BI, FIFO error never; DR tracks data. */
	if ((u->lsr & 0xfc) != 0x60 || !!(u->lsr & UART_LSR_DR) != (u->rx.count > 0))
		abort();
	if ((iir & 0x30) || (iir & 0xc0) != (fifo ? 0xc0 : 0))
		abort();
	if (id != UART_IIR_NONE && id != UART_IIR_MSR && id != UART_IIR_THRE &&
	    id != UART_IIR_RDA && id != UART_IIR_RLS && id != UART_IIR_TIMEOUT)
		abort();
	if (id == UART_IIR_TIMEOUT && !fifo)
		abort();
	/* The line is exactly "something pending AND OUT2". */
	if (uart_irq_asserted(u) != (id != UART_IIR_NONE && (u->mcr & UART_MCR_OUT2)))
		abort();
	if (h->nirq > 0 && h->level != uart_irq_asserted(u))
		abort();
	if (h->nirq == 0 && uart_irq_asserted(u))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct host h;
	struct uart16550 u;
	size_t i = 0;

	memset(&h, 0, sizeof(h));
	uart_init(&u, host_tx, host_irq, &h);
	check(&u, &h);
	while (i < size) {
		uint8_t op = data[i++];
		unsigned off = op & 0x0f;
		uint8_t val = i < size ? data[i] : 0;
		bool dlab = (u.lcr & UART_LCR_DLAB) != 0;
		bool loop = (u.mcr & UART_MCR_LOOP) != 0;
		unsigned ntx = h.ntx, count = u.rx.count, space = uart_rx_space(&u);

		switch (op >> 6) {
		case 0: {
			uint8_t v = uart_read(&u, off);

			if (off >= UART_NUM_REGS && v != 0xff)
				abort();
			if (off == UART_RBR && !dlab && count > 0 && u.rx.count != count - 1)
				abort();
			break;
		}
		case 1:
			i++;
			uart_write(&u, off, val);
			/* A THR write reaches the host iff not in loopback. */
			if (h.ntx != ntx + (off == UART_THR && !dlab && !loop))
				abort();
			break;
		case 2:
			i++;
			/* Accepted iff there was room; never dropped silently. */
			if (uart_rx_push(&u, val) != (space > 0))
				abort();
			if (u.rx.count != count + (space > 0))
				abort();
			break;
		default:
			if (op & 0x10) {
				uart_reset(&u);
				if (u.rx.count || u.ier || u.lcr || u.mcr || uart_irq_asserted(&u))
					abort();
			} else {
				i++;
				uart_set_modem_inputs(&u, val);
			}
			break;
		}
		if (h.ntx != ntx && !(op >> 6 == 1))
			abort(); /* only THR writes transmit */
		check(&u, &h);
	}
	return 0;
}
