#!/usr/bin/perl
# hostile-fwh.pl - adversarial clients of the firewall helper's command
# socket (unix stream, lines "add IP ..." / "del IP", replies OK/ERR).
#
#   hostile-fwh.pl SOCKET MODE [ARGS]
#
#   witness ADDR           one add, must be answered OK (prints the reply)
#   garbage N SEED         N connections of random bytes (raw, printable,
#                          mutated commands); every line back starts with
#                          OK or ERR; then a witness
#   longline               a 100 KB line: "ERR line too long", then closed
#   slow ADDR              "add ADDR" one byte at a time: answered OK
#   halfclose ADDR...      the commands, then shutdown(WR): one reply each
#   many N                 N connections at once, each then sends one add:
#                          those the helper keeps are answered, the others
#                          closed (none hangs); a witness once they are gone
#   noread N               N adds never read (the helper stops reading at
#                          its output bound); a witness meanwhile
#   statuscrowd STATUS N   N idle connections held open on the status
#                          socket (more than it serves): a witness on the
#                          command socket is still answered
#   hold PATH N SECONDS    N connections to PATH held open, idle, then closed
#   idle PATH N SECONDS    N connections to PATH left silent that long; prints
#                          how many the helper closed (EOF) meanwhile
#   statuslist STATUS N K  N status connections each send "list" K times in
#                          one write and never read: a witness meanwhile
#                          (the helper answers one list at a time per peer,
#                          so its memory stays bounded; the .t checks it)
# Prints one summary line; exit 0 when every check held, 1 otherwise.

use strict;
use warnings;
no warnings "portable";
use IO::Socket::UNIX;
use IO::Select;
use Time::HiRes qw(time sleep);
use Errno qw(EAGAIN EWOULDBLOCK);

$SIG{PIPE} = 'IGNORE';         # a closed connection is a result, not death
$| = 1;                        # lines out at once (a .t may wait for them)
my ($sock, $mode, @args) = @ARGV;
die "usage: hostile-fwh.pl SOCKET MODE [ARGS]\n" unless $sock && $mode;

sub fail { print STDERR "FAIL: @_\n"; exit 1; }

sub conn {
	my ($path) = @_;
	$path //= $sock;
	my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $path)
	    or fail("connect $path: $!");
	$s->autoflush(1);
	return $s;
}

