/* The host side of a VM's serial console (REQ-CON-*): output to stdout or a
 * file; input from stdin when it is a terminal, in raw mode (restored on
 * exit), with QEMU's escape: Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A. */
#ifndef KEEL_HOST_CONSOLE_H
#define KEEL_HOST_CONSOLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define CONSOLE_ESCAPE 0x01     /* Ctrl-A */

/* Offers one byte to the guest; false when it cannot take it now. */
typedef bool (*console_deliver_fn)(void *opaque, uint8_t byte);
typedef void (*console_quit_fn)(void *opaque);

struct console {
	int out_fd;
	bool owns_out_fd;
	bool input;             /* stdin is a terminal and feeds this console */
	bool escape_pending;
	pthread_t thread;
	bool thread_started;
	int stop_pipe[2];       /* wakes the input thread when the VM stops */
	console_deliver_fn deliver;
	console_quit_fn quit;
	void *opaque;
};

/* path == NULL means stdout. Returns 0 or -1 with a message. */
int console_open(struct console *c, const char *path, char *err, size_t errlen);
/* Starts reading stdin if it is a terminal and the console is on stdout. */
int console_start_input(struct console *c, console_deliver_fn deliver, console_quit_fn quit,
			void *opaque);
void console_write(struct console *c, uint8_t byte);
void console_close(struct console *c);

/* Escape handling, exposed for tests: feeds one input byte; returns the
 * number of bytes to send to the guest (0-2) in out, sets *quit. */
unsigned console_filter(struct console *c, uint8_t in, uint8_t out[2], bool *quit);

#endif
