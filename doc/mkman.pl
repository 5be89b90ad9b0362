#!/usr/bin/perl
# mkman.pl - build one manual page from doc/NAME.SECTION.in.
#
#   perl doc/mkman.pl [-D NAME=VALUE]... doc/policyd.8.in > policyd.8
#   perl doc/mkman.pl --keys doc/options/policyd.yaml.tsv   (list the keys)
#
# The .in file is man(7) source with two kinds of placeholders:
#   @NAME@                 replaced by the -D value (CONFDIR, SBINDIR,
#                          PKGDATADIR, DOCDIR; DATE and VERSION are built in)
#   @OPTIONS file.tsv@     alone on a line: the option list of
#                          doc/options/file.tsv as .TP paragraphs
#
# An options file is the one source of truth for a configuration format or
# a command line: one option a line, four TAB-separated fields
#     key  type  default  description
# ('#' lines and blank lines are skipped).  A key is a dotted path into the
# YAML document ("dns.timeout_ms"; "dns.dnsbl[].zone" for a key of the
# mappings in a list; "*[].value" for one of the items of any list), or
# for a command line the option with its arguments ("-c file").  In the
# description, `text` prints in bold, *text* in italics; the rest is plain
# text (roff escapes are neutralised).
# Everything is checked: a bad line stops the build with FILE:LINE.
use strict;
use warnings;
use File::Basename qw(dirname);
use POSIX qw(strftime);

my %def;
my $keys_only = 0;
while (@ARGV && $ARGV[0] =~ /^-/) {
	my $o = shift @ARGV;
	if ($o eq '-D') {
		my $kv = shift @ARGV // die "mkman: -D needs NAME=VALUE\n";
		$kv =~ /^([A-Z_]+)=(.*)$/ or die "mkman: bad -D $kv\n";
		$def{$1} = $2;
	} elsif ($o eq '--keys') {
		$keys_only = 1;
	} else {
		die "usage: mkman.pl [-D NAME=VALUE]... FILE.in | --keys FILE.tsv\n";
	}
}
@ARGV == 1 or die "usage: mkman.pl [-D NAME=VALUE]... FILE.in | --keys FILE.tsv\n";
my $in = $ARGV[0];

# Defaults match the paths the tree's units name (PREFIX=/usr).
$def{CONFDIR}    //= '/etc/policyd';
$def{SBINDIR}    //= '/usr/sbin';
$def{PKGDATADIR} //= '/usr/share/policyd';
$def{DOCDIR}     //= '/usr/share/doc/policyd';
$def{VERSION}    //= 'policyd';

sub read_options {
	my ($file) = @_;
	open my $fh, '<', $file or die "mkman: $file: $!\n";
	my (@opts, %seen);
	while (my $l = <$fh>) {
		chomp $l;
		next if $l =~ /^\s*(#|$)/;
		my @f = split /\t+/, $l;
		@f == 4 or die "$file:$.: want 4 TAB-separated fields, got " . scalar(@f) . "\n";
		my ($key, $type, $dflt, $desc) = @f;
		$key =~ /^(-[A-Za-z](\s\w+)*|([a-z_][a-z0-9_]*|\*)(\[\])?(\.[a-z_][a-z0-9_]*(\[\])?)*)$/
		    or die "$file:$.: bad key \"$key\"\n";
		die "$file:$.: key \"$key\" listed twice\n" if $seen{$key}++;
		push @opts, { key => $key, type => $type, dflt => $dflt, desc => $desc };
	}
	close $fh;
	return @opts;
}

# Plain text to roff: escape backslashes, protect a leading dot or quote,
# then the two inline markups.
sub roff {
	my ($s) = @_;
	$s =~ s/\\/\\e/g;
	$s =~ s/-/\\-/g;
	$s =~ s/`([^`]+)`/\\fB$1\\fR/g;
	$s =~ s/(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])/\\fI$1\\fR/g;
	$s =~ s/^([.'])/\\&$1/;
	return $s;
}

sub render {
	my ($file) = @_;
	my $out = ".ad l\n";
	for my $o (read_options($file)) {
		my $k = $o->{key};
		my $head;
		if ($k =~ /^(-\w)((?:\s\w+)*)$/) {
			my ($opt, @args) = ($1, split ' ', $2);
			$head = join ' ', '\fB' . roff($opt) . '\fR',
			    map { '\fI' . roff($_) . '\fR' } @args;
			$o->{desc} .= " (default: $o->{dflt})" if $o->{dflt} ne '-';
			$out .= ".TP\n$head\n" . roff($o->{desc}) . "\n";
		} else {
			$out .= ".TP\n\\fB" . roff($k) . "\\fR\n"
			    . '\fI' . roff($o->{type}) . '\fR; default \fB'
			    . roff($o->{dflt}) . "\\fR.\n.br\n" . roff($o->{desc}) . "\n";
		}
	}
	$out =~ s{\@([A-Z_]+)\@}{$def{$1} // die "$file: unknown placeholder \@$1\@\n"}ge;
	return $out . ".ad\n";
}

if ($keys_only) {
	print "$_->{key}\n" for read_options($in);
	exit 0;
}

# The date of the newest input, so a page does not change on every build.
my $dir = dirname($in) . '/options';
my $mtime = (stat $in)[9];
open my $fh, '<', $in or die "mkman: $in: $!\n";
my @lines = <$fh>;
close $fh;
for (@lines) {
	if (/^\@OPTIONS ([\w.-]+\.tsv)\@$/) {
		my $m = (stat "$dir/$1")[9];
		$mtime = $m if defined $m && $m > $mtime;
	}
}
$def{DATE} //= strftime('%Y-%m-%d', gmtime($ENV{SOURCE_DATE_EPOCH} // $mtime));

my $n = 0;
for my $l (@lines) {
	$n++;
	if ($l =~ /^\@OPTIONS ([\w.-]+\.tsv)\@$/) {
		print render("$dir/$1");
		next;
	}
	$l =~ s{\@([A-Z_]+)\@}{
		defined $def{$1} ? $def{$1} : die "$in:$n: unknown placeholder \@$1\@\n"
	}ge;
	print $l;
}
