#!/bin/bash
# The status socket's listing budget, at its edge and after a drain: with
# listings of about 19 MB, as many unread listings as fit in 64 MiB leave
# `list` answered, one more makes the next `list` "ERR busy: N MiB ...",
# and once those peers have read their listings, still connected, `list`
# is answered whole again ("until they read", README).  t/48 has the 32
# peers that never read and go away.  Null backend, private network
# namespace; the peers are root (places of their own, the budget is the
# same for everyone).
cd "$(dirname "$0")/.." || exit 1
FWH_BACKEND=null
. t/lib/fwh.sh
fwh_netns "$@"
fwh_init
ip link set lo up
fwh_conf "max_entries: 100000"
fwh_start || { echo "Bail out! the helper did not start"; exit 1; }
budget=$((64 << 20))
# 60,000 blocks with reasons of 250 bytes (as t/48)
reason=$(printf 'r%.0s' $(seq 250))
n=$(fwh_fill 60000 "$reason")
[ "$n" = 60000 ]; ok $? "60,000 blocks in ($n OK)"

# One listing's size; k unread ones exceed the budget, k - 1 do not.  A
# peer's unread part is the listing less what the socket holds (a few
# hundred KiB): keep 2 MiB clear of the edge on either side.
len=$(fwh list | wc -c)
k=$((budget / len + 1))
[ $(((k - 1) * len)) -lt $((budget - (2 << 20))) ] &&
    [ $((k * (len - (1 << 20)))) -gt $((budget + (2 << 20))) ]
ok $? "a listing is $len bytes: $((k - 1)) unread fit in 64 MiB, $k do not" ||
    { echo "Bail out! listing size unsuitable"; exit 1; }

# hog N TAG: N status connections ask for `list` and read nothing until
# SIGUSR1 (then each reads its listing to the OK line and stays
# connected).  $FWH_DIR/TAG.asked: "N" once every listing is queued (each
# socket has something to read: the helper wrote its listing whole);
# $FWH_DIR/TAG.read: the entries each connection read.
hog() {
	fwh_bg perl -MSocket -MIO::Socket::UNIX -MIO::Select -e '
		my ($path, $n, $tag) = @ARGV;
		my $go = 0;
		$SIG{USR1} = sub { $go = 1 };
		my @s;
		for (1 .. $n) {
			my $s = IO::Socket::UNIX->new(Peer => $path) or die "connect: $!";
			setsockopt($s, SOL_SOCKET, SO_RCVBUF, 4096);
			print $s "list\n"; $s->flush;
			push @s, $s;
		}
		for my $s (@s) { IO::Select->new($s)->can_read(10) or die "no listing" }
		open my $f, ">", "$tag.asked.tmp" or die; print $f scalar(@s), "\n";
		close $f; rename "$tag.asked.tmp", "$tag.asked";
		sleep 1 until $go;
		my @got;
		for my $s (@s) {
			my $e = 0;
			while (my $l = <$s>) { $e++ if $l =~ / until=/; last if $l =~ /^(OK|ERR)/ }
			push @got, $e;
		}
		open $f, ">", "$tag.read.tmp" or die; print $f "@got\n";
		close $f; rename "$tag.read.tmp", "$tag.read";
		sleep 60' "$FWH_DIR/status.sock" "$1" "$FWH_DIR/$2"
	HOG_PIDS="$HOG_PIDS $!"
}

hog $((k - 1)) a
fwh_wait 10 test -s "$FWH_DIR/a.asked"
t_is "$(cat "$FWH_DIR/a.asked" 2>/dev/null)" $((k - 1)) "$((k - 1)) peers asked for a list, reading nothing"
out=$(fwh list 2>&1 | tail -1)
t_is "$out" "OK 60000 entries" "$((k - 1)) unread listings: list still answered"

hog 1 b
fwh_wait 10 test -s "$FWH_DIR/b.asked"
t_is "$(cat "$FWH_DIR/b.asked" 2>/dev/null)" 1 "one more peer asked for a list, reading nothing"
out=$(fwh list 2>&1 | tail -1)
mib=$(sed -n 's/^ERR busy: \([0-9]*\) MiB of listings not read yet, try later$/\1/p' <<<"$out")
[ -n "$mib" ] && [ "$mib" -ge 64 ] && [ "$mib" -le $((k * len >> 20)) ]
ok $? "$k unread listings: $out"

# They read, and stay connected.
kill -USR1 $HOG_PIDS
fwh_wait 20 test -s "$FWH_DIR/a.read" -a -s "$FWH_DIR/b.read"
got=$(cat "$FWH_DIR/a.read" "$FWH_DIR/b.read" 2>/dev/null | tr '\n' ' ')
t_is "$got" "$(printf '60000 %.0s' $(seq $k))" "each peer read its listing whole"
# the helper's ends of their connections (local address: the socket's path)
n=$(ss -xH state connected 2>/dev/null | grep -cF " $FWH_DIR/status.sock ")
t_is "$n" "$k" "those peers are still connected"
n=$(fwh list 2>/dev/null | grep -c ' until=')
t_is "$n" 60000 "once they have read, list is answered whole"
kill $HOG_PIDS 2>/dev/null; wait $HOG_PIDS 2>/dev/null
fwh_stop
done_testing