# Read lines until n replies or timeout; returns the lines.
sub replies {
	my ($s, $n, $timeout) = @_;
	my ($buf, @l) = ('');
	my $sel = IO::Select->new($s);
	my $end = time + $timeout;
	while (@l < $n && time < $end) {
		last unless $sel->can_read($end - time);
		my $r = sysread($s, $buf, 65536, length $buf);
		last unless $r;
		while ($buf =~ s/^([^\n]*)\n//) { push @l, $1 }
	}
	return @l;
}

# One add on a new connection, answered OK.  A connection closed without a
# reply (the helper still busy closing others past its connection limit)
# is retried for up to 5 s.
sub witness {
	my ($addr) = @_;
	my $end = time + 5;
	while (1) {
		my $s = conn();
		syswrite($s, "add $addr reason=witness\n");
		my @r = replies($s, 1, 10);
		close $s;
		if (@r) {
			fail("witness $addr: $r[0]") unless $r[0] =~ /^OK/;
			return $r[0];
		}
		fail("witness $addr: no reply") if time > $end;
		sleep 0.1;
	}
}

# How many of the sockets the helper has closed (EOF waiting).
sub closed_by_peer {
	return scalar grep { my $b; IO::Select->new($_)->can_read(0) &&
	    !sysread($_, $b, 1) } @_;
}

my $rng = 88172645463325252;
sub rnd {
	my ($n) = @_;
	$rng ^= ($rng << 13) & 0xffffffffffffffff;
	$rng ^= $rng >> 7;
	$rng ^= ($rng << 17) & 0xffffffffffffffff;
	return $n ? $rng % $n : 0;
}

if ($mode eq 'witness') {
	print witness($args[0]), "\n";
} elsif ($mode eq 'garbage') {
	my ($n, $seed) = @args;
	$rng = $seed || $rng;
	my ($lines, $closed) = (0, 0);
	for my $i (1 .. $n) {
		my $kind = $i % 3;
		my $len = 1 + rnd(rnd(8) ? 600 : 20000);
		my $data = '';
		if ($kind == 0) {
			$data .= chr(rnd(256)) for 1 .. $len;
		} elsif ($kind == 1) {
			my @c = split //, "adel ttl=reason=0123456789.:/\n\n\r xyz\t";
			$data .= $c[rnd(scalar @c)] for 1 .. $len;
		} else {
			for (1 .. 1 + rnd(5)) {
				my $cmd = ("add 198.51.100.", "del 198.51.100.",
				    "add 2001:db8::")[rnd(3)] . rnd(300) .
				    (" ttl=" . rnd(100000)) x rnd(2) .
				    (" reason=" . "r" x rnd(300)) x rnd(2);
				substr($cmd, rnd(length $cmd), 1) = chr(rnd(256))
				    for 1 .. rnd(3);
				$data .= "$cmd\n";
			}
		}
		my $s = conn();
		syswrite($s, $data);
		shutdown($s, 1) if $i % 2;
		my @r = replies($s, 1000, $i % 2 ? 1.0 : 0.05);
		for (@r) {
			fail("garbage $i (seed $seed): reply \"$_\"")
			    unless /^(OK|ERR)( |$)/;
		}
		$lines += @r;
		close $s;
		witness("198.51.100.250") if $i % 20 == 0;
	}
	witness("198.51.100.250");
	print "mode=garbage connections=$n reply_lines=$lines errors=0\n";
} elsif ($mode eq 'longline') {
	my $s = conn();
	syswrite($s, "add " . ("1" x 100000) . "\n");
	my @r = replies($s, 2, 3);
	fail("longline: replies @r") unless @r == 1 && $r[0] =~ /^ERR/;
	my $buf;
	my $sel = IO::Select->new($s);
	fail("longline: not closed") unless $sel->can_read(3) &&
	    !sysread($s, $buf, 10);
	print "mode=longline reply=\"$r[0]\" closed=1 errors=0\n";
} elsif ($mode eq 'slow') {
	my $s = conn();
	for my $c (split //, "add $args[0] reason=slow\n") {
		syswrite($s, $c);
		sleep 0.002;
	}
	my @r = replies($s, 1, 5);
	fail("slow: @r") unless @r == 1 && $r[0] =~ /^OK/;
	print "mode=slow reply=\"$r[0]\" errors=0\n";
} elsif ($mode eq 'halfclose') {
	my $s = conn();
	syswrite($s, join('', map { "add $_ reason=halfclose\n" } @args));
	shutdown($s, 1);
	my @r = replies($s, scalar @args, 5);
	fail("halfclose: " . scalar(@r) . " of " . scalar(@args) . " replies")
	    unless @r == @args && !grep { !/^OK/ } @r;
	print "mode=halfclose replies=" . scalar(@r) . " errors=0\n";
} elsif ($mode eq 'many') {
	my ($n) = @args;
	my @s = map { conn() } 1 .. $n;
	my ($ok, $closed) = (0, 0);
	for my $i (0 .. $#s) {
		my $a = "198.51.101." . ($i % 250 + 1);
		syswrite($s[$i], "add $a reason=many\n");
	}
	for my $s (@s) {
		my @r = replies($s, 1, 3);
		if (@r) {
			fail("many: reply \"$r[0]\"") unless $r[0] =~ /^(OK|ERR)/;
			$ok++;
		} else {
			$closed++;
		}
	}
	fail("many: none answered") unless $ok;
	close $_ for @s;
	witness("198.51.100.252");
	print "mode=many connections=$n answered=$ok closed_unanswered=$closed errors=0\n";
} elsif ($mode eq 'noread') {
	my ($n) = @args;
	my $s = conn();
	$s->blocking(0);
	my $cmds = join('', map { "add 198.51.102." . ($_ % 250 + 1) . " reason=" .
	    ("n" x 200) . "\n" } 1 .. $n);
	my ($off, $stuck) = (0, 0);
	my $t0 = time;
	while ($off < length $cmds && time - $t0 < 20) {
		my $w = syswrite($s, $cmds, 65536, $off);
		if (defined $w) { $off += $w; next }
		fail("noread: write: $!") unless $! == EAGAIN || $! == EWOULDBLOCK;
		$stuck++;
		witness("198.51.100.253") if $stuck % 20 == 1;
		sleep 0.01;
		last if $stuck > 100;
	}
	witness("198.51.100.254");
	close $s;
	print "mode=noread bytes_taken=$off of " . length($cmds) .
	    " writes_blocked=$stuck errors=0\n";
} elsif ($mode eq 'statuscrowd') {
	my ($st, $n) = @args;
	my @s = map { conn($st) } 1 .. $n;
	sleep 0.2;                      # accepted (and the excess closed)
	my $w = witness("198.51.100.249");
	my $open = @s - closed_by_peer(@s);
	close $_ for @s;
	print "mode=statuscrowd connections=$n still_open=$open witness=\"$w\" errors=0\n";
} elsif ($mode eq 'hold') {
	my ($path, $n, $secs) = @args;
	my @s = map { conn($path) } 1 .. $n;
	print "mode=hold connections=$n\n";
	sleep $secs;
	close $_ for @s;
} elsif ($mode eq 'idle') {
	my ($path, $n, $secs) = @args;
	my @s = map { conn($path) } 1 .. $n;
	sleep $secs;
	my $closed = closed_by_peer(@s);
	close $_ for @s;
	print "mode=idle path=$path connections=$n closed=$closed\n";
} elsif ($mode eq 'statuslist') {
	my ($st, $n, $k) = @args;
	my @s = map { conn($st) } 1 .. $n;
	for my $s (@s) {
		$s->blocking(0);
		syswrite($s, "list\n" x $k);
	}
	sleep 0.5;
	my $t0 = time;
	my $w = witness("198.51.100.248");
	my $dt = time - $t0;
	fail(sprintf("statuslist: witness took %.1f s", $dt)) if $dt > 5;
	print "mode=statuslist connections=$n lists_each=$k " .
	    sprintf("witness_s=%.3f", $dt) . " errors=0\n";
	# left open: the .t reads the helper's memory, then kills us
	sleep 30 if $ENV{HOSTILE_HOLD};
	close $_ for @s;
} else {
	fail("unknown mode $mode");
}
exit 0;
