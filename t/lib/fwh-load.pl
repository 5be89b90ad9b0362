#!/usr/bin/perl
# t/lib/fwh-load.pl SOCKET pipe|lockstep N [FIRST] [VERB] - send N
# commands "VERB 198.18.x.y" (default add) to a firewall-helper command
# socket and time them until the last reply: `pipe` writes all of them at
# once (the helper batches), `lockstep` waits for each reply before the next
# (one commit each).  Prints "SECONDS OKCOUNT".
use strict;
use warnings;
use IO::Socket::UNIX;
use Time::HiRes qw(time);

my ($path, $mode, $n, $first, $verb) = @ARGV;
$first //= 0;
$verb //= 'add';
die "usage: fwh-load.pl SOCKET pipe|lockstep N [FIRST] [VERB]\n" unless $n;
my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM, Peer => $path) or die "connect: $!\n";
sub addr { my $i = shift; sprintf "198.%d.%d.%d", 18 + ($i >> 16), ($i >> 8) & 255, $i & 255 }
my @lines = map { "$verb " . addr($_) . " reason=bench\n" } $first .. $first + $n - 1;
my ($ok, $buf) = (0, '');
my $t0 = time;
if ($mode eq 'pipe') {
	my $out = join '', @lines;
	my $pid = fork // die "fork: $!\n";
	if ($pid == 0) { print {$s} $out; $s->flush; exit 0 }
	my $got = 0;
	while ($got < $n) {
		my $r = sysread($s, my $chunk, 1 << 20) or last;
		$buf .= $chunk;
		$got = ($buf =~ tr/\n//);
	}
	waitpid $pid, 0;
} else {
	for my $l (@lines) {
		syswrite $s, $l;
		my $line = '';
		while ($line !~ /\n/) { sysread($s, my $c, 4096) or last; $line .= $c }
		$buf .= $line;
	}
}
my $dt = time - $t0;
$ok = () = $buf =~ /^OK /mg;
printf "%.4f %d\n", $dt, $ok;
