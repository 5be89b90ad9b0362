#!/bin/bash
# README.rst tells the truth about the configuration: its reference block
# is what doc/mkreadme.pl makes from doc/options/*.tsv (which t/94 checks
# against the loaders), it names the two set-up commands, and it is valid
# reStructuredText when docutils is at hand.
cd "$(dirname "$0")/.." || exit 1
echo "1..4"
perl doc/mkreadme.pl --check README.rst
[ $? = 0 ] && echo "ok 1 - configuration reference matches doc/options (make readme)" ||
	echo "not ok 1 - configuration reference is stale: run make readme"
grep -q '^    make run ' README.rst && grep -q '^    make test ' README.rst &&
	echo "ok 2 - README gives make run and make test" || echo "not ok 2 - README lacks make run / make test"
for k in $(awk -F'\t' '!/^#/ && NF == 4 && $1 !~ /\[\]/ { print $1 }' doc/options/policyd.yaml.tsv); do
	grep -q "^\`\`$k\`\`" README.rst || { missing="$missing $k"; }
done
[ -z "$missing" ] && echo "ok 3 - every policyd.yaml key in the README" || echo "not ok 3 - missing:$missing"
if command -v rst2html >/dev/null || command -v rst2html.py >/dev/null; then
	r=$(command -v rst2html || command -v rst2html.py)
	"$r" --halt=warning README.rst /dev/null 2>&1 && echo "ok 4 - README is valid reStructuredText" ||
		echo "not ok 4 - rst2html warns about README.rst"
else
	echo "ok 4 # SKIP docutils not installed"
fi
