/*
 * t/fuzz/policy_proto.c - libFuzzer harness for the Postfix policy protocol
 * parser (policyd/policy_proto.c), which reads whatever a client sends.
 *
 * The input is a byte stream from one connection.  It is parsed three ways:
 * in one feed, in chunks whose sizes come from the input itself, and one
 * byte at a time (a slow client), shrinking the parser between requests as
 * the server does on idle connections.  Properties besides "no crash": the
 * three ways see the same requests (same attributes, same values) and the
 * same end (needs more / malformed with the same reason); every request has
 * request=smtpd_access_policy and a client_address; no request exceeds the
 * documented limits; used never exceeds what was fed.  policy_reply_format()
 * gets the values as actions.
 */
#include <stdint.h>
#include <string.h>

#include "policyd/policy_proto.h"
#include "t/lib/fuzz-memfile.h"

#define PP_NSLOTS (sizeof(struct policy_req) / sizeof(const char *))

struct pp_trace {
	unsigned nreq;
	uint64_t hash;          /* every slot of every request, in order */
	const char *error;      /* NULL: ended wanting more */
	bool pending;
};

static uint64_t
pp_mix(uint64_t h, const char *s)
{
	if (s == NULL)
		return (h ^ 0xff) * 0x100000001b3ULL + 7;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return (h ^ 0x100) * 0x100000001b3ULL;
}

static void
pp_request(const struct policy_req *req, struct pp_trace *t)
{
	const char *const *slots = (const char *const *)req;
	char out[600];
	size_t i;

	fuzz_check(req->request && strcmp(req->request,
	    "smtpd_access_policy") == 0, "request= checked");
	fuzz_check(req->client_address != NULL, "client_address present");
	for (i = 0; i < PP_NSLOTS; i++) {
		if (slots[i] != NULL)
			fuzz_check(strlen(slots[i]) <= POLICY_LINE_MAX,
			    "value within line limit");
		t->hash = pp_mix(t->hash, slots[i]);
	}
	t->nreq++;
	/* Values as actions: the writer must cope. */
	if (req->helo_name != NULL) {
		int n = policy_reply_format(out, sizeof(out), req->helo_name,
		    strlen(req->helo_name));

		if (n >= 0)
			fuzz_check((size_t)n < sizeof(out) &&
			    memcmp(out, "action=", 7) == 0 &&
			    out[n - 1] == '\n' && out[n - 2] == '\n',
			    "reply shape");
	}
}

/* Feed data in chunks: step(i) gives the size of chunk i (0: all). */
static void
pp_run(const uint8_t *data, size_t size, const uint8_t *steps, size_t nsteps,
    struct pp_trace *t)
{
	struct policy_parser *p = policy_parser_new();
	struct policy_req req;
	size_t off = 0, k = 0, chunk, used;
	enum policy_parse r;

	memset(t, 0, sizeof(*t));
	while (off < size) {
		chunk = size - off;
		if (nsteps > 0) {
			size_t want = (size_t)steps[k++ % nsteps] % 64 + 1;
			if (want < chunk)
				chunk = want;
		}
		/* Refeed what was not used, as the server does. */
		while (chunk > 0) {
			r = policy_parser_feed(p, (const char *)data + off, chunk,
			    &used, &req);
			fuzz_check(used <= chunk, "used within what was fed");
			off += used;
			chunk -= used;
			if (r == POLICY_PARSE_ERROR) {
				t->error = policy_parser_error(p);
				fuzz_check(t->error != NULL, "error has a reason");
				policy_parser_free(p);
				return;
			}
			if (r == POLICY_PARSE_MORE) {
				fuzz_check(chunk == 0, "MORE consumes everything");
				break;
			}
			pp_request(&req, t);
			policy_parser_shrink(p);
		}
	}
	t->pending = policy_parser_pending(p);
	policy_parser_free(p);
}

static void
pp_same(const struct pp_trace *a, const struct pp_trace *b, const char *how)
{
	fuzz_check(a->nreq == b->nreq, how);
	fuzz_check(a->hash == b->hash, how);
	fuzz_check((a->error == NULL) == (b->error == NULL), how);
	if (a->error != NULL)
		fuzz_check(strcmp(a->error, b->error) == 0, how);
	else
		fuzz_check(a->pending == b->pending, how);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t one[] = { 0 };
	struct pp_trace whole, chunked, bytes;

	pp_run(data, size, NULL, 0, &whole);
	/* chunk sizes from the last bytes of the input */
	pp_run(data, size, size > 8 ? data + size - 8 : data, size > 8 ? 8 :
	    size, &chunked);
	pp_same(&whole, &chunked, "chunked feed sees the same requests");
	pp_run(data, size, one, 1, &bytes);
	pp_same(&whole, &bytes, "byte-at-a-time feed sees the same requests");
	return 0;
}
