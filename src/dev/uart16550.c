/* 16550A UART register model (REQ-UART-*), written from the PC16550D
 * datasheet. Requirements and deliberate simplifications: docs/requirements/uart.md.
 *
 * Model in one paragraph: the host link is infinitely fast and perfect, so a
 * THR write is transmitted at once (THRE and TEMT always read 1), no parity,
 * framing or break errors ever arrive, and the only line error is overrun in
 * loopback. Interrupt sources are re-evaluated after every state change and
 * the irq callback fires only when the OUT2-gated level changes. */
#include "dev/uart16550.h"

#include <string.h>

#define IER_MASK    0x0f /* bits 4-7 read 0 */
#define MCR_MASK    0x1f /* bits 5-7 read 0 */
#define FCR_STORED  (UART_FCR_ENABLE | UART_FCR_DMA | UART_FCR_TRIG_MASK)
#define LSR_ERRORS  (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI)
#define MSR_DELTAS  0x0f
#define MSR_INPUTS  0xf0
/* Power-on divisor is undefined on hardware; 12 is 9600 baud at 1.8432 MHz. */
#define DLL_POWER_ON 12

static bool fifo_enabled(const struct uart16550 *u)
{
	return (u->fcr & UART_FCR_ENABLE) != 0;
}

static bool loopback(const struct uart16550 *u)
{
	return (u->mcr & UART_MCR_LOOP) != 0;
}

/* Receive capacity: the 16-byte FIFO, or the single RBR in non-FIFO mode. */
static unsigned rx_capacity(const struct uart16550 *u)
{
	return fifo_enabled(u) ? UART_FIFO_SIZE : 1;
}

static unsigned rx_trigger(const struct uart16550 *u)
{
	static const uint8_t levels[4] = { 1, 4, 8, 14 };

	if (!fifo_enabled(u))
		return 1;
	return levels[(u->fcr & UART_FCR_TRIG_MASK) >> 6];
}

static void rx_clear(struct uart16550 *u)
{
	u->rx.head = 0;
	u->rx.count = 0;
}

/* Caller checks there is room. */
static void rx_put(struct uart16550 *u, uint8_t byte)
{
	u->rx.buf[(u->rx.head + u->rx.count) % UART_FIFO_SIZE] = byte;
	u->rx.count++;
}

static uint8_t rx_get(struct uart16550 *u)
{
	uint8_t byte = u->rx.buf[u->rx.head];

	u->rx.head = (u->rx.head + 1) % UART_FIFO_SIZE;
	u->rx.count--;
	return byte;
}

/* LSR.DR mirrors the FIFO so the stored lsr is always what a read returns. */
static void lsr_sync(struct uart16550 *u)
{
	if (u->rx.count > 0)
		u->lsr |= UART_LSR_DR;
	else
		u->lsr &= (uint8_t)~UART_LSR_DR;
}

/* Highest-priority enabled pending source, as IIR bits 0-3. */
static uint8_t iir_id(const struct uart16550 *u)
{
	unsigned trig = rx_trigger(u);

	if ((u->ier & UART_IER_ELSI) && (u->lsr & LSR_ERRORS))
		return UART_IIR_RLS;
	if ((u->ier & UART_IER_ERBFI) && u->rx.count >= trig)
		return UART_IIR_RDA;
	/* Character timeout, simplified: data below the trigger level counts as
	 * timed out at once (the host gives no more), so the guest is not left
	 * waiting 4 character times that do not exist here. */
	if ((u->ier & UART_IER_ERBFI) && u->rx.count > 0)
		return UART_IIR_TIMEOUT;
	if ((u->ier & UART_IER_ETBEI) && u->thr_empty_irq_pending)
		return UART_IIR_THRE;
	if ((u->ier & UART_IER_EDSSI) && (u->msr & MSR_DELTAS))
		return UART_IIR_MSR;
	return UART_IIR_NONE;
}

