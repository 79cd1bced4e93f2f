/* 16550A UART register model (REQ-UART-*): a plain state struct plus pure
 * functions. No I/O of its own: transmitted bytes go to a callback, received
 * bytes are pushed in by the host side. Not thread-safe; the caller locks. */
#ifndef KEEL_DEV_UART16550_H
#define KEEL_DEV_UART16550_H

#include <stdbool.h>
#include <stdint.h>

#define UART_FIFO_SIZE 16
#define UART_COM1_BASE 0x3f8
#define UART_COM1_IRQ  4
#define UART_NUM_REGS  8

/* Register offsets (DLAB = LCR bit 7 selects DLL/DLM at offsets 0/1). */
#define UART_RBR 0 /* read, DLAB=0 */
#define UART_THR 0 /* write, DLAB=0 */
#define UART_DLL 0 /* DLAB=1 */
#define UART_IER 1 /* DLAB=0 */
#define UART_DLM 1 /* DLAB=1 */
#define UART_IIR 2 /* read */
#define UART_FCR 2 /* write */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define UART_IER_ERBFI 0x01 /* received data available (and timeout) */
#define UART_IER_ETBEI 0x02 /* THR empty */
#define UART_IER_ELSI  0x04 /* receiver line status */
#define UART_IER_EDSSI 0x08 /* modem status */

#define UART_IIR_NONE    0x01
#define UART_IIR_MSR     0x00
#define UART_IIR_THRE    0x02
#define UART_IIR_RDA     0x04
#define UART_IIR_RLS     0x06
#define UART_IIR_TIMEOUT 0x0c
#define UART_IIR_FIFO    0xc0 /* both set while FIFOs are enabled */

#define UART_FCR_ENABLE   0x01
#define UART_FCR_RX_RESET 0x02
#define UART_FCR_TX_RESET 0x04
#define UART_FCR_DMA      0x08
#define UART_FCR_TRIG_MASK 0xc0 /* 00=1, 01=4, 10=8, 11=14 bytes */

#define UART_LCR_BREAK 0x40
#define UART_LCR_DLAB  0x80

#define UART_MCR_DTR  0x01
#define UART_MCR_RTS  0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08 /* gates the interrupt output (PC wiring) */
#define UART_MCR_LOOP 0x10

#define UART_LSR_DR      0x01
#define UART_LSR_OE      0x02
#define UART_LSR_PE      0x04
#define UART_LSR_FE      0x08
#define UART_LSR_BI      0x10
#define UART_LSR_THRE    0x20
#define UART_LSR_TEMT    0x40
#define UART_LSR_RXFIFOE 0x80

#define UART_MSR_DCTS 0x01
#define UART_MSR_DDSR 0x02
#define UART_MSR_TERI 0x04
#define UART_MSR_DDCD 0x08
#define UART_MSR_CTS  0x10
#define UART_MSR_DSR  0x20
#define UART_MSR_RI   0x40
#define UART_MSR_DCD  0x80
/* modem_inputs after uart_init: a connected, ready host (CTS, DSR, DCD). */
#define UART_MODEM_INPUTS_DEFAULT (UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD)

/* Called for every byte the guest transmits (not in loopback mode). */
typedef void (*uart_tx_fn)(void *opaque, uint8_t byte);
/* Called when the interrupt output changes level (true = asserted). */
typedef void (*uart_irq_fn)(void *opaque, bool level);

struct uart_fifo {
	uint8_t buf[UART_FIFO_SIZE];
	unsigned head, count;
};

struct uart16550 {
	uint8_t ier, iir_fifo_bits, fcr, lcr, mcr, lsr, msr, scr;
	uint8_t dll, dlm;
	struct uart_fifo rx;
	bool thr_empty_irq_pending; /* THRE interrupt, cleared by IIR read or THR write */
	bool irq_level;
	/* Modem-status inputs from the host side (CTS, DSR, RI, DCD) outside
	 * loopback, in MSR bit positions (UART_MSR_CTS..UART_MSR_DCD). */
	uint8_t modem_inputs;
	uart_tx_fn tx;
	uart_irq_fn irq;
	void *opaque;
};

void uart_init(struct uart16550 *u, uart_tx_fn tx, uart_irq_fn irq, void *opaque);
void uart_reset(struct uart16550 *u);
/* Register access; offset 0..7, anything else reads 0xff / is ignored. */
uint8_t uart_read(struct uart16550 *u, unsigned offset);
void uart_write(struct uart16550 *u, unsigned offset, uint8_t value);
/* Host input: false when the receive FIFO (or holding register) is full, or
 * in loopback (the serial input is disconnected); the host keeps the byte. */
bool uart_rx_push(struct uart16550 *u, uint8_t byte);
/* Room in the receive FIFO (1 in non-FIFO mode when empty; 0 in loopback). */
unsigned uart_rx_space(const struct uart16550 *u);
bool uart_irq_asserted(const struct uart16550 *u);
/* Host side changes CTS/DSR/RI/DCD (MSR bits 4-7; bits 0-3 ignored). Sets the
 * MSR delta bits unless in loopback, where MCR drives the inputs. */
void uart_set_modem_inputs(struct uart16550 *u, uint8_t inputs);

#endif
