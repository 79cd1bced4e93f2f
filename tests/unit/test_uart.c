/* Unit tests for the 16550A UART model (docs/requirements/uart.md). */
#include "test.h"

#include "dev/uart16550.h"

/* Host-side recorder for the tx and irq callbacks. */
struct host {
	uint8_t tx[64];
	unsigned ntx;
	unsigned nirq;   /* irq callback invocations */
	bool level;      /* last level reported */
	struct uart16550 u;
};

static void host_tx(void *opaque, uint8_t byte)
{
	struct host *h = opaque;

	if (h->ntx < sizeof(h->tx))
		h->tx[h->ntx] = byte;
	h->ntx++;
}

static void host_irq(void *opaque, bool level)
{
	struct host *h = opaque;

	h->nirq++;
	h->level = level;
}

static void host_init(struct host *h)
{
	memset(h, 0, sizeof(*h));
	uart_init(&h->u, host_tx, host_irq, h);
}

/* Read IIR without the THRE side effect mattering to the caller. */
static uint8_t iir(struct host *h)
{
	return uart_read(&h->u, UART_IIR);
}

TEST(uart_reset_values, "REQ-UART-003")
{
	struct host h;
	struct uart16550 *u = &h.u;

	host_init(&h);
	CHECK_EQ(uart_read(u, UART_IER), 0);
	CHECK_EQ(uart_read(u, UART_IIR), 0x01);
	CHECK_EQ(uart_read(u, UART_LCR), 0);
	CHECK_EQ(uart_read(u, UART_MCR), 0);
	CHECK_EQ(uart_read(u, UART_LSR), 0x60);
	CHECK_EQ(uart_read(u, UART_MSR), UART_MODEM_INPUTS_DEFAULT);
	CHECK_EQ(uart_read(u, UART_SCR), 0);
	CHECK_EQ(uart_read(u, UART_RBR), 0);
	CHECK_EQ(uart_rx_space(u), 1);
	CHECK(!uart_irq_asserted(u));
	CHECK_EQ(h.nirq, 0);
	uart_write(u, UART_LCR, UART_LCR_DLAB);
	CHECK_EQ(uart_read(u, UART_DLL), 12);
	CHECK_EQ(uart_read(u, UART_DLM), 0);
}

TEST(uart_reset_clears_state_keeps_divisor_scr, "REQ-UART-003 REQ-UART-021")
{
	struct host h;
	struct uart16550 *u = &h.u;

	host_init(&h);
	uart_write(u, UART_LCR, UART_LCR_DLAB);
	uart_write(u, UART_DLL, 0x34);
	uart_write(u, UART_DLM, 0x12);
	uart_write(u, UART_LCR, 0x03);
	uart_write(u, UART_SCR, 0x5a);
	uart_write(u, UART_FCR, UART_FCR_ENABLE | 0xc0);
	uart_write(u, UART_MCR, UART_MCR_OUT2 | UART_MCR_DTR);
	uart_write(u, UART_IER, 0x0f);
	CHECK(uart_rx_push(u, 'a'));
	CHECK(uart_irq_asserted(u));
	CHECK_EQ(h.nirq, 1);
	uart_set_modem_inputs(u, UART_MSR_CTS); /* deltas pending */

	uart_reset(u);
	CHECK(!uart_irq_asserted(u));
	CHECK_EQ(h.nirq, 2);          /* reset dropped the line: one callback */
	CHECK(!h.level);
	CHECK_EQ(uart_read(u, UART_IER), 0);
	CHECK_EQ(uart_read(u, UART_IIR), 0x01);
	CHECK_EQ(uart_read(u, UART_LCR), 0);
	CHECK_EQ(uart_read(u, UART_MCR), 0);
	CHECK_EQ(uart_read(u, UART_LSR), 0x60);
	CHECK_EQ(uart_read(u, UART_MSR), UART_MSR_CTS); /* inputs, no deltas */
	CHECK_EQ(uart_read(u, UART_SCR), 0x5a);
	CHECK_EQ(uart_rx_space(u), 1);                  /* FIFOs off, empty */
	uart_write(u, UART_LCR, UART_LCR_DLAB);
	CHECK_EQ(uart_read(u, UART_DLL), 0x34);
	CHECK_EQ(uart_read(u, UART_DLM), 0x12);
	/* A reset with the line already low makes no callback. */
	uart_reset(u);
	CHECK_EQ(h.nirq, 2);
}

TEST(uart_out_of_range_offsets, "REQ-UART-001")
{
	struct host h;
	struct uart16550 *u = &h.u;
	static const unsigned offs[] = { 8, 9, 15, 0x100, 0x3f8, 0xffffffffu };

	host_init(&h);
	uart_write(u, UART_SCR, 0x11);
	for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		CHECK_EQ(uart_read(u, offs[i]), 0xff);
		uart_write(u, offs[i], 0x80);
		uart_write(u, offs[i], 0x1f);
	}
	CHECK_EQ(h.ntx, 0);
	CHECK_EQ(h.nirq, 0);
	CHECK_EQ(uart_read(u, UART_LCR), 0);
	CHECK_EQ(uart_read(u, UART_MCR), 0);
	CHECK_EQ(uart_read(u, UART_IER), 0);
	CHECK_EQ(uart_read(u, UART_SCR), 0x11);
	CHECK_EQ(uart_read(u, UART_LSR), 0x60);
}

