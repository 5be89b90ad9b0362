#!/usr/bin/perl
# dns-sink.pl - a misbehaving DNS server for tests (UDP and TCP on loopback).
#
#   dns-sink.pl MODE PORT [LOGFILE [DELAY_MS NAME]]
#
# MODE servfail: answer every query with RCODE 2 (SERVFAIL);
#      refused:  answer with RCODE 5 (REFUSED);
#      drop:     read every query and never answer;
#      slow:     answer every query DELAY_MS later with one record (TTL
#                300), whatever was asked (UDP only): a PTR naming NAME,
#                or, when NAME is an IPv4 address, an A record of it.
# Every query received is appended to LOGFILE as "QNAME QTYPE", one line,
# flushed, so a test can count them.  Runs until killed.
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;
use Time::HiRes ();

my ($mode, $port, $logf, $delay, $ptrname) = @ARGV;
die "usage: $0 servfail|refused|drop|slow PORT [LOG [DELAY_MS NAME]]\n"
    unless defined $port && $mode =~ /^(servfail|refused|drop|slow)$/;
die "slow needs LOG DELAY_MS NAME\n" if $mode eq 'slow' && !defined $ptrname;
my $rcode = $mode eq 'servfail' ? 2 : $mode eq 'refused' ? 5 :
    $mode eq 'slow' ? 0 : -1;
my @later;      # slow: [due, reply, peer], in order

my $udp = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port,
    Proto => 'udp') or die "udp $port: $!\n";
my $tcp = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port,
    Proto => 'tcp', Listen => 16, ReuseAddr => 1) or die "tcp $port: $!\n";
my $log;
if (defined $logf) {
	open($log, '>>', $logf) or die "$logf: $!\n";
	$log->autoflush(1);
}
$SIG{TERM} = sub { exit 0 };

# Returns the reply for one query packet, or undef (drop, or not parseable).
sub reply {
	my ($q) = @_;
	return undef if length($q) < 12;
	my ($id, $flags) = unpack('n n', $q);
	my $off = 12;
	my @labels;
	while ($off < length($q)) {
		my $n = ord(substr($q, $off, 1));
		$off++;
		last if $n == 0;
		return undef if $n >= 64 || $off + $n > length($q);
		push @labels, substr($q, $off, $n);
		$off += $n;
	}
	return undef if $off + 4 > length($q);
	my ($qtype) = unpack('n', substr($q, $off, 2));
	print $log join('.', @labels) . ". $qtype\n" if $log;
	return undef if $rcode < 0;
	my $rflags = 0x8000 | ($flags & 0x0100) | 0x0080 | $rcode;
	my $r = pack('n n n n n n', $id, $rflags, 1, $mode eq 'slow' ? 1 : 0,
	    0, 0) . substr($q, 12, $off + 4 - 12);
	if ($mode eq 'slow' && $ptrname =~ /^\d+\.\d+\.\d+\.\d+$/) {
		$r .= pack('n n n N n C4', 0xc00c, 1, 1, 300, 4,
		    split /\./, $ptrname);
	} elsif ($mode eq 'slow') {
		my $rd = join('', map { chr(length) . $_ } split /\./, $ptrname) .
		    "\0";
		$r .= pack('n n n N n', 0xc00c, 12, 1, 300, length $rd) . $rd;
	}
	return $r;
}

my $sel = IO::Select->new($udp, $tcp);
my @keep;       # dropped TCP connections are held open, never answered
while (1) {
	my $wait;
	if (@later) {
		$wait = $later[0][0] - Time::HiRes::time();
		$wait = 0 if $wait < 0;
	}
	my @ready = $sel->can_read($wait);
	while (@later && $later[0][0] <= Time::HiRes::time()) {
		my $l = shift @later;
		$udp->send($l->[1], 0, $l->[2]);
	}
	for my $s (@ready) {
		if ($s == $udp) {
			my $peer = $udp->recv(my $q, 65535);
			next unless defined $peer;
			my $r = reply($q);
			if (defined $r && $mode eq 'slow') {
				push @later, [Time::HiRes::time() + $delay / 1000,
				    $r, $peer];
			} elsif (defined $r) {
				$udp->send($r, 0, $peer);
			}
		} elsif ($s == $tcp) {
			my $c = $tcp->accept or next;
			$sel->add($c);
			push @keep, $c;
		} else {
			my $got = sysread($s, my $buf, 65537);
			if (!$got) {
				$sel->remove($s);
				@keep = grep { $_ != $s } @keep;
				close $s;
				next;
			}
			my $r = reply(substr($buf, 2));
			syswrite($s, pack('n', length $r) . $r) if defined $r;
		}
	}
}
