# treecopy.sh - build from a copy of the tree (sourced, bash): another
# variant (another PREFIX) without relinking the programs other tests run.
#
#   tree_copy DIR           the sources make needs to build and install
#   tree_make DIR ARGS...   make -C DIR at -O0, without LTO or sanitizers;
#                           nothing from the caller's make (MAKEFLAGS: `make
#                           test PREFIX=...`) or environment picks the
#                           directories

tree_copy() {
	mkdir -p "$1" &&
	    tar -c --exclude=policyd/policyd --exclude=firewall-helper/firewall-helper \
	    GNUmakefile mk common policyd firewall-helper doc etc systemd |
	    tar -x -C "$1"
}

tree_make() {
	local dir=$1
	shift
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u PREFIX -u SYSCONFDIR \
	    -u CONFDIR make -C "$dir" SANITIZE= LTO= OPT=-O0 "$@"
}
