#!/usr/bin/perl
# Every configuration key the loaders accept is documented, and every
# documented key is accepted.  The documentation is doc/options/*.tsv (the
# source of the manual pages); the loaders are read two ways:
#   - in the source: the key tables handed to ymap_check (string arrays
#     whose name says key, known or section, and section tables of
#     { "key", parse_fn } pairs) in the files that call ymap_check;
#   - at run time: for each documented key, a file holding just that key is
#     checked with -n, which must not answer `unknown key` (keys such as the
#     class names of classes: are computed, so only this finds them).
# And every option letter of each program's getopt string is documented,
# and every documented option is in the getopt string.
use strict;
use warnings;
use File::Temp qw(tempdir);
use FindBin;
chdir "$FindBin::Bin/.." or die "chdir: $!";

my $n = 0;
sub ok { my ($c, $m) = @_; $n++; print(($c ? '' : 'not '), "ok $n - $m\n"); $c }
sub diag { print map { "# $_\n" } @_ }
sub slurp { open my $f, '<', $_[0] or return ''; local $/; <$f> }

sub tsv_keys {
	my ($file) = @_;
	open my $f, '<', $file or die "$file: $!";
	my @k;
	while (<$f>) {
		next if /^\s*(#|$)/;
		push @k, (split /\t+/)[0];
	}
	return @k;
}

# Which documented format a loader source belongs to.
sub format_of {
	my ($src) = @_;
	return undef if $src =~ m{/tokens\.c$};     # token data: not a config format
	return 'exceptions.yaml' if $src =~ m{/exceptions[^/]*\.c$};
	return 'firewall-helper.yaml' if $src =~ m{^firewall-helper/};
	return 'policyd.yaml';
}

# 1. Source: the key words of every loader.
my %words;      # format -> word -> "file:line"
my @srcs = (glob('policyd/*.c'), glob('firewall-helper/*.c'));
for my $src (sort @srcs) {
	my $text = slurp($src);
	next unless $text =~ /\bymap_check\s*\(/;
	my $fmt = format_of($src) or next;
	while ($text =~ /static\s+const\s+char\s*\*\s*const\s+(\w*(?:key|known|section)\w*)\s*\[\s*\]\s*=\s*\{(.*?)\}\s*;/gs) {
		my ($name, $body, $pos) = ($1, $2, $-[0]);
		my $line = 1 + (substr($text, 0, $pos) =~ tr/\n//);
		$words{$fmt}{$_} //= "$src:$line ($name)" for $body =~ /"([^"]+)"/g;
	}
	# section tables: { "key", parse_fn } (a function: lower case)
	while ($text =~ /\{\s*"([a-z_]+)"\s*,\s*&?[a-z_]\w*\s*[,}]/g) {
		my $line = 1 + (substr($text, 0, $-[0]) =~ tr/\n//);
		$words{$fmt}{$1} //= "$src:$line (section table)";
	}
}

for my $fmt ('policyd.yaml', 'firewall-helper.yaml', 'exceptions.yaml') {
	my $tsv = "doc/options/$fmt.tsv";
	my @keys = tsv_keys($tsv);
	my %parts = map { $_ => 1 } map { split /\[\]|\./ } @keys;
	my @undoc = grep { !$parts{$_} } sort keys %{ $words{$fmt} // {} };
	ok(!@undoc, "$fmt: every key in the loaders' tables is in $tsv")
	    or diag(map { "undocumented: $_ ($words{$fmt}{$_})" } @undoc);
}

# 2. Run time: each documented key alone, checked with -n.
my $tmp = tempdir(CLEANUP => 1);

# "a.b[].c" -> YAML text with the value x at the end.
sub yaml_for {
	my ($key) = @_;
	my @parts = split /\./, $key;
	my ($y, $ind) = ('', '');
	for my $i (0 .. $#parts) {
		my ($name, $list) = $parts[$i] =~ /^(\w+)(\[\])?$/;
		my $last = $i == $#parts;
		$y .= "$ind$name:" . ($last ? " x\n" : "\n");
		if ($list && !$last) {
			$ind .= '  ';
			$y .= "$ind- ";
			# the first key of the list item goes on the dash line
			my $rest = yaml_for(join '.', @parts[$i + 1 .. $#parts]);
			my $pad = "$ind  ";
			$rest =~ s/\n(?=.)/\n$pad/g;
			return $y . $rest;
		}
		$ind .= '  ';
	}
	return $y;
}

sub check_keys {
	my ($fmt, $prog, $wrap) = @_;
	my @bad;
	my @keys = tsv_keys("doc/options/$fmt.tsv");
	# First make sure -n reads this file at all: a bogus key must show.
	for my $k ('zz_no_such_key', @keys) {
		my $key = $k;
		my $leaf = (split /\[\]|\./, $key)[-1];
		# "*[].x": a key of the items of any list; try it in the first
		$key =~ s/^\*/$keys[0]/;
		my $file = "$tmp/k.yaml";
		open my $f, '>', $file or die;
		print $f yaml_for($key);
		close $f;
		my $cfg = $wrap ? $wrap->($file) : $file;
		my $out = qx{$prog -c '$cfg' -n 2>&1};
		my $unknown = $out =~ /unknown key "\Q$leaf\E"/;
		if ($key eq 'zz_no_such_key') {
			next if $unknown;
			$n++;
			print "ok $n # SKIP $fmt: $prog -n does not read it (yet)\n";
			return;
		}
		push @bad, "$key: " . ($out =~ s/\s+$//r) if $unknown;
	}
	ok(!@bad, "$fmt: $prog -n accepts every documented key") or diag(@bad);
}

if (-x 'policyd/policyd') {
	check_keys('policyd.yaml', 'policyd/policyd');
	if (glob('policyd/exceptions*.c')) {
		check_keys('exceptions.yaml', 'policyd/policyd', sub {
			my $c = "$tmp/p.yaml";
			open my $f, '>', $c or die;
			print $f "exceptions: $_[0]\n";
			close $f;
			return $c;
		});
	}
}
check_keys('firewall-helper.yaml', 'firewall-helper/firewall-helper')
    if -x 'firewall-helper/firewall-helper';

# 3. Command lines: getopt strings against the documented options.
for my $prog ('policyd', 'firewall-helper') {
	my $main = slurp("$prog/main.c");
	my ($opts) = $main =~ /getopt\s*\(\s*argc\s*,\s*argv\s*,\s*"([^"]*)"/ or next;
	my %code = map { $_ => 1 } grep { /\w/ } split //, $opts;
	my %doc = map { /^-(\w)/ ? ($1 => 1) : () } tsv_keys("doc/options/$prog.cli.tsv");
	my @undoc = grep { !$doc{$_} } sort keys %code;
	my @ghost = grep { !$code{$_} } sort keys %doc;
	ok(!@undoc && !@ghost, "$prog: getopt \"$opts\" matches doc/options/$prog.cli.tsv")
	    or diag((map { "undocumented: -$_" } @undoc), (map { "not in getopt: -$_" } @ghost));
}
print "1..$n\n";
