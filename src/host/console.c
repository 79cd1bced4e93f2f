#include "host/console.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "util/log.h"

/* The terminal state to restore; process-wide because the terminal is. */
static struct termios g_saved_tty;
static volatile sig_atomic_t g_tty_raw;

static void restore_tty(void)
{
	if (g_tty_raw) {
		tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_tty);
		g_tty_raw = 0;
	}
}

/* A fatal signal must not leave the user's terminal in raw mode. */
static void restore_and_reraise(int sig)
{
	restore_tty();
	signal(sig, SIG_DFL);
	raise(sig);
}

int console_open(struct console *c, const char *path, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->stop_pipe[0] = c->stop_pipe[1] = -1;
	if (path == NULL) {
		c->out_fd = STDOUT_FILENO;
		return 0;
	}
	c->out_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (c->out_fd < 0) {
		snprintf(err, errlen, "cannot open serial output '%s': %s", path, strerror(errno));
		return -1;
	}
	c->owns_out_fd = true;
	return 0;
}

void console_write(struct console *c, uint8_t byte)
{
	/* Unbuffered: output reaches the file even if the guest faults next. */
	for (;;) {
		ssize_t n = write(c->out_fd, &byte, 1);

		if (n == 1 || (n < 0 && errno != EINTR))
			return;
	}
}

unsigned console_filter(struct console *c, uint8_t in, uint8_t out[2], bool *quit)
{
	*quit = false;
	if (c->escape_pending) {
		c->escape_pending = false;
		if (in == 'x' || in == 'X') {
			*quit = true;
			return 0;
		}
		if (in == CONSOLE_ESCAPE) {
			out[0] = CONSOLE_ESCAPE;
			return 1;
		}
		/* Unknown escape: pass both bytes through, as typed. */
		out[0] = CONSOLE_ESCAPE;
		out[1] = in;
		return 2;
	}
	if (in == CONSOLE_ESCAPE) {
		c->escape_pending = true;
		return 0;
	}
	out[0] = in;
	return 1;
}

static void *input_thread(void *arg)
{
	struct console *c = arg;
	struct pollfd fds[2] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = c->stop_pipe[0], .events = POLLIN },
	};

	for (;;) {
		uint8_t in, out[2];
		unsigned n;
		bool quit;

		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[1].revents)
			break;
		if (read(STDIN_FILENO, &in, 1) != 1)
			break;
		n = console_filter(c, in, out, &quit);
		if (quit) {
			c->quit(c->opaque);
			break;
		}
		for (unsigned i = 0; i < n; i++) {
			/* The guest's receive FIFO is full: wait for it to drain
			 * (it is polled every 10 ms) rather than drop input. */
			while (!c->deliver(c->opaque, out[i])) {
				if (poll(&fds[1], 1, 10) > 0)
					return NULL;
			}
		}
	}
	return NULL;
}

int console_start_input(struct console *c, console_deliver_fn deliver, console_quit_fn quit,
			void *opaque)
{
	struct termios raw;

	struct stat st;
	bool tty;

	if (c->owns_out_fd)
		return 0;
	tty = isatty(STDIN_FILENO);
	/* REQ-CON-003: a pipe, socket or file on stdin feeds the guest too (as
	 * a script typing at the console would); other devices (/dev/null)
	 * give nothing. Only a terminal is put in raw mode. */
	if (!tty && (fstat(STDIN_FILENO, &st) != 0 ||
		     !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || S_ISREG(st.st_mode))))
		return 0;
	if (tty && tcgetattr(STDIN_FILENO, &g_saved_tty) != 0)
		return 0;
	if (pipe2(c->stop_pipe, O_CLOEXEC) != 0)
		return -1;
	if (tty) {
		raw = g_saved_tty;
		cfmakeraw(&raw);
		/* Keep output post-processing so keel's own messages stay readable. */
		raw.c_oflag |= OPOST;
		if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) != 0)
			return -1;
		g_tty_raw = 1;
		atexit(restore_tty);
		signal(SIGTERM, restore_and_reraise);
		signal(SIGHUP, restore_and_reraise);
	}
	c->deliver = deliver;
	c->quit = quit;
	c->opaque = opaque;
	c->input = true;
	if (pthread_create(&c->thread, NULL, input_thread, c) != 0) {
		restore_tty();
		return -1;
	}
	c->thread_started = true;
	return 0;
}

void console_close(struct console *c)
{
	if (c->thread_started) {
		if (write(c->stop_pipe[1], "x", 1) < 0)
			log_debug("console: cannot wake input thread");
		pthread_join(c->thread, NULL);
		c->thread_started = false;
	}
	restore_tty();
	for (int i = 0; i < 2; i++)
		if (c->stop_pipe[i] >= 0)
			close(c->stop_pipe[i]);
	if (c->owns_out_fd)
		close(c->out_fd);
	c->out_fd = -1;
}