TEST(uart_dlab_divisor_latch, "REQ-UART-002")
{
	struct host h;
	struct uart16550 *u = &h.u;

	host_init(&h);
	uart_write(u, UART_IER, 0x05);
	uart_write(u, UART_LCR, UART_LCR_DLAB | 0x03);
	CHECK_EQ(uart_read(u, UART_LCR), 0x83);
	uart_write(u, UART_DLL, 0x01);
	uart_write(u, UART_DLM, 0xff);   /* all 8 bits, unlike IER */
	CHECK_EQ(uart_read(u, UART_DLL), 0x01);
	CHECK_EQ(uart_read(u, UART_DLM), 0xff);
	CHECK_EQ(h.ntx, 0);              /* DLL write is not a transmit */
	CHECK(uart_rx_push(u, 'x'));
	CHECK_EQ(uart_read(u, UART_DLL), 0x01); /* RBR not popped under DLAB */
	CHECK_EQ(uart_read(u, UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	/* Offsets 2-7 are the same registers whatever DLAB is. */
	uart_write(u, UART_SCR, 0x42);
	CHECK_EQ(uart_read(u, UART_SCR), 0x42);
	CHECK_EQ(uart_read(u, UART_IIR) & 0x0f, UART_IIR_RDA);

	uart_write(u, UART_LCR, 0x03);
	CHECK_EQ(uart_read(u, UART_IER), 0x05); /* IER untouched by DLM write */
	CHECK_EQ(uart_read(u, UART_RBR), 'x');
	uart_write(u, UART_THR, 'y');
	CHECK_EQ(h.ntx, 1);
	CHECK_EQ(h.tx[0], 'y');
	uart_write(u, UART_LCR, UART_LCR_DLAB);
	CHECK_EQ(uart_read(u, UART_DLL), 0x01); /* latch kept across DLAB=0 */
	CHECK_EQ(uart_read(u, UART_DLM), 0xff);
}

TEST(uart_ier_masking, "REQ-UART-004")
{
	struct host h;
	struct uart16550 *u = &h.u;

	host_init(&h);
	uart_write(u, UART_IER, 0xff);
	CHECK_EQ(uart_read(u, UART_IER), 0x0f);
	uart_write(u, UART_IER, 0xf0);
	CHECK_EQ(uart_read(u, UART_IER), 0x00);

	/* Every source is pending, nothing enabled: no interrupt. */
	uart_write(u, UART_MCR, UART_MCR_OUT2 | UART_MCR_LOOP);
	for (int i = 0; i < 3; i++)
		uart_write(u, UART_THR, 'o');     /* 2nd byte overruns the RBR */
	CHECK_EQ(iir(&h), 0x01);
	CHECK(!uart_irq_asserted(u));

	/* Enable one at a time and see each appear alone. */
	uart_write(u, UART_IER, UART_IER_EDSSI);
	CHECK_EQ(iir(&h), UART_IIR_MSR);
	uart_write(u, UART_IER, UART_IER_ERBFI);
	CHECK_EQ(iir(&h), UART_IIR_RDA);
	uart_write(u, UART_IER, UART_IER_ELSI);
	CHECK_EQ(iir(&h), UART_IIR_RLS);
	uart_write(u, UART_IER, UART_IER_ETBEI);
	CHECK_EQ(iir(&h), UART_IIR_THRE);
	CHECK_EQ(iir(&h), 0x01);
}

TEST(uart_tx_immediate, "REQ-UART-005")
{
	struct host h;
	struct uart16550 *u = &h.u;

	host_init(&h);
	for (unsigned i = 0; i < 40; i++) {
		uart_write(u, UART_THR, (uint8_t)i);
		CHECK_EQ(uart_read(u, UART_LSR) & 0x60, 0x60);
	}
	CHECK_EQ(h.ntx, 40);
	for (unsigned i = 0; i < 40; i++)
		CHECK_EQ(h.tx[i], i);
	/* Transmit does not feed the receiver outside loopback. */
	CHECK_EQ(uart_read(u, UART_LSR) & UART_LSR_DR, 0);
	/* Same in FIFO mode. */
	uart_write(u, UART_FCR, UART_FCR_ENABLE);
	uart_write(u, UART_THR, 0xaa);
	CHECK_EQ(h.ntx, 41);
	CHECK_EQ(h.tx[40], 0xaa);
	CHECK_EQ(uart_read(u, UART_LSR), 0x60);
}

TEST(uart_null_callbacks, "REQ-UART-005 REQ-UART-021")
{
	struct uart16550 u;

	uart_init(&u, NULL, NULL, NULL);
	uart_write(&u, UART_MCR, UART_MCR_OUT2);
	uart_write(&u, UART_IER, UART_IER_ETBEI);
	CHECK(uart_irq_asserted(&u));
	uart_write(&u, UART_THR, 'z');
	CHECK_EQ(uart_read(&u, UART_IIR), 0x02);
	CHECK(!uart_irq_asserted(&u));
}

TEST(uart_thre_interrupt, "REQ-UART-006 REQ-UART-021")
{
	struct host h;
	struct uart16550 *u = &h.u;

	host_init(&h);
	uart_write(u, UART_MCR, UART_MCR_OUT2);
	/* THR write with ETBEI off: nothing pending. */
	uart_write(u, UART_THR, 'a');
	CHECK_EQ(iir(&h), 0x01);
	/* ETBEI 0 -> 1 with THR empty raises THRE at once. */
	uart_write(u, UART_IER, UART_IER_ETBEI);
	CHECK(uart_irq_asserted(u));
	CHECK_EQ(h.nirq, 1);
	/* Rewriting IER with ETBEI still set does not re-raise after ack. */
	CHECK_EQ(iir(&h), UART_IIR_THRE);     /* ack */
	CHECK(!uart_irq_asserted(u));
	CHECK_EQ(h.nirq, 2);
	CHECK_EQ(iir(&h), 0x01);
	uart_write(u, UART_IER, UART_IER_ETBEI);
	CHECK_EQ(iir(&h), 0x01);
	/* Each THR write makes it pending again. */
	uart_write(u, UART_THR, 'b');
	CHECK(uart_irq_asserted(u));
	CHECK_EQ(h.nirq, 3);
	/* A further write while pending: line stays up, no callback. */
	uart_write(u, UART_THR, 'c');
	CHECK_EQ(h.nirq, 3);
	/* Disabling ETBEI drops it; re-enabling raises it again. */
	uart_write(u, UART_IER, 0);
	CHECK(!uart_irq_asserted(u));
	CHECK_EQ(iir(&h), 0x01);
	uart_write(u, UART_IER, UART_IER_ETBEI);
	CHECK_EQ(iir(&h), UART_IIR_THRE);
	CHECK_EQ(h.ntx, 3);
}

TEST(uart_thre_not_acked_by_other_iir, "REQ-UART-006 REQ-UART-007")
{
	struct host h;
	struct uart16550 *u = &h.u;

	host_init(&h);
	uart_write(u, UART_IER, UART_IER_ETBEI | UART_IER_ERBFI);
	CHECK(uart_rx_push(u, 'q'));
	/* IIR reports RDA: THRE must survive that read. */
	CHECK_EQ(iir(&h), UART_IIR_RDA);
	CHECK_EQ(iir(&h), UART_IIR_RDA);
	CHECK_EQ(uart_read(u, UART_RBR), 'q');
	CHECK_EQ(iir(&h), UART_IIR_THRE);
	CHECK_EQ(iir(&h), 0x01);
}

TEST(uart_iir_priority, "REQ-UART-007 REQ-UART-011 REQ-UART-015 REQ-UART-018")
{
	struct host h;
	struct uart16550 *u = &h.u;

	host_init(&h);
	/* Loopback, FIFO trigger 4. */
	uart_write(u, UART_FCR, UART_FCR_ENABLE | 0x40);
	uart_write(u, UART_MCR, UART_MCR_LOOP);
	uart_read(u, UART_MSR); /* clear deltas from entering loopback */
	uart_write(u, UART_IER, 0x0f);
	CHECK_EQ(iir(&h), 0xc0 | UART_IIR_THRE);  /* ack the ETBEI 0->1 THRE */

	/* Fill the FIFO and overrun: every source pending at once. */
	for (int i = 0; i < 17; i++)
		uart_write(u, UART_THR, (uint8_t)i);
	uart_write(u, UART_MCR, UART_MCR_LOOP | UART_MCR_RTS); /* DCTS */
	CHECK_EQ(iir(&h), 0xc0 | UART_IIR_RLS);
	CHECK_EQ(iir(&h), 0xc0 | UART_IIR_RLS);   /* IIR read does not clear RLS */
	CHECK_EQ(uart_read(u, UART_LSR), UART_LSR_DR | UART_LSR_OE | 0x60);
	CHECK_EQ(iir(&h), 0xc0 | UART_IIR_RDA);
	/* Drain to below the trigger: RDA becomes character timeout. */
	for (int i = 0; i < 13; i++)
		CHECK_EQ(uart_read(u, UART_RBR), i);
	CHECK_EQ(iir(&h), 0xc0 | UART_IIR_TIMEOUT);
	for (int i = 13; i < 16; i++)
		CHECK_EQ(uart_read(u, UART_RBR), i);
	CHECK_EQ(iir(&h), 0xc0 | UART_IIR_THRE);  /* THRE beneath, acked here */
	CHECK_EQ(iir(&h), 0xc0 | UART_IIR_MSR);
	CHECK_EQ(uart_read(u, UART_MSR) & 0x0f, UART_MSR_DCTS);
	CHECK_EQ(iir(&h), 0xc0 | UART_IIR_NONE);
	/* Bits 4-5 always read 0. */
	CHECK_EQ(iir(&h) & 0x30, 0);
}

TEST(uart_iir_fifo_bits, "REQ-UART-008 REQ-UART-009")
{
	struct host h;
	struct uart16550 *u = &h.u;

	host_init(&h);
	CHECK_EQ(iir(&h), 0x01);
	uart_write(u, UART_FCR, UART_FCR_ENABLE);
	CHECK_EQ(iir(&h), 0xc1);
	uart_write(u, UART_FCR, 0xce); /* bit 0 clear: FIFOs off, rest ignored */
	CHECK_EQ(iir(&h), 0x01);
	CHECK_EQ(uart_rx_space(u), 1);
	uart_write(u, UART_FCR, UART_FCR_ENABLE | UART_FCR_DMA);
	CHECK_EQ(iir(&h), 0xc1);
	CHECK_EQ(uart_rx_space(u), 16);
}

TEST(uart_fcr_resets, "REQ-UART-009 REQ-UART-012")
{
	struct host h;
	struct uart16550 *u = &h.u;

	host_init(&h);
	uart_write(u, UART_FCR, UART_FCR_ENABLE);
	for (int i = 0; i < 5; i++)
		CHECK(uart_rx_push(u, (uint8_t)('a' + i)));
	CHECK_EQ(uart_rx_space(u), 11);
	/* TX reset alone leaves the receiver alone. */
	uart_write(u, UART_FCR, UART_FCR_ENABLE | UART_FCR_TX_RESET);
	CHECK_EQ(uart_rx_space(u), 11);
	/* Re-writing the enable bit unchanged keeps the data. */
	uart_write(u, UART_FCR, UART_FCR_ENABLE | 0x80);
	CHECK_EQ(uart_rx_space(u), 11);
	CHECK_EQ(uart_read(u, UART_RBR), 'a');
	/* RX reset empties the FIFO and clears DR. */
	uart_write(u, UART_FCR, UART_FCR_ENABLE | UART_FCR_RX_RESET);
	CHECK_EQ(uart_rx_space(u), 16);
	CHECK_EQ(uart_read(u, UART_LSR) & UART_LSR_DR, 0);
	CHECK_EQ(uart_read(u, UART_RBR), 0);
	/* Reset bits self-clear: the next write without them keeps data. */
	CHECK(uart_rx_push(u, 'z'));
	uart_write(u, UART_FCR, UART_FCR_ENABLE);
	CHECK_EQ(uart_read(u, UART_RBR), 'z');
	/* Turning the FIFOs off empties them too. */
	CHECK(uart_rx_push(u, 'y'));
	uart_write(u, UART_FCR, 0);
	CHECK_EQ(uart_read(u, UART_LSR) & UART_LSR_DR, 0);
	/* RX reset is ignored unless bit 0 is set with it. */
	CHECK(uart_rx_push(u, 'w'));
	uart_write(u, UART_FCR, UART_FCR_RX_RESET);
	CHECK_EQ(uart_read(u, UART_RBR), 'w');
	/* And turning them on empties the holding register. */
	CHECK(uart_rx_push(u, 'v'));
	uart_write(u, UART_FCR, UART_FCR_ENABLE);
	CHECK_EQ(uart_read(u, UART_LSR) & UART_LSR_DR, 0);
}

TEST(uart_fcr_trigger_levels, "REQ-UART-010 REQ-UART-011")
{
	static const struct { uint8_t fcr; unsigned level; } t[] = {
		{ 0x01, 1 }, { 0x41, 4 }, { 0x81, 8 }, { 0xc1, 14 },
	};

	for (unsigned i = 0; i < 4; i++) {
		struct host h;
		struct uart16550 *u = &h.u;

		host_init(&h);
		uart_write(u, UART_FCR, t[i].fcr);
		uart_write(u, UART_MCR, UART_MCR_OUT2);
		uart_write(u, UART_IER, UART_IER_ERBFI);
		for (unsigned n = 1; n <= 16; n++) {
			CHECK(uart_rx_push(u, (uint8_t)n));
			CHECK_EQ(iir(&h), 0xc0 | (n >= t[i].level ? UART_IIR_RDA
								 : UART_IIR_TIMEOUT));
			CHECK(uart_irq_asserted(u));
		}
		CHECK_EQ(h.nirq, 1);
		/* Reading below the level turns RDA back into timeout. */
		for (unsigned n = 16; n > 0; n--) {
			CHECK_EQ(iir(&h), 0xc0 | (n >= t[i].level ? UART_IIR_RDA
								 : UART_IIR_TIMEOUT));
			uart_read(u, UART_RBR);
		}
		CHECK_EQ(iir(&h), 0xc1);
		CHECK(!uart_irq_asserted(u));
	}
}

TEST(uart_rx_fifo_full_empty, "REQ-UART-012 REQ-UART-013")
{
	struct host h;
	struct uart16550 *u = &h.u;

	host_init(&h);
	uart_write(u, UART_FCR, UART_FCR_ENABLE);
	CHECK_EQ(uart_rx_space(u), UART_FIFO_SIZE);
	for (unsigned i = 0; i < UART_FIFO_SIZE; i++) {
		CHECK(uart_rx_push(u, (uint8_t)(0x30 + i)));
		CHECK_EQ(uart_rx_space(u), UART_FIFO_SIZE - 1 - i);
	}
	CHECK(!uart_rx_push(u, 0xee));        /* full: host keeps the byte */
	CHECK_EQ(uart_read(u, UART_LSR), 0x61); /* no overrun from host input */
	/* Wrap-around: pop 3, push 3, order preserved. */
	for (unsigned i = 0; i < 3; i++)
		CHECK_EQ(uart_read(u, UART_RBR), 0x30 + i);
	for (unsigned i = 0; i < 3; i++)
		CHECK(uart_rx_push(u, (uint8_t)(0x40 + i)));
	CHECK(!uart_rx_push(u, 0xee));
	for (unsigned i = 3; i < UART_FIFO_SIZE; i++)
		CHECK_EQ(uart_read(u, UART_RBR), 0x30 + i);
	for (unsigned i = 0; i < 3; i++) {
		CHECK_EQ(uart_read(u, UART_LSR) & UART_LSR_DR, UART_LSR_DR);
		CHECK_EQ(uart_read(u, UART_RBR), 0x40 + i);
	}
	CHECK_EQ(uart_read(u, UART_LSR), 0x60);
	CHECK_EQ(uart_read(u, UART_RBR), 0);  /* empty RBR reads 0 */
	CHECK_EQ(uart_rx_space(u), UART_FIFO_SIZE);
}

TEST(uart_non_fifo_mode, "REQ-UART-012 REQ-UART-010 REQ-UART-008")
{
	struct host h;
	struct uart16550 *u = &h.u;

	host_init(&h);
	uart_write(u, UART_IER, UART_IER_ERBFI);
	CHECK_EQ(uart_rx_space(u), 1);
	CHECK(uart_rx_push(u, 'A'));
	CHECK_EQ(uart_rx_space(u), 0);
	CHECK(!uart_rx_push(u, 'B'));
	CHECK_EQ(iir(&h), UART_IIR_RDA);      /* 1 byte triggers, no timeout */
	CHECK_EQ(uart_read(u, UART_LSR), 0x61);
	CHECK_EQ(uart_read(u, UART_RBR), 'A');
	CHECK_EQ(iir(&h), 0x01);
	CHECK(uart_rx_push(u, 'B'));
	CHECK_EQ(uart_read(u, UART_RBR), 'B');
}

TEST(uart_lsr_bits, "REQ-UART-013 REQ-UART-005")
{
	struct host h;
	struct uart16550 *u = &h.u;

	host_init(&h);
	CHECK_EQ(uart_read(u, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	CHECK(uart_rx_push(u, 1));
	CHECK_EQ(uart_read(u, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT | UART_LSR_DR);
	/* Reading LSR does not clear DR. */
	CHECK_EQ(uart_read(u, UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	/* Writes to LSR are ignored. */
	uart_write(u, UART_LSR, 0x1f);
	uart_write(u, UART_LSR, 0x00);
	CHECK_EQ(uart_read(u, UART_LSR), 0x61);
	uart_read(u, UART_RBR);
	CHECK_EQ(uart_read(u, UART_LSR), 0x60);
	/* PE, FE, BI and the FIFO error bit never set, even with break on
	 * in loopback. */
	uart_write(u, UART_FCR, UART_FCR_ENABLE);
	uart_write(u, UART_LCR, UART_LCR_BREAK | 0x1b);
	uart_write(u, UART_MCR, UART_MCR_LOOP);
	for (int i = 0; i < 20; i++)
		uart_write(u, UART_THR, 0);
	CHECK_EQ(uart_read(u, UART_LSR) &
			 (UART_LSR_PE | UART_LSR_FE | UART_LSR_BI | UART_LSR_RXFIFOE), 0);
}

TEST(uart_loopback_tx_to_rx, "REQ-UART-014")
{
	struct host h;
	struct uart16550 *u = &h.u;

	host_init(&h);
	uart_write(u, UART_FCR, UART_FCR_ENABLE);
	CHECK(uart_rx_push(u, 'h'));          /* host byte before loopback */
	uart_write(u, UART_MCR, UART_MCR_LOOP);
	CHECK_EQ(uart_rx_space(u), 0);        /* serial input disconnected */
	CHECK(!uart_rx_push(u, 'x'));
	uart_write(u, UART_THR, 'l');
	uart_write(u, UART_THR, 'm');
	CHECK_EQ(h.ntx, 0);                   /* nothing reached the host */
	CHECK_EQ(uart_read(u, UART_RBR), 'h');
	CHECK_EQ(uart_read(u, UART_RBR), 'l');
	CHECK_EQ(uart_read(u, UART_RBR), 'm');
	CHECK_EQ(uart_read(u, UART_LSR), 0x60);
	uart_write(u, UART_MCR, 0);
	CHECK_EQ(uart_rx_space(u), 16);
	CHECK(uart_rx_push(u, 'x'));
	uart_write(u, UART_THR, 'n');
	CHECK_EQ(h.ntx, 1);
	CHECK_EQ(h.tx[0], 'n');
	CHECK_EQ(uart_read(u, UART_RBR), 'x');
}

TEST(uart_loopback_overrun_fifo, "REQ-UART-015 REQ-UART-013 REQ-UART-009")
{
	struct host h;
	struct uart16550 *u = &h.u;

	host_init(&h);
	uart_write(u, UART_FCR, UART_FCR_ENABLE);
	uart_write(u, UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2);
	uart_write(u, UART_IER, UART_IER_ELSI);
	for (int i = 0; i < 16; i++)
		uart_write(u, UART_THR, (uint8_t)i);
	CHECK(!uart_irq_asserted(u));
	CHECK_EQ(uart_read(u, UART_LSR), 0x61);
	uart_write(u, UART_THR, 0x99);        /* 17th: overrun, byte lost */
	CHECK(uart_irq_asserted(u));
	CHECK_EQ(iir(&h), 0xc0 | UART_IIR_RLS);
	CHECK_EQ(uart_read(u, UART_LSR), 0x63);
	CHECK(!uart_irq_asserted(u));         /* LSR read cleared OE */
	CHECK_EQ(uart_read(u, UART_LSR), 0x61);
	for (int i = 0; i < 16; i++)
		CHECK_EQ(uart_read(u, UART_RBR), i);
	CHECK_EQ(uart_read(u, UART_LSR), 0x60);
	/* OE survives an RX FIFO reset until LSR is read. */
	for (int i = 0; i < 17; i++)
		uart_write(u, UART_THR, 1);
	uart_write(u, UART_FCR, UART_FCR_ENABLE | UART_FCR_RX_RESET);
	CHECK_EQ(uart_read(u, UART_LSR), 0x62);
	CHECK_EQ(uart_read(u, UART_LSR), 0x60);
}

TEST(uart_loopback_overrun_non_fifo, "REQ-UART-015")
{
	struct host h;
	struct uart16550 *u = &h.u;

	host_init(&h);
	uart_write(u, UART_MCR, UART_MCR_LOOP);
	uart_write(u, UART_THR, 'a');
	CHECK_EQ(uart_read(u, UART_LSR), 0x61);
	uart_write(u, UART_THR, 'b');         /* overwrites the RBR */
	CHECK_EQ(uart_read(u, UART_LSR), 0x63);
	CHECK_EQ(uart_read(u, UART_RBR), 'b');
	CHECK_EQ(uart_read(u, UART_LSR), 0x60);
}

TEST(uart_lcr_readback, "REQ-UART-016")
{
	struct host h;
	struct uart16550 *u = &h.u;

	host_init(&h);
	for (unsigned v = 0; v < 0x80; v++) {
		uart_write(u, UART_LCR, (uint8_t)v);
		CHECK_EQ(uart_read(u, UART_LCR), v);
	}
	uart_write(u, UART_LCR, 0xff);
	CHECK_EQ(uart_read(u, UART_LCR), 0xff);
	/* Break and format do not stop or alter transmission. */
	uart_write(u, UART_LCR, UART_LCR_BREAK | 0x3f);
	uart_write(u, UART_THR, 0xa5);
	CHECK_EQ(h.ntx, 1);
	CHECK_EQ(h.tx[0], 0xa5);
	CHECK_EQ(h.nirq, 0);
}

TEST(uart_mcr_bits, "REQ-UART-017")
{
	struct host h;
	struct uart16550 *u = &h.u;

	host_init(&h);
	uart_write(u, UART_MCR, 0xff);
	CHECK_EQ(uart_read(u, UART_MCR), 0x1f);
	uart_write(u, UART_MCR, 0xe0);
	CHECK_EQ(uart_read(u, UART_MCR), 0x00);
	uart_write(u, UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
	CHECK_EQ(uart_read(u, UART_MCR), 0x0b);
}

TEST(uart_msr_host_inputs, "REQ-UART-018 REQ-UART-021")
{
	struct host h;
	struct uart16550 *u = &h.u;

	host_init(&h);
	uart_write(u, UART_MCR, UART_MCR_OUT2);
	uart_write(u, UART_IER, UART_IER_EDSSI);
	CHECK(!uart_irq_asserted(u));
	/* Lower CTS, DSR, DCD; raise RI. */
	uart_set_modem_inputs(u, UART_MSR_RI | 0x0f); /* low bits ignored */
	CHECK(uart_irq_asserted(u));
	CHECK_EQ(iir(&h), UART_IIR_MSR);
	CHECK_EQ(uart_read(u, UART_MSR),
		 UART_MSR_RI | UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_DDCD);
	CHECK(!uart_irq_asserted(u));         /* MSR read clears deltas */
	CHECK_EQ(uart_read(u, UART_MSR), UART_MSR_RI);
	/* RI 1 -> 0 is the trailing edge: TERI. */
	uart_set_modem_inputs(u, 0);
	CHECK_EQ(uart_read(u, UART_MSR), UART_MSR_TERI);
	/* RI 0 -> 1 sets no delta. */
	uart_set_modem_inputs(u, UART_MSR_RI);
	CHECK_EQ(uart_read(u, UART_MSR), UART_MSR_RI);
	/* Same inputs again: no delta. */
	uart_set_modem_inputs(u, UART_MSR_RI);
	CHECK_EQ(uart_read(u, UART_MSR), UART_MSR_RI);
	/* Deltas accumulate until read. */
	uart_set_modem_inputs(u, UART_MSR_RI | UART_MSR_CTS);
	uart_set_modem_inputs(u, UART_MSR_RI);
	CHECK_EQ(uart_read(u, UART_MSR), UART_MSR_RI | UART_MSR_DCTS);
	/* MSR writes are ignored. */
	uart_write(u, UART_MSR, 0xff);
	CHECK_EQ(uart_read(u, UART_MSR), UART_MSR_RI);
	/* Without EDSSI a delta raises nothing. */
	uart_write(u, UART_IER, 0);
	uart_set_modem_inputs(u, UART_MSR_DSR);
	CHECK(!uart_irq_asserted(u));
	CHECK_EQ(iir(&h), 0x01);
	CHECK_EQ(uart_read(u, UART_MSR), UART_MSR_DSR | UART_MSR_DDSR | UART_MSR_TERI);
}

TEST(uart_msr_loopback_mapping, "REQ-UART-019")
{
	struct host h;
	struct uart16550 *u = &h.u;
	static const struct { uint8_t mcr, msr; } map[] = {
		{ UART_MCR_RTS, UART_MSR_CTS },
		{ UART_MCR_DTR, UART_MSR_DSR },
		{ UART_MCR_OUT1, UART_MSR_RI },
		{ UART_MCR_OUT2, UART_MSR_DCD },
	};

	host_init(&h);
	/* Entering loopback with all outputs off: the default inputs
	 * (CTS, DSR, DCD) drop, so their deltas are set. */
	uart_write(u, UART_MCR, UART_MCR_LOOP);
	CHECK_EQ(uart_read(u, UART_MSR), UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_DDCD);
	CHECK_EQ(uart_read(u, UART_MSR), 0);
	/* Host input changes are invisible in loopback. */
	uart_set_modem_inputs(u, UART_MSR_RI);
	CHECK_EQ(uart_read(u, UART_MSR), 0);
	for (unsigned i = 0; i < 4; i++) {
		uart_write(u, UART_MCR, UART_MCR_LOOP | map[i].mcr);
		CHECK_EQ(uart_read(u, UART_MSR) & 0xf0, map[i].msr);
		uart_read(u, UART_MSR);
		uart_write(u, UART_MCR, UART_MCR_LOOP);
		uart_read(u, UART_MSR);
	}
	/* The usual driver probe: LOOP|RTS|OUT2 reads back CTS|DCD. */
	uart_write(u, UART_MCR, UART_MCR_LOOP | 0x0a);
	CHECK_EQ(uart_read(u, UART_MSR), 0x90 | UART_MSR_DCTS | UART_MSR_DDCD);
	uart_write(u, UART_MCR, UART_MCR_LOOP | 0x0f);
	CHECK_EQ(uart_read(u, UART_MSR), 0xf0 | UART_MSR_DDSR); /* RI rising: no TERI */
	uart_write(u, UART_MCR, UART_MCR_LOOP | 0x0b);     /* OUT1 off */
	CHECK_EQ(uart_read(u, UART_MSR), 0xb0 | UART_MSR_TERI);
	/* Leaving loopback shows the host inputs again, with deltas. */
	uart_write(u, UART_MCR, 0x0b);
	CHECK_EQ(uart_read(u, UART_MSR),
		 UART_MSR_RI | UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_DDCD);
}

TEST(uart_msr_loopback_interrupt, "REQ-UART-019 REQ-UART-021")
{
	struct host h;
	struct uart16550 *u = &h.u;

	host_init(&h);
	uart_write(u, UART_MCR, UART_MCR_LOOP);
	uart_read(u, UART_MSR);
	uart_write(u, UART_IER, UART_IER_EDSSI);
	/* OUT2 is both the IRQ gate and, in loopback, DCD: setting it makes
	 * DDCD and lets the interrupt out. */
	uart_write(u, UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2);
	CHECK(uart_irq_asserted(u));
	CHECK_EQ(iir(&h), UART_IIR_MSR);
	CHECK_EQ(uart_read(u, UART_MSR), UART_MSR_DCD | UART_MSR_DDCD);
	CHECK(!uart_irq_asserted(u));
	CHECK_EQ(h.nirq, 2);
}

TEST(uart_scr, "REQ-UART-020")
{
	struct host h;
	struct uart16550 *u = &h.u;

	host_init(&h);
	for (unsigned v = 0; v < 256; v++) {
		uart_write(u, UART_SCR, (uint8_t)v);
		CHECK_EQ(uart_read(u, UART_SCR), v);
	}
	uart_write(u, UART_LCR, UART_LCR_DLAB);
	uart_write(u, UART_SCR, 0x3c);
	CHECK_EQ(uart_read(u, UART_SCR), 0x3c);
	CHECK_EQ(h.nirq, 0);
	CHECK_EQ(h.ntx, 0);
}

TEST(uart_irq_level_changes_only, "REQ-UART-021")
{
	struct host h;
	struct uart16550 *u = &h.u;

	host_init(&h);
	uart_write(u, UART_IER, UART_IER_ERBFI);
	/* Pending but OUT2 clear: line stays low. */
	CHECK(uart_rx_push(u, 1));
	CHECK_EQ(iir(&h), UART_IIR_RDA);
	CHECK(!uart_irq_asserted(u));
	CHECK_EQ(h.nirq, 0);
	/* OUT2 lets it out: one rising callback. */
	uart_write(u, UART_MCR, UART_MCR_OUT2);
	CHECK(uart_irq_asserted(u));
	CHECK_EQ(h.nirq, 1);
	CHECK(h.level);
	/* Writes that change nothing make no callback. */
	uart_write(u, UART_MCR, UART_MCR_OUT2 | UART_MCR_DTR);
	uart_write(u, UART_IER, UART_IER_ERBFI);
	uart_read(u, UART_IIR);
	uart_read(u, UART_LSR);
	CHECK_EQ(h.nirq, 1);
	/* Adding a second source while asserted: no callback. */
	uart_write(u, UART_IER, UART_IER_ERBFI | UART_IER_ETBEI);
	CHECK_EQ(h.nirq, 1);
	/* OUT2 off masks the line, pending state unchanged. */
	uart_write(u, UART_MCR, 0);
	CHECK(!uart_irq_asserted(u));
	CHECK_EQ(h.nirq, 2);
	CHECK(!h.level);
	CHECK_EQ(iir(&h), UART_IIR_RDA);
	uart_write(u, UART_MCR, UART_MCR_OUT2);
	CHECK_EQ(h.nirq, 3);
	/* Removing sources one by one: only the last drops the line. */
	uart_read(u, UART_RBR);
	CHECK_EQ(h.nirq, 3);
	CHECK_EQ(iir(&h), UART_IIR_THRE);
	CHECK_EQ(h.nirq, 4);
	CHECK(!h.level);
	CHECK(!uart_irq_asserted(u));
}

/* Deterministic pseudo-random guest/host traffic (the fuzz target does the
 * same with coverage guidance): invariants hold after every step. */
TEST(uart_random_ops_invariants, "REQ-UART-022 REQ-UART-001 REQ-UART-021")
{
	struct host h;
	struct uart16550 *u = &h.u;
	uint32_t x = 12345;

	host_init(&h);
	for (unsigned step = 0; step < 200000; step++) {
		unsigned prev_nirq = h.nirq;
		bool prev_level = uart_irq_asserted(u);
		unsigned op, off;
		uint8_t val;

		x = x * 1103515245u + 12345u;
		op = (x >> 16) % 4;
		off = (x >> 20) % 10;   /* includes two invalid offsets */
		val = (uint8_t)(x >> 8);
		if (op == 0)
			(void)uart_read(u, off);
		else if (op == 1)
			uart_write(u, off, val);
		else if (op == 2)
			(void)uart_rx_push(u, val);
		else
			uart_set_modem_inputs(u, val);
		CHECK(u->rx.count <= UART_FIFO_SIZE);
		CHECK(u->rx.head < UART_FIFO_SIZE);
		CHECK(u->rx.count + uart_rx_space(u) <= UART_FIFO_SIZE);
		CHECK((u->fcr & UART_FCR_ENABLE) || u->rx.count <= 1);
		CHECK_EQ(u->ier & 0xf0, 0);
		CHECK_EQ(u->mcr & 0xe0, 0);
		CHECK_EQ(u->lsr & 0x60, 0x60);
		CHECK_EQ(!!(u->lsr & UART_LSR_DR), u->rx.count > 0);
		/* The callback fires exactly when the level changes. */
		CHECK_EQ(h.nirq - prev_nirq, prev_level != uart_irq_asserted(u));
		if (h.nirq)
			CHECK_EQ(h.level, uart_irq_asserted(u));
		if (!(u->mcr & UART_MCR_OUT2))
			CHECK(!uart_irq_asserted(u));
	}
}