/* OUT2 gates the interrupt output on PCs; report only real level changes. */
static void update_irq(struct uart16550 *u)
{
	bool level = iir_id(u) != UART_IIR_NONE && (u->mcr & UART_MCR_OUT2);

	if (level == u->irq_level)
		return;
	u->irq_level = level;
	if (u->irq != NULL)
		u->irq(u->opaque, level);
}

/* MSR bits 4-7 as the chip sees them: in loopback MCR drives them. */
static uint8_t modem_lines(const struct uart16550 *u)
{
	uint8_t m = u->mcr;

	if (!loopback(u))
		return u->modem_inputs & MSR_INPUTS;
	return (uint8_t)(((m & UART_MCR_RTS) ? UART_MSR_CTS : 0) |
			 ((m & UART_MCR_DTR) ? UART_MSR_DSR : 0) |
			 ((m & UART_MCR_OUT1) ? UART_MSR_RI : 0) |
			 ((m & UART_MCR_OUT2) ? UART_MSR_DCD : 0));
}

/* Latch delta bits for every input change. TERI is the trailing edge of the
 * (active-low) RI pin, i.e. MSR.RI going 1 -> 0. */
static void msr_update(struct uart16550 *u)
{
	uint8_t now = modem_lines(u);
	uint8_t old = u->msr & MSR_INPUTS;
	uint8_t changed = now ^ old;
	uint8_t delta = u->msr & MSR_DELTAS;

	if (changed & UART_MSR_CTS)
		delta |= UART_MSR_DCTS;
	if (changed & UART_MSR_DSR)
		delta |= UART_MSR_DDSR;
	if ((old & UART_MSR_RI) && !(now & UART_MSR_RI))
		delta |= UART_MSR_TERI;
	if (changed & UART_MSR_DCD)
		delta |= UART_MSR_DDCD;
	u->msr = (uint8_t)(now | delta);
}

/* Loopback receive of a transmitted byte. When full, FIFO mode drops the new
 * byte (the shift register is overwritten), non-FIFO mode overwrites RBR;
 * both flag overrun. */
static void loopback_receive(struct uart16550 *u, uint8_t byte)
{
	if (u->rx.count < rx_capacity(u)) {
		rx_put(u, byte);
	} else {
		u->lsr |= UART_LSR_OE;
		if (!fifo_enabled(u))
			u->rx.buf[u->rx.head] = byte;
	}
	lsr_sync(u);
}

static void write_thr(struct uart16550 *u, uint8_t value)
{
	if (loopback(u))
		loopback_receive(u, value);
	else if (u->tx != NULL)
		u->tx(u->opaque, value);
	/* The byte left at once, so THR is empty again: the write clears the
	 * THRE interrupt and the now-empty THR raises it again. */
	u->thr_empty_irq_pending = (u->ier & UART_IER_ETBEI) != 0;
}

static void write_ier(struct uart16550 *u, uint8_t value)
{
	uint8_t old = u->ier;

	u->ier = value & IER_MASK;
	/* Datasheet: enabling ETBEI while THR is empty (always, here) raises
	 * THRE; disabling it drops the pending indication. */
	if (!(u->ier & UART_IER_ETBEI))
		u->thr_empty_irq_pending = false;
	else if (!(old & UART_IER_ETBEI))
		u->thr_empty_irq_pending = true;
}

static void write_fcr(struct uart16550 *u, uint8_t value)
{
	bool enable = (value & UART_FCR_ENABLE) != 0;

	/* Changing the enable bit empties the FIFOs. */
	if (enable != fifo_enabled(u))
		rx_clear(u);
	if (!enable) {
		/* The other bits are only programmed together with bit 0. */
		u->fcr = 0;
		u->iir_fifo_bits = 0;
	} else {
		if (value & UART_FCR_RX_RESET)
			rx_clear(u);
		/* TX reset: the transmit FIFO is always empty here. Reset bits
		 * self-clear, so they are not stored. */
		u->fcr = value & FCR_STORED;
		u->iir_fifo_bits = UART_IIR_FIFO;
	}
	lsr_sync(u);
}

