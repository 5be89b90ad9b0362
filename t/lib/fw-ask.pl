#!/usr/bin/perl
# fw-ask.pl - ask policyd about clients, one request each, on one connection.
#
#   fw-ask.pl SPEC [ADDR NAME [sasl=USER]]...     SPEC: inet:HOST:PORT | unix:PATH
#   fw-ask.pl SPEC --gen N PREFIX NAMEFMT         N clients PREFIX.x.y, names
#                                                 from NAMEFMT (%s = dashed IP)
#
# Prints "ADDR action=..." per answer, in order.  Requests are pipelined in
# batches of 100 (Postfix keeps one request in flight per connection; policyd
# must not care).  Exits 1 if policyd closes early or an answer is malformed.
use strict;
use warnings;
use IO::Socket::INET;
use IO::Socket::UNIX;

my $spec = shift or die "usage: $0 SPEC ADDR NAME...\n";
my $s;
if ($spec =~ /^unix:(.+)$/) {
	$s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $1);
} elsif ($spec =~ /^inet:\[?([^\]]+?)\]?:(\d+)$/) {
	$s = IO::Socket::INET->new(PeerAddr => $1, PeerPort => $2, Proto => 'tcp');
} else {
	die "bad spec $spec\n";
}
die "connect $spec: $!\n" unless $s;

my @clients;
if (@ARGV && $ARGV[0] eq '--gen') {
	my (undef, $n, $prefix, $fmt) = @ARGV;
	for my $i (0 .. $n - 1) {
		my $ip = sprintf "%s.%d.%d", $prefix, int($i / 250) % 250, $i % 250 + 1;
		(my $d = $ip) =~ tr/./-/;
		push @clients, [$ip, sprintf($fmt, $d), undef];
	}
} else {
	while (@ARGV >= 2) {
		my ($a, $n) = splice @ARGV, 0, 2;
		my $sasl;
		if (@ARGV && $ARGV[0] =~ /^sasl=(.*)$/) { $sasl = $1; shift @ARGV; }
		push @clients, [$a, $n, $sasl];
	}
}

my $rc = 0;
while (my @batch = splice @clients, 0, 100) {
	my $out = '';
	for my $c (@batch) {
		$out .= "request=smtpd_access_policy\nprotocol_state=RCPT\n"
		    . "protocol_name=ESMTP\nclient_address=$c->[0]\n"
		    . "client_name=$c->[1]\nreverse_client_name=$c->[1]\n"
		    . "helo_name=$c->[1]\nsender=a\@example.org\n"
		    . "recipient=b\@room.test\ninstance=fw.$c->[0]\n";
		$out .= "sasl_method=plain\nsasl_username=$c->[2]\n" if defined $c->[2];
		$out .= "\n";
	}
	print $s $out;
	for my $c (@batch) {
		local $/ = "\n\n";
		my $ans = <$s>;
		if (!defined $ans || $ans !~ /^(action=[^\n]*)\n\n\z/) {
			print STDERR "fw-ask: bad or no answer for $c->[0]\n";
			exit 1;
		}
		print "$c->[0] $1\n";
	}
}
close $s;
exit $rc;
