#!/usr/bin/perl
# fw-flood.pl - pipeline N `add` commands into the helper's command socket
# and wait for every reply (the helper answers after the commit, so the
# last reply means the kernel holds them all).
#
#   fw-flood.pl SOCKET N [FIRST]       addresses 10.0.0.0 + FIRST .. + N-1
#
# Prints "added N in S s (K ok)"; exits 1 unless every reply is OK.
# A child writes while the parent reads: the helper stops reading from a
# peer that does not read its replies.
use strict;
use warnings;
use IO::Socket::UNIX;
use Time::HiRes qw(time);

my ($path, $n, $first) = @ARGV;
die "usage: $0 SOCKET N [FIRST]\n" unless defined $n;
$first //= 0;
my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $path)
	or die "connect $path: $!\n";
my $t0 = time;
my $pid = fork // die "fork: $!\n";
if ($pid == 0) {
	my $buf = '';
	for my $i ($first .. $first + $n - 1) {
		$buf .= sprintf "add 10.%d.%d.%d ttl=3600 reason=flood\n",
		    ($i >> 16) & 255, ($i >> 8) & 255, $i & 255;
		if (length $buf > 65536) { print $s $buf or exit 1; $buf = '' }
	}
	print $s $buf;
	$s->flush;
	exit 0;
}
my ($ok, $got) = (0, 0);
while ($got < $n && defined(my $l = <$s>)) {
	$got++;
	$ok++ if $l =~ /^OK/;
	print STDERR "reply: $l" if $l !~ /^OK/ && $got - $ok <= 3;
}
my $dt = time - $t0;
waitpid $pid, 0;
printf "added %d in %.3f s (%d ok)\n", $n, $dt, $ok;
exit($ok == $n ? 0 : 1);
