/*
 * t/fuzz/fwproto.c - libFuzzer harness for the helper command parser
 * (common/fwproto.c), the line the CAP_NET_ADMIN helper reads from its
 * command socket.
 *
 * The whole input is one line.  Properties besides "no crash": a failure
 * names its reason; a parsed command is within the documented limits (reason
 * printable and at most FWPROTO_REASON_MAX, ttl within 0..FWPROTO_TTL_MAX,
 * nothing but an address for del); fwproto_format() of a parsed command
 * parses back to the same command, and never writes past the size given.
 */
#include <stdint.h>
#include <string.h>

#include "common/fwproto.h"
#include "t/lib/fuzz-memfile.h"

static void
fwproto_same(const struct fwproto_cmd *a, const struct fwproto_cmd *b)
{
	fuzz_check(a->op == b->op, "op survives a round trip");
	fuzz_check(addr_equal(&a->addr, &b->addr), "address survives");
	fuzz_check(a->ttl == b->ttl, "ttl survives");
	fuzz_check(strcmp(a->reason, b->reason) == 0, "reason survives");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fwproto_cmd cmd, again;
	char line[FWPROTO_LINE_MAX + 64], small[FWPROTO_LINE_MAX + 64];
	const char *err = NULL;
	size_t i, r;
	int n, m;

	if (fwproto_parse((const char *)data, size, &cmd, &err) < 0) {
		fuzz_check(err != NULL && *err != '\0', "error has a reason");
		return 0;
	}
	fuzz_check(cmd.op == FWPROTO_ADD || cmd.op == FWPROTO_DEL, "op");
	fuzz_check(cmd.addr.family == AF_INET || cmd.addr.family == AF_INET6,
	    "family");
	fuzz_check(cmd.ttl >= 0 && cmd.ttl <= FWPROTO_TTL_MAX, "ttl range");
	r = strlen(cmd.reason);
	fuzz_check(r <= FWPROTO_REASON_MAX, "reason length");
	for (i = 0; i < r; i++)
		fuzz_check(cmd.reason[i] >= 0x20 && cmd.reason[i] <= 0x7e,
		    "reason printable");
	if (cmd.op == FWPROTO_DEL)
		fuzz_check(cmd.ttl == 0 && r == 0, "del takes no options");

	n = fwproto_format(&cmd, line, sizeof(line));
	fuzz_check(n > 0 && (size_t)n < FWPROTO_LINE_MAX, "formats in a line");
	fuzz_check(line[n - 1] == '\n' && line[n] == '\0', "ends in LF");
	fuzz_check(fwproto_parse(line, (size_t)n - 1, &again, &err) == 0,
	    "formatted command parses");
	fwproto_same(&cmd, &again);

	/* Too small a buffer is refused, never overrun (guard byte). */
	for (i = 0; i <= (size_t)n + 1; i += 1 + i / 4) {
		memset(small, 'Z', sizeof(small));
		m = fwproto_format(&cmd, small, i);
		fuzz_check(small[i] == 'Z', "no write past size");
		if (i > (size_t)n)
			fuzz_check(m == n, "fits when size > length");
		else
			fuzz_check(m == -1, "refused when too small");
	}
	return 0;
}
