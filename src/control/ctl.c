/* SPDX-License-Identifier: MIT
 *
 * ctl.c - "vmwire ctl PATH COMMAND...", a one-shot monitor client.
 *
 * Theory of operation: the monitor speaks to humans (banner, prompt, one
 * command per line), so a script-friendly client only has to know that
 * every reply ends with the prompt on a line of its own: wait for the
 * banner's prompt, send the command, collect everything up to the next
 * prompt and print it. "quit" is answered by closing the connection, which
 * also ends the reply. Every wait is bounded so a wedged daemon cannot hang
 * a script. The exit status is the monitor's own verdict: after the reply
 * the client asks "last_status", so a failed command (unknown, a bad
 * hostfwd_add) exits 1 without guessing from the text of its message.
 *
 * A QMP socket (-qmp) is told apart by its greeting, a JSON line instead
 * of a banner: then ctl negotiates capabilities, sends the command wrapped
 * in human-monitor-command (or as it is, when it is a JSON object itself)
 * and prints the return value, skipping events. There the exit status is
 * QMP's: 1 for an "error" reply.
 */
#include "control/monitor.h"

#include <json-c/json.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define CTL_TIMEOUT_MS 10000

struct ctl_buf {
	char *data;
	size_t len, cap;
};

/* Does the buffer end with a prompt that starts a line? */
static bool ends_with_prompt(const struct ctl_buf *b)
{
	size_t pl = strlen(MONITOR_PROMPT);

	if (b->len < pl || memcmp(b->data + b->len - pl, MONITOR_PROMPT, pl))
		return false;
	return b->len == pl || b->data[b->len - pl - 1] == '\n';
}

/* A QMP greeting or reply: a whole line that starts with '{'. */
static bool has_json_line(const struct ctl_buf *b)
{
	return b->len && b->data[0] == '{' && memchr(b->data, '\n', b->len);
}

static bool banner_done(const struct ctl_buf *b)
{
	return ends_with_prompt(b) || has_json_line(b);
}

/* Read until done(b) (1), or EOF (0); -1 on error. */
static int read_until(int fd, struct ctl_buf *b, const char *path,
		      bool (*done)(const struct ctl_buf *b))
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int r;

		if (done(b))
			return 1;
		r = poll(&pfd, 1, CTL_TIMEOUT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr, "vmwire ctl: %s: %s\n", path,
				r ? strerror(errno) : "no reply from the monitor");
			return -1;
		}
		if (b->cap - b->len < 4096) {
			char *d = realloc(b->data, b->cap * 2 + 8192);

			if (!d) {
				fprintf(stderr, "vmwire ctl: out of memory\n");
				return -1;
			}
			b->data = d;
			b->cap = b->cap * 2 + 8192;
		}
		n = read(fd, b->data + b->len, b->cap - b->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "vmwire ctl: %s: read: %s\n", path, strerror(errno));
			return -1;
		}
		if (n == 0)
			return 0;
		b->len += (size_t)n;
	}
}

/* Read until a prompt ends the buffer (1), or EOF (0); -1 on error. */
static int read_reply(int fd, struct ctl_buf *b, const char *path)
{
	return read_until(fd, b, path, ends_with_prompt);
}

static int send_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* 0 if the monitor says the session's previous command went well, else 1. */
static int last_status(int fd, struct ctl_buf *b, const char *path)
{
	static const char q[] = "last_status\n";

	b->len = 0;
	if (send_all(fd, q, sizeof(q) - 1) < 0) {
		fprintf(stderr, "vmwire ctl: %s: send: %s\n", path, strerror(errno));
		return 1;
	}
	if (read_reply(fd, b, path) != 1)
		return 1;
	return b->len == 3 + strlen(MONITOR_PROMPT) && !memcmp(b->data, "ok\n", 3) ? 0 : 1;
}

static int send_all(int fd, const char *data, size_t len);

/* The next reply on a QMP session (events skipped): 1 "return", 0
 * "error", -1 when the session broke. *msg holds it (put by the caller). */
static int qmp_reply(int fd, struct ctl_buf *b, const char *path, struct json_object **msg)
{
	for (;;) {
		char *nl;
		size_t linelen;

		if (read_until(fd, b, path, has_json_line) != 1) {
			if (b->len == 0)
				fprintf(stderr, "vmwire ctl: %s: the QMP session closed\n", path);
			return -1;
		}
		nl = memchr(b->data, '\n', b->len);
		linelen = (size_t)(nl - b->data);
		*msg = json_tokener_parse(strndupa(b->data, linelen));
		memmove(b->data, nl + 1, b->len - linelen - 1);
		b->len -= linelen + 1;
		if (!*msg)
			continue;
		if (json_object_object_get_ex(*msg, "return", NULL))
			return 1;
		if (json_object_object_get_ex(*msg, "error", NULL))
			return 0;
		json_object_put(*msg); /* an event */
	}
}