static void write_mcr(struct uart16550 *u, uint8_t value)
{
	u->mcr = value & MCR_MASK;
	msr_update(u);
}

void uart_init(struct uart16550 *u, uart_tx_fn tx, uart_irq_fn irq, void *opaque)
{
	memset(u, 0, sizeof(*u));
	u->tx = tx;
	u->irq = irq;
	u->opaque = opaque;
	u->modem_inputs = UART_MODEM_INPUTS_DEFAULT;
	u->dll = DLL_POWER_ON;
	uart_reset(u);
}

/* Master reset. Divisor latch and SCR are not touched by MR on the chip and
 * keep their values; modem_inputs belongs to the host side. */
void uart_reset(struct uart16550 *u)
{
	u->ier = 0;
	u->fcr = 0;
	u->iir_fifo_bits = 0;
	u->lcr = 0;
	u->mcr = 0;
	u->lsr = UART_LSR_THRE | UART_LSR_TEMT;
	u->msr = u->modem_inputs & MSR_INPUTS;
	u->thr_empty_irq_pending = false;
	rx_clear(u);
	update_irq(u);
}

uint8_t uart_read(struct uart16550 *u, unsigned offset)
{
	bool dlab = (u->lcr & UART_LCR_DLAB) != 0;
	uint8_t v;

	switch (offset) {
	case UART_RBR:
		if (dlab)
			return u->dll;
		/* Empty RBR reads 0 (documented; the chip returns stale data). */
		v = u->rx.count > 0 ? rx_get(u) : 0;
		lsr_sync(u);
		break;
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		v = iir_id(u);
		/* Reading IIR acknowledges THRE only when THRE is what it reports. */
		if (v == UART_IIR_THRE)
			u->thr_empty_irq_pending = false;
		v |= u->iir_fifo_bits;
		break;
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		v = u->lsr;
		u->lsr &= (uint8_t)~LSR_ERRORS; /* error bits clear on read */
		break;
	case UART_MSR:
		v = u->msr;
		u->msr &= MSR_INPUTS; /* delta bits clear on read */
		break;
	case UART_SCR:
		return u->scr;
	default:
		return 0xff;
	}
	update_irq(u);
	return v;
}

void uart_write(struct uart16550 *u, unsigned offset, uint8_t value)
{
	bool dlab = (u->lcr & UART_LCR_DLAB) != 0;

	switch (offset) {
	case UART_THR:
		if (dlab) {
			u->dll = value;
			return;
		}
		write_thr(u, value);
		break;
	case UART_IER:
		if (dlab) {
			u->dlm = value;
			return;
		}
		write_ier(u, value);
		break;
	case UART_FCR:
		write_fcr(u, value);
		break;
	case UART_LCR:
		/* Break (bit 6) and the line format have no effect on a perfect
		 * host link; stored for read-back. */
		u->lcr = value;
		return;
	case UART_MCR:
		write_mcr(u, value);
		break;
	case UART_SCR:
		u->scr = value;
		return;
	default:
		/* LSR and MSR are read-only (factory test writes not modelled);
		 * offsets beyond 7 do not exist. */
		return;
	}
	update_irq(u);
}

bool uart_rx_push(struct uart16550 *u, uint8_t byte)
{
	if (uart_rx_space(u) == 0)
		return false;
	rx_put(u, byte);
	lsr_sync(u);
	update_irq(u);
	return true;
}

unsigned uart_rx_space(const struct uart16550 *u)
{
	unsigned cap = rx_capacity(u);

	/* Loopback disconnects the serial input: the host must wait. */
	if (loopback(u) || u->rx.count >= cap)
		return 0;
	return cap - u->rx.count;
}

bool uart_irq_asserted(const struct uart16550 *u)
{
	return u->irq_level;
}

void uart_set_modem_inputs(struct uart16550 *u, uint8_t inputs)
{
	u->modem_inputs = inputs & MSR_INPUTS;
	msr_update(u);
	update_irq(u);
}
