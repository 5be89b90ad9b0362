#!/usr/bin/perl
# dnsq.pl - one DNS query over UDP, for checking the test rooms (no Net::DNS).
#
#   dnsq.pl HOST:PORT NAME TYPE     TYPE: A AAAA PTR TXT
#
# Prints the RCODE name, then one line per answer "NAME TTL TYPE DATA" (A,
# AAAA and PTR decoded, others as hex).  Exit 0 on NOERROR, 1 on another
# RCODE, 2 on a timeout (2 s, or $DNSQ_TIMEOUT) or error.
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;
use Socket qw(inet_ntop AF_INET AF_INET6);

my ($srv, $name, $type) = @ARGV;
die "usage: $0 HOST:PORT NAME TYPE\n" unless defined $type;
my %t = (A => 1, PTR => 12, TXT => 16, AAAA => 28);
my %tn = reverse %t;
my @rc = qw(NOERROR FORMERR SERVFAIL NXDOMAIN NOTIMP REFUSED);
my ($h, $p) = $srv =~ /^(.*):(\d+)$/ or die "bad server $srv\n";
my $qt = $t{uc $type} // die "bad type $type\n";
my $id = int(rand(65536));
my $q = pack('n6', $id, 0x0100, 1, 0, 0, 0);
$q .= join('', map { chr(length) . $_ } grep { length } split /\./, $name) . "\0";
$q .= pack('n2', $qt, 1);
my $s = IO::Socket::INET->new(PeerAddr => $h, PeerPort => $p, Proto => 'udp')
    or die "socket: $!\n";
$s->send($q);
IO::Select->new($s)->can_read($ENV{DNSQ_TIMEOUT} // 2) or do { print "TIMEOUT\n"; exit 2 };
$s->recv(my $r, 65535);

sub dname {
	my ($off) = @_;
	my @l;
	my $end;
	while (1) {
		my $n = ord(substr($r, $off, 1));
		if (($n & 0xc0) == 0xc0) {
			$end //= $off + 2;
			$off = unpack('n', substr($r, $off, 2)) & 0x3fff;
			next;
		}
		$off++;
		last if $n == 0;
		push @l, substr($r, $off, $n);
		$off += $n;
	}
	return (join('.', @l) . '.', $end // $off);
}

my ($rid, $fl, $qd, $an) = unpack('n4', $r);
my $rcode = $fl & 15;
print $rc[$rcode] // "RCODE$rcode", "\n";
my $off = 12;
for (1 .. $qd) { (undef, $off) = dname($off); $off += 4 }
for (1 .. $an) {
	(my $n, $off) = dname($off);
	my ($ty, $cl, $ttl, $len) = unpack('n n N n', substr($r, $off, 10));
	$off += 10;
	my $d = substr($r, $off, $len);
	my $txt = $ty == 1 ? inet_ntop(AF_INET, $d) : $ty == 28 ? inet_ntop(AF_INET6, $d)
	    : $ty == 12 ? (dname($off))[0] : unpack('H*', $d);
	print "$n $ttl ", ($tn{$ty} // $ty), " $txt\n";
	$off += $len;
}
exit($rcode == 0 ? 0 : 1);
