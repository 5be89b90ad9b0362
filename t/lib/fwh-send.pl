#!/usr/bin/perl
# t/lib/fwh-send.pl SOCKET - send stdin to a firewall-helper unix socket,
# print every reply line.  With FWH_SEND_LINES=N it stops after N reply
# lines (the helper keeps the connection open); otherwise it half-closes
# after sending and reads until the helper closes or 10 s pass.
use strict;
use warnings;
use IO::Socket::UNIX;
use IO::Select;

my $path = shift or die "usage: fwh-send.pl SOCKET\n";
my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM, Peer => $path)
	or die "connect $path: $!\n";
local $/;
my $in = <STDIN> // '';
my $want = $ENV{FWH_SEND_LINES};
$want = ($in =~ tr/\n//) unless defined $want;
print {$s} $in;
$s->flush;
my $sel = IO::Select->new($s);
my ($buf, $lines) = ('', 0);
while ($lines < $want && $sel->can_read(10)) {
	my $r = sysread($s, my $chunk, 65536);
	last unless $r;
	$buf .= $chunk;
	$lines = ($buf =~ tr/\n//);
}
print $buf;
