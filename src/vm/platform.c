#include "vm/platform.h"

#include <stdio.h>
#include <string.h>

#include "util/log.h"

static void com1_tx(void *opaque, uint8_t byte)
{
	struct serial_port *s = opaque;

	console_write(&s->con, byte);
}

static void com1_irq(void *opaque, bool level)
{
	/* The interrupt controllers arrive with the platform issue; until then
	 * guests poll the UART. */
	(void)opaque;
	(void)level;
}

static void com1_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	struct serial_port *s = opaque;

	/* The UART's registers are 8 bits wide; wider accesses touch the first
	 * register only, the other bytes read as all-ones. */
	pthread_mutex_lock(&s->lock);
	if (is_write) {
		uart_write(&s->uart, (unsigned)offset, data[0]);
	} else {
		memset(data, 0xff, len);
		data[0] = uart_read(&s->uart, (unsigned)offset);
	}
	pthread_mutex_unlock(&s->lock);
}

static bool com1_deliver(void *opaque, uint8_t byte)
{
	struct serial_port *s = opaque;
	bool ok;

	pthread_mutex_lock(&s->lock);
	ok = uart_rx_push(&s->uart, byte);
	pthread_mutex_unlock(&s->lock);
	return ok;
}

static void console_quit(void *opaque)
{
	struct platform *p = opaque;

	vm_stop_request(p->stop, KEEL_EXIT_CLEAN, "quit from the console (Ctrl-A x)");
}

static void on_debug_exit(void *opaque, int status, uint32_t value)
{
	struct platform *p = opaque;

	vm_stop_request(p->stop, status, "guest wrote 0x%x to the debug-exit port", value);
}

int platform_init(struct platform *p, const struct vm_config *vm, struct iobus *pio,
		  struct iobus *mmio, struct vm_stop *stop, char *err, size_t errlen)
{
	(void)mmio;
	memset(p, 0, sizeof(*p));
	p->stop = stop;
	pthread_mutex_init(&p->com1.lock, NULL);
	if (console_open(&p->com1.con, vm->serial_stdout ? NULL : vm->serial_path, err,
			 errlen) != 0)
		return -1;
	uart_init(&p->com1.uart, com1_tx, com1_irq, &p->com1);
	if (iobus_register(pio, UART_COM1_BASE, UART_NUM_REGS, com1_io, &p->com1, "com1") != 0)
		goto clash;
	if (iobus_register(pio, POST_PORT, 1, post_io, &p->post, "post") != 0)
		goto clash;
	if (vm->debug_exit) {
		debug_exit_init(&p->dbg, on_debug_exit, p);
		if (iobus_register(pio, DEBUG_EXIT_PORT, DEBUG_EXIT_LEN, debug_exit_io, &p->dbg,
				   "debug-exit") != 0)
			goto clash;
	}
	return 0;
clash:
	snprintf(err, errlen, "internal error: device port ranges overlap");
	console_close(&p->com1.con);
	return -1;
}

int platform_start(struct platform *p)
{
	return console_start_input(&p->com1.con, com1_deliver, console_quit, p);
}

void platform_destroy(struct platform *p)
{
	console_close(&p->com1.con);
	pthread_mutex_destroy(&p->com1.lock);
}
