/*
 * log.c - syslog or stderr logging, and escaping of untrusted text.
 *
 * One line per call, cut at LOG_LINE_MAX.  syslog uses facility LOG_MAIL and
 * the ident given to log_init(); with to_stderr the line is prefixed by the
 * ident and written with one write(2), so concurrent writers do not
 * interleave within a line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sysexits.h>
#include <unistd.h>
#include <sys/stat.h>

#include "common/log.h"

static const char *log_ident = "policyd";
static int log_stderr = 1;
static int log_verb;
static int log_jour;            /* stderr is the journal: "<N>" lines */

/* systemd sets JOURNAL_STREAM=DEV:INO for the stream it connects; stderr is
 * that stream only when its device and inode are those (a redirection or a
 * child's own stderr are not). */
static int
stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char end;

	return js != NULL && sscanf(js, "%llu:%llu%c", &dev, &ino, &end) == 2 &&
	    fstat(STDERR_FILENO, &st) == 0 && (unsigned long long)st.st_dev ==
	    dev && (unsigned long long)st.st_ino == ino;
}

void
log_init(const char *ident, int to_stderr, int verbose)
{
	log_ident = ident;
	log_stderr = to_stderr;
	log_verb = verbose;
	log_jour = to_stderr && stderr_is_journal();
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

int
log_journal(void)
{
	return log_jour;
}

const char *
log_line_start(FILE *fp, int pri)
{
	static const char *const tags[8] = { "<0>", "<1>", "<2>", "<3>",
		"<4>", "<5>", "<6>", "<7>" };

	return log_jour && fp == stderr ? tags[pri & 7] : "";
}

int
log_verbose(void)
{
	return log_verb;
}

static void
log_emit(int pri, const char *fmt, va_list ap, int errnum)
{
	char line[LOG_LINE_MAX];
	int n;

	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (errnum && (size_t)n < sizeof(line) - 1) {
		int m = snprintf(line + n, sizeof(line) - n, ": %s",
		    strerror(errnum));
		if (m > 0)
			n += m;
		if ((size_t)n >= sizeof(line))
			n = sizeof(line) - 1;
	}
	if (log_stderr) {
		char out[LOG_LINE_MAX + 64];
		const char *lvl = pri == LOG_ERR ? "fatal: " :
		    pri == LOG_WARNING ? "warning: " :
		    pri == LOG_DEBUG ? "debug: " : "";
		int m = log_jour ?
		    snprintf(out, sizeof(out), "%s%s%s\n",
		    log_line_start(stderr, pri), lvl, line) :
		    snprintf(out, sizeof(out), "%s[%ld]: %s%s\n", log_ident,
		    (long)getpid(), lvl, line);
		if (m > 0) {
			if ((size_t)m >= sizeof(out))
				m = sizeof(out) - 1;
			ssize_t w = write(STDERR_FILENO, out, (size_t)m);
			(void)w;
		}
	} else {
		syslog(pri, "%s%s", pri == LOG_WARNING ? "warning: " :
		    pri == LOG_ERR ? "fatal: " : "", line);
	}
}

#define LOG_FN(name, pri, witherr, cond)				\
void									\
name(const char *fmt, ...)						\
{									\
	va_list ap;							\
	int e = errno;							\
	if (!(cond))							\
		return;							\
	va_start(ap, fmt);						\
	log_emit(pri, fmt, ap, witherr ? e : 0);			\
	va_end(ap);							\
	errno = e;							\
}

LOG_FN(log_debug, LOG_DEBUG, 0, log_verb)
LOG_FN(log_info, LOG_INFO, 0, 1)
LOG_FN(log_warnx, LOG_WARNING, 0, 1)
LOG_FN(log_warn, LOG_WARNING, 1, 1)

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	log_emit(LOG_ERR, fmt, ap, e);
	va_end(ap);
	exit(EX_SOFTWARE);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_ERR, fmt, ap, 0);
	va_end(ap);
	exit(EX_SOFTWARE);
}

void
fatalc(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_ERR, fmt, ap, 0);
	va_end(ap);
	exit(code);
}

char *
log_esc(char *dst, size_t dstsize, const char *src, size_t srclen)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i, total = 0;

	if (dstsize == 0)
		return dst;
	/* Escaped, does all of it fit?  Then nothing is cut. */
	for (i = 0; i < srclen && total < dstsize; i++) {
		unsigned char c = (unsigned char)src[i];

		total += c >= 0x20 && c < 0x7f && c != '\\' && c != '"' ? 1 : 4;
	}
	for (i = 0; i < srclen; i++) {
		unsigned char c = (unsigned char)src[i];
		int plain = c >= 0x20 && c < 0x7f && c != '\\' && c != '"';
		size_t need = plain ? 1 : 4;

		/* Else keep room for "..." should the rest not fit. */
		if (total >= dstsize &&
		    o + need + (i + 1 < srclen ? 3 : 0) >= dstsize) {
			if (o + 3 < dstsize) {
				memcpy(dst + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (plain) {
			dst[o++] = (char)c;
		} else {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		}
	}
	dst[o] = '\0';
	return dst;
}

char *
log_escs(char *dst, size_t dstsize, const char *src)
{
	if (src == NULL)
		src = "-";
	return log_esc(dst, dstsize, src, strlen(src));
}
