#!/bin/bash
# One turn of the event loop that reads more than its 64 KiB buffer holds.
# policyd is stopped while 48 connections each send three pipelined
# requests of 2000 bytes, so that its first poll after SIGCONT finds all of
# them readable.  Ten connections' 6000 bytes fill the buffer but for
# 5,536 bytes: the eleventh read ends inside a request (the rest comes on
# the next turn), and then less than 4 KiB is left, so the requests read so
# far are answered before reading on.  Every connection must get its own
# three answers, in order:
#   - answered at once (broadband names refused, mail servers not);
#   - answered later (debug.delay_ms), so that the bytes after the first
#     request wait in the connection's own buffer;
#   - with SIGTERM sent while policyd is stopped: what was received is
#     still answered, then each connection is closed.
. "$(dirname "$0")/lib/policyd.sh"

cat > "$T_TMP/turn.pl" <<'PERL'
use strict;
use warnings;
use IO::Socket::INET;

my ($port, $pid, $mode) = @ARGV;       # mode: now, later, term
my ($n, $per, $size) = (48, 3, 2000);
alarm 60;

# conn i, request j, exactly $size bytes: a broadband name (REJECT) or a
# mail server's (DUNNO); answered later, every answer is the default
sub req {
	my ($i, $j) = @_;
	my $a = "198.51." . (100 + $i) . "." . ($j + 1);
	(my $d = $a) =~ tr/./-/;
	my $bb = ($i + $j) % 2;
	my $r = "request=smtpd_access_policy\nprotocol_state=RCPT\n" .
	    "client_address=$a\nclient_name=" .
	    ($bb ? "$d.dyn.example.net" : "mail$i-$j.example.org") .
	    "\npadding=";
	$r .= 'x' x ($size - length($r) - 2) . "\n\n";
	return ($r, $bb && $mode ne 'later' ? "REJECT" : "DUNNO");
}

# k answers from s; with $eof, then the end of the connection
sub answers {
	my ($s, $k, $eof) = @_;
	my ($buf, @a) = ('');
	while (1) {
		if ($buf =~ s/^action=([^\n]*)\n\n//) {
			push @a, (split / /, $1)[0];
			next;
		}
		last if @a == $k && !$eof;
		my $r = sysread($s, $buf, 65536, length $buf);
		die "read: $!\n" if !defined $r;
		if ($r == 0) {
			push @a, "EOF";
			last;
		}
	}
	return @a;
}

my @s;
for my $i (0 .. $n - 1) {
	my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port")
	    or die "connect: $!\n";
	# an answer first: accepted and watched before policyd stops
	print $s "request=smtpd_access_policy\nclient_address=192.0.2.1\n\n";
	answers($s, 1);
	push @s, $s;
}
kill 'STOP', $pid or die "SIGSTOP: $!\n";
my @want;
for my $i (0 .. $n - 1) {
	my $all = '';
	for my $j (0 .. $per - 1) {
		my ($r, $w) = req($i, $j);
		$all .= $r;
		push @{$want[$i]}, $w;
	}
	push @{$want[$i]}, "EOF" if $mode eq 'term';
	syswrite($s[$i], $all) == length $all or die "write: $!\n";
}
if ($mode eq 'term') {
	kill 'TERM', $pid or die "SIGTERM: $!\n";
}
kill 'CONT', $pid or die "SIGCONT: $!\n";
my $good = 0;
for my $i (0 .. $n - 1) {
	my @got = answers($s[$i], $per, $mode eq 'term');
	if ("@got" eq "@{$want[$i]}") {
		$good++;
	} else {
		print "connection $i: got @got, want @{$want[$i]}\n";
	}
}
print "$good of $n connections answered in order\n";
PERL

turn() {        # MODE CONFIG-LINES
	pd_conf "listen: [ inet:127.0.0.1:$PORT ]
log: { requests: all }
tokens: $PWD/etc/tokens.yaml
$2"
	pd_start
	t_ok $? "$1: policyd starts"
	perl "$T_TMP/turn.pl" "$PORT" "$PD_PID" "$1" > "$T_TMP/out" 2>&1
	t_is "$(tail -n 1 "$T_TMP/out")" "48 of 48 connections answered in order" \
	    "$1: every connection's three answers, in order" ||
		sed 's/^/# /' "$T_TMP/out"
	pd_wait_log 'bytes read on this turn: answering them before reading on'
	t_ok $? "$1: the turn's buffer filled: its requests answered before reading on"
	pd_wait_log 'client=198\.51\.1[0-4][0-9]\.[123] ' $((48 * 3))
	t_ok $? "$1: one log line per request: $(grep -c 'client=198\.51\.1' "$PD_LOG")"
}

turn now ""
pd_stop
t_is "$PD_RC" 0 "now: SIGTERM: exit 0"
pd_sanitizer_clean
t_ok $? "now: no sanitizer reports"

turn later "debug: { delay_ms: 1 }"
pd_stop
pd_sanitizer_clean
t_ok $? "later: no sanitizer reports"

turn term ""
wait "$PD_PID"
t_is "$?" 0 "term: policyd exits 0 once every connection is answered"
PD_PID=
t_is "$(grep -c 'closed in the middle of a request' "$PD_LOG")" 0 \
    "term: no connection closed inside a request"
pd_sanitizer_clean
t_ok $? "term: no sanitizer reports"
t_done
