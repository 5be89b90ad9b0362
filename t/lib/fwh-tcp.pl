#!/usr/bin/perl
# t/lib/fwh-tcp.pl - tiny TCP peers for the firewall tests.
#   fwh-tcp.pl listen PORT...          accept and close on [::] and 0.0.0.0
#   fwh-tcp.pl connect SRC DST PORT    print accepted, refused, reset or timeout
use strict;
use warnings;
use IO::Socket::IP;
use IO::Select;
use Errno qw(ECONNREFUSED ECONNRESET ETIMEDOUT EINPROGRESS);

my $mode = shift // '';
if ($mode eq 'listen') {
	my $sel = IO::Select->new;
	for my $port (@ARGV) {
		for my $host ('0.0.0.0', '::') {
			my $l = IO::Socket::IP->new(LocalHost => $host, LocalPort => $port,
			    Listen => 128, ReuseAddr => 1, V6Only => 1)
				or die "listen $host:$port: $@\n";
			$sel->add($l);
		}
	}
	$| = 1;
	print "listening\n";
	while (1) {
		for my $l ($sel->can_read) {
			my $c = $l->accept or next;
			close $c;
		}
	}
}
if ($mode eq 'connect') {
	my ($src, $dst, $port) = @ARGV;
	my $s = IO::Socket::IP->new(LocalHost => $src, PeerHost => $dst,
	    PeerPort => $port, Timeout => 2);
	if ($s) { print "accepted\n"; exit 0 }
	my $e = $! + 0;
	print $e == ECONNREFUSED ? "refused\n" : $e == ECONNRESET ? "reset\n"
	    : $e == ETIMEDOUT || $e == EINPROGRESS || !$e ? "timeout\n" : "error $!\n";
	exit 1;
}
die "usage: fwh-tcp.pl listen PORT... | connect SRC DST PORT\n";
