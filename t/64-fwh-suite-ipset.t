#!/bin/bash
# The firewall-helper suite (t/41..44: rules, packets, reconcile,
# security and capabilities) with FWH_BACKEND=ipset; the kernel is read
# through t/lib/fwh-ipset.sh.  One TAP line per script, with its failing
# lines as diagnostics.
cd "$(dirname "$0")/.." || exit 1
backend=ipset
. t/lib/fwsets-suite.sh
