/*
 * journal_parse.c - the journal's line format, both ways (see journal.h).
 * Pure: no I/O, no logging.  Every field is checked: times are exactly
 * YYYY-MM-DDTHH:MM:SSZ, addresses go through addr_parse_n, numbers through
 * num_parse_n, reasons are printable ASCII and at most FWPROTO_REASON_MAX.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/addr.h"
#include "common/lbuf.h"
#include "common/num.h"
#include "firewall-helper/journal.h"

#define TIME_LEN 20

static void put2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

/* Years 1970..9999 by hand (a line per change: gmtime_r and strftime cost
 * more than the rest of the line); anything else through libc. */
char *journal_time(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (t >= 0 && t < 253402300800LL && size > TIME_LEN) {
		/* days since 1970-01-01 to a civil date, in 400-year eras of
		 * 146097 days that start on March 1st */
		long long z = t / 86400 + 719468, sec = t % 86400;
		long long era = z / 146097, doe = z - era * 146097;
		long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
		long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
		long long mp = (5 * doy + 2) / 153;
		unsigned d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
		unsigned m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
		unsigned y = (unsigned)(yoe + era * 400 + (m <= 2));

		put2(buf, y / 100);
		put2(buf + 2, y % 100);
		buf[4] = '-';
		put2(buf + 5, m);
		buf[7] = '-';
		put2(buf + 8, d);
		buf[10] = 'T';
		put2(buf + 11, (unsigned)(sec / 3600));
		buf[13] = ':';
		put2(buf + 14, (unsigned)(sec / 60 % 60));
		buf[16] = ':';
		put2(buf + 17, (unsigned)(sec % 60));
		buf[19] = 'Z';
		buf[20] = '\0';
		return buf;
	}
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "?");
	return buf;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int parse_time(const char *s, size_t len, time_t *out)
{
	struct tm tm;
	int y, mo, d, h, mi, se;

	if (len != TIME_LEN || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || s[19] != 'Z')
		return -1;
	if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &se))
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || se > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*out = timegm(&tm);
	return *out == (time_t)-1 ? -1 : 0;
}

/* Next space-separated token of [*p, end); returns its length. */
static size_t token(const char **p, const char *end, const char **tok)
{
	const char *s = *p, *e;

	while (s < end && *s == ' ')
		s++;
	e = s;
	while (e < end && *e != ' ')
		e++;
	*tok = s;
	*p = e;
	return (size_t)(e - s);
}

static int field(const char *tok, size_t tl, const char *name, const char **val,
    size_t *vl)
{
	size_t nl = strlen(name);

	if (tl <= nl || memcmp(tok, name, nl) != 0 || tok[nl] != '=')
		return 0;
	*val = tok + nl + 1;
	*vl = tl - nl - 1;
	return 1;
}

int journal_parse_line(const char *line, size_t len, struct journal_rec *out,
    const char **err)
{
	const char *p = line, *end = line + len, *tok, *v;
	size_t tl, vl;
	long long n;
	const char *why;
	int have_until = 0;

	memset(out, 0, sizeof(*out));
	*err = NULL;
	if (len == 0 || line[0] == '#')
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] > 0x7e) {
			*err = "bad character";
			return -1;
		}
	if ((tl = token(&p, end, &tok)) == 0)
		return 0;
	if (parse_time(tok, tl, &out->when) == -1) {
		*err = "bad time";
		return -1;
	}
	tl = token(&p, end, &tok);
	if (tl == 3 && memcmp(tok, "add", 3) == 0)
		out->op = JOURNAL_ADD;
	else if (tl == 3 && memcmp(tok, "del", 3) == 0)
		out->op = JOURNAL_DEL;
	else {
		*err = "unknown operation";
		return -1;
	}
	tl = token(&p, end, &tok);
	if (tl == 0 || addr_parse_n(&out->addr, tok, tl) == -1) {
		*err = "bad address";
		return -1;
	}
	out->since = out->when;
	out->seen = 1;
	while ((tl = token(&p, end, &tok)) > 0) {
		if (field(tok, tl, "reason", &v, &vl)) {
			vl = (size_t)(end - v);         /* the rest of the line */
			if (vl > FWPROTO_REASON_MAX) {
				*err = "reason too long";
				return -1;
			}
			memcpy(out->reason, v, vl);
			out->reason[vl] = '\0';
			break;
		}
		if (out->op == JOURNAL_DEL) {
			*err = "unknown field";
			return -1;
		}
		if (field(tok, tl, "until", &v, &vl)) {
			if (vl == 5 && memcmp(v, "never", 5) == 0)
				out->until = 0;
			else if (parse_time(v, vl, &out->until) == -1) {
				*err = "bad until";
				return -1;
			}
			have_until = 1;
		} else if (field(tok, tl, "since", &v, &vl)) {
			if (parse_time(v, vl, &out->since) == -1) {
				*err = "bad since";
				return -1;
			}
		} else if (field(tok, tl, "seen", &v, &vl)) {
			if (num_parse_n(v, vl, 1, 1000000000000LL, &n, &why) == -1) {
				*err = "bad seen";
				return -1;
			}
			out->seen = (unsigned long)n;
		} else {
			*err = "unknown field";
			return -1;
		}
	}
	if (out->op == JOURNAL_ADD && !have_until) {
		*err = "missing until";
		return -1;
	}
	return 1;
}

int journal_format(const struct journal_rec *r, char *buf, size_t size)
{
	char t[32], a[ADDR_STRLEN];
	struct lbuf b;

	lbuf_init(&b, buf, size);
	lbuf_str(&b, journal_time(r->when, t, sizeof(t)));
	lbuf_str(&b, r->op == JOURNAL_ADD ? " add " : " del ");
	lbuf_str(&b, addr_format(&r->addr, a, sizeof(a)));
	if (r->op == JOURNAL_ADD) {
		lbuf_str(&b, " until=");
		lbuf_str(&b, r->until ? journal_time(r->until, t, sizeof(t)) : "never");
		lbuf_str(&b, " since=");
		lbuf_str(&b, journal_time(r->since, t, sizeof(t)));
		lbuf_str(&b, " seen=");
		lbuf_num(&b, r->seen);
	}
	if (r->reason[0] != '\0') {
		lbuf_str(&b, " reason=");
		lbuf_str(&b, r->reason);
	}
	lbuf_mem(&b, "\n", 1);
	return lbuf_end(&b);
}
