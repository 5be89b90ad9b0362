/*
 * t/fuzz/logline.c - libFuzzer harness for the request log line builder
 * (policyd/answerlog.c: logline_esc, logline_num), which copies names and
 * HELO strings chosen by clients, eight bytes at a time.
 *
 * Input: byte 0 gives the cut (times 1 or 16), byte 1 how full the line
 * already is (so the end of the buffer is reached), bytes 2..9 a number,
 * the rest a string (cut at a NUL).  Properties besides "no crash, no read
 * past the string": logline_esc() writes exactly what log_escs() writes
 * into a buffer of cut + 1 bytes (the one rule for untrusted text in logs,
 * common/log.c), never more than the room left; logline_num() writes the
 * decimal digits (zero-padded to mindigits, at most 24) or nothing when
 * they do not fit.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "policyd/answerlog.h"
#include "t/lib/fuzz-memfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct logline l;
	char want[LOG_LINE_MAX + 8], num[40];
	size_t cut, fill, room, n, eff;
	unsigned long long v = 0;
	char *s;
	int mind;

	if (size < 10)
		return 0;
	cut = data[0] & 0x80 ? (size_t)(data[0] & 0x7f) * 16 : data[0];
	fill = data[1] < 200 ? 0 : sizeof(l.buf) - (size_t)(data[1] - 200) * 4;
	memcpy(&v, data + 2, 8);
	mind = data[1] % 26;
	data += 10;
	size -= 10;
	n = strnlen((const char *)data, size);
	s = malloc(n + 1);      /* exact size: a read past it is an ASan error */
	if (s == NULL)
		abort();
	memcpy(s, data, n);
	s[n] = '\0';

	memset(l.buf, 'Z', sizeof(l.buf));
	l.len = fill;
	room = sizeof(l.buf) - fill;
	eff = cut < room ? cut : room;
	logline_esc(&l, s, cut);
	fuzz_check(l.len >= fill && l.len - fill <= eff, "within cut and room");
	log_escs(want, eff + 1, s);
	fuzz_check(l.len - fill == strlen(want) &&
	    memcmp(l.buf + fill, want, l.len - fill) == 0,
	    "logline_esc writes what log_escs writes");

	l.len = fill;
	logline_num(&l, v, mind);
	snprintf(num, sizeof(num), "%0*llu", mind > 24 ? 24 : mind, v);
	if (strlen(num) <= room)
		fuzz_check(l.len - fill == strlen(num) &&
		    memcmp(l.buf + fill, num, l.len - fill) == 0,
		    "logline_num digits");
	else
		fuzz_check(l.len == fill, "logline_num: nothing when no room");
	free(s);
	return 0;
}
