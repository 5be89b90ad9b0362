/*
 * statspull.h - copies other modules' own counters into stats.h before
 * each report: the DNS module's (dns_stats) and the helper client's
 * (fwlink_stats).  Registered once at start-up with statspull_init();
 * modules that count for themselves need no change.  Owner: H8.
 */
#ifndef POLICYD_STATSPULL_H
#define POLICYD_STATSPULL_H

void statspull_init(void);

#endif
