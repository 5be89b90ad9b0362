/*
 * dnschan.h - one c-ares channel driven by the libev loop (for dns.c).
 *
 * ARES_OPT_SOCK_STATE_CB tells us which sockets c-ares wants watched: one
 * ev_io each (a short list: c-ares keeps a UDP socket per server and a TCP
 * one when a reply is truncated).  One ev_timer runs from ares_timeout();
 * it is recomputed when it fires or when a new query may time out sooner,
 * not per packet (ares_timeout walks every query in c-ares 1.18).
 *
 * Servers: dns.servers as "IP:PORT" (ares_set_servers_ports_csv), else the
 * system's resolv.conf.  Each server is tried up to DNSCHAN_TRIES times, the
 * first try timing out after a third of dns.timeout_ms (>= 50 ms), later
 * ones doubling.  With one server, SERVFAIL and REFUSED replies are handed
 * up as such (ARES_FLAG_NOCHECKRESP) so the log can name them; with several,
 * c-ares moves to the next server instead.
 *
 * A channel is replaced on SIGHUP without waiting: dnschan_retire() lets
 * the queries in flight finish (their answers still fill the cache) and
 * closes the channel after the last one, from the loop.  dnschan_close()
 * closes at once: queries in flight are answered with ARES_EDESTRUCTION.
 * The answer callback may run before dnschan_query() returns.
 */
#ifndef POLICYD_DNSCHAN_H
#define POLICYD_DNSCHAN_H

#include <stdbool.h>
#include <stddef.h>

struct ev_loop;
struct dns_config;
struct dnschan;

#define DNSCHAN_TRIES 3

typedef void dnschan_answer_fn(void *arg, int ares_status,
    const unsigned char *abuf, int alen);

struct dnschan *dnschan_open(struct ev_loop *loop, const struct dns_config *dc);
void dnschan_query(struct dnschan *c, const char *name, int qtype,
    dnschan_answer_fn *fn, void *arg);
void dnschan_retire(struct dnschan *c);         /* NULL ok */
void dnschan_close(struct dnschan *c);          /* NULL ok */
void dnschan_close_all(void);                   /* retired ones too */
/* True when dc asks for the same servers and timeout as c was made with. */
bool dnschan_same(const struct dnschan *c, const struct dns_config *dc);
size_t dnschan_inflight(const struct dnschan *c);
size_t dnschan_sockets(const struct dnschan *c);
/* Text form of what c was made with ("127.0.0.1:53,..." or "system"). */
const char *dnschan_servers(const struct dnschan *c);

#endif
