#!/bin/bash
# One turn of the event loop that reads more than its 64 KiB buffer holds.
# policyd is stopped while 48 connections each send three pipelined
# requests of about 2 KiB, so that its first poll after SIGCONT finds all
# of them readable: the buffer fills (the requests read so far are answered
# before reading on), some reads take part of a request only, and yet every
# connection must get its own three answers, in order.
. "$(dirname "$0")/lib/policyd.sh"

pd_conf "listen: [ inet:127.0.0.1:$PORT ]
log: { requests: all }
tokens: $PWD/etc/tokens.yaml"
pd_start
t_ok $? "policyd starts"

perl - "$PORT" "$PD_PID" > "$T_TMP/out" 2>&1 <<'PERL'
use strict;
use warnings;
use IO::Socket::INET;

my ($port, $pid) = @ARGV;
my ($n, $per) = (48, 3);
my $pad = 'x' x 2000;
alarm 60;

# conn i, request j: a broadband name (REJECT) or a mail server's (DUNNO)
sub req {
	my ($i, $j) = @_;
	my $a = "198.51." . (100 + $i) . "." . ($j + 1);
	(my $d = $a) =~ tr/./-/;
	my $name = ($i + $j) % 2 ? "$d.dyn.example.net" : "mail$i-$j.example.org";
	return ("request=smtpd_access_policy\nprotocol_state=RCPT\n" .
	    "client_address=$a\nclient_name=$name\npadding=$pad\n\n",
	    ($i + $j) % 2 ? "REJECT" : "DUNNO");
}

sub answers {
	my ($s, $k) = @_;
	my ($buf, @a) = ('');
	while (@a < $k) {
		if ($buf =~ s/^action=([^\n]*)\n\n//) {
			push @a, $1;
			next;
		}
		my $r = sysread($s, $buf, 65536, length $buf);
		die "read: " . ($r // $!) . "\n" if !$r;
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
	syswrite($s[$i], $all) == length $all or die "write: $!\n";
}
kill 'CONT', $pid or die "SIGCONT: $!\n";
my ($good, $bytes) = (0, $n * length((req(0, 0))[0]) * $per);
for my $i (0 .. $n - 1) {
	my @got = map { (split / /)[0] } answers($s[$i], $per);
	if ("@got" eq "@{$want[$i]}") {
		$good++;
	} else {
		print "connection $i: got @got, want @{$want[$i]}\n";
	}
}
print "$good of $n connections answered in order ($bytes bytes sent)\n";
PERL
t_is "$(tail -n 1 "$T_TMP/out" | cut -d' ' -f1-7)" \
    "48 of 48 connections answered in order" \
    "every connection's three answers, in order" || sed 's/^/# /' "$T_TMP/out"
pd_wait_log 'bytes read on this turn: answering them before reading on'
t_ok $? "the turn's buffer filled: what it held was answered before reading on"
pd_wait_log 'client=198\.51\.1[0-4][0-9]\.[123] ' $((48 * 3))
t_ok $? "one log line per request: $(grep -c 'client=198\.51\.1' "$PD_LOG")"

pd_stop
t_is "$PD_RC" 0 "SIGTERM: exit 0"
pd_sanitizer_clean
t_ok $? "no sanitizer reports"
t_done