static int qmp_send(int fd, struct json_object *req, const char *path)
{
	size_t len;
	const char *text = json_object_to_json_string_length(req, JSON_C_TO_STRING_PLAIN, &len);

	if (send_all(fd, text, len) < 0 || send_all(fd, "\n", 1) < 0) {
		fprintf(stderr, "vmwire ctl: %s: send: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The command over QMP; cmd without its newline. Returns the exit status. */
static int ctl_qmp(int fd, struct ctl_buf *b, const char *path, const char *cmd)
{
	struct json_object *req, *msg = NULL, *args, *ret, *err;
	bool raw = *cmd == '{';
	int r, rc = 1;

	b->len = 0; /* the greeting */
	req = json_tokener_parse("{\"execute\":\"qmp_capabilities\"}");
	r = qmp_send(fd, req, path);
	json_object_put(req);
	if (r < 0 || qmp_reply(fd, b, path, &msg) != 1) {
		json_object_put(msg);
		fprintf(stderr, "vmwire ctl: %s: QMP capabilities negotiation failed\n", path);
		return 1;
	}
	json_object_put(msg);
	msg = NULL;
	if (raw) {
		req = json_tokener_parse(cmd);
		if (!req || !json_object_is_type(req, json_type_object)) {
			json_object_put(req);
			fprintf(stderr, "vmwire ctl: the command is not a JSON object\n");
			return 2;
		}
	} else {
		req = json_object_new_object();
		args = json_object_new_object();
		json_object_object_add(req, "execute",
				       json_object_new_string("human-monitor-command"));
		json_object_object_add(args, "command-line", json_object_new_string(cmd));
		json_object_object_add(req, "arguments", args);
	}
	r = qmp_send(fd, req, path);
	json_object_put(req);
	if (r < 0)
		return 1;
	r = qmp_reply(fd, b, path, &msg);
	if (r < 0)
		return 1;
	if (raw) {
		puts(json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN));
		rc = r == 1 ? 0 : 1;
	} else if (r == 1 && json_object_object_get_ex(msg, "return", &ret)) {
		const char *t = json_object_get_string(ret);

		for (; *t; t++)
			if (*t != '\r')
				putchar(*t);
		rc = 0;
	} else if (json_object_object_get_ex(msg, "error", &err)) {
		struct json_object *desc;

		json_object_object_get_ex(err, "desc", &desc);
		fprintf(stderr, "vmwire ctl: %s\n", desc ? json_object_get_string(desc) : "error");
	}
	fflush(stdout);
	json_object_put(msg);
	return rc;
}

int ctl_main(int argc, char **argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ctl_buf b = { 0 };
	char cmd[MONITOR_LINE_MAX];
	const char *path;
	size_t off = 0;
	int fd, i, r, rc = 1;

	if (argc < 3) {
		fprintf(stderr, "vmwire ctl: usage: vmwire ctl SOCKET COMMAND... "
			"(e.g. vmwire ctl /run/vmwire/monitor.sock info network)\n");
		return 2;
	}
	path = argv[1];
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "vmwire ctl: %s: path too long for a unix socket\n", path);
		return 2;
	}
	memcpy(sun.sun_path, path, strlen(path));
	for (i = 2; i < argc; i++) {
		r = snprintf(cmd + off, sizeof(cmd) - off, "%s%s", i > 2 ? " " : "", argv[i]);
		if (r < 0 || (size_t)r >= sizeof(cmd) - off - 1) {
			fprintf(stderr, "vmwire ctl: command longer than %d bytes\n",
				MONITOR_LINE_MAX - 2);
			return 2;
		}
		off += (size_t)r;
	}
	if (strchr(cmd, '\n')) {
		fprintf(stderr, "vmwire ctl: the command must be a single line\n");
		return 2;
	}
	cmd[off++] = '\n';

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "vmwire ctl: socket: %s\n", strerror(errno));
		return 1;
	}
	if (connect(fd, (const struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "vmwire ctl: %s: can't connect to the monitor: %s\n", path,
			strerror(errno));
		goto out;
	}
	/* The banner, ending with the first prompt, or a QMP greeting. */
	r = read_until(fd, &b, path, banner_done);
	if (r <= 0) {
		if (r == 0)
			fprintf(stderr, "vmwire ctl: %s: closed before the prompt "
				"(is this a vmwire monitor?)\n", path);
		goto out;
	}
	if (has_json_line(&b)) {
		cmd[off - 1] = '\0';
		rc = ctl_qmp(fd, &b, path, cmd);
		goto out;
	}
	b.len = 0;
	if (send_all(fd, cmd, off) < 0) {
		fprintf(stderr, "vmwire ctl: %s: send: %s\n", path, strerror(errno));
		goto out;
	}
	r = read_reply(fd, &b, path);
	if (r < 0)
		goto out;
	if (r == 1)
		b.len -= strlen(MONITOR_PROMPT);
	fwrite(b.data, 1, b.len, stdout);
	fflush(stdout);
	/* The reply is for humans; whether it was an error is asked for
	 * (closed: "quit", which cannot fail). */
	rc = r == 1 ? last_status(fd, &b, path) : 0;
out:
	free(b.data);
	close(fd);
	return rc;
}
