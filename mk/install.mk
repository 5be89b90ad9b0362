# install.mk - `make install`, manual pages, and what the tests of issue 8 need.
#
#   make man                         build the manual pages into $(B)/man/
#   make install [PREFIX=/usr/local] [DESTDIR=/tmp/stage] [SYSCONFDIR=...]
#   make uninstall                   remove what install put (not the config)
#   make install-nobuild             install without (re)building the programs
#                                    (as last built: their default -c is
#                                    the CONFDIR of that build)
#
# Layout (PREFIX=/usr puts the configuration in /etc):
#   $(SBINDIR)/policyd, firewall-helper          mode 0755, never set[ug]id
#   $(CONFDIR)/*.yaml                            only when not there already
#   $(DOCDIR)/examples/                          every example, always
#   $(PKGDATADIR)/tokens.yaml                    the classifier's token data
#   $(UNITDIR)/ $(SYSUSERSDIR)/ $(TMPFILESDIR)/  systemd files, paths rewritten
#   $(MANDIR)/man5, man8                         generated from doc/
# The units and pages name /usr/sbin and /etc/policyd in the tree; install
# rewrites them for the chosen directories.

DEB_PKGS += systemd man-db groff-base perl

PREFIX      ?= /usr/local
ifeq ($(PREFIX),/usr)
SYSCONFDIR  ?= /etc
else
SYSCONFDIR  ?= $(PREFIX)/etc
endif
SBINDIR     ?= $(PREFIX)/sbin
DATAROOTDIR ?= $(PREFIX)/share
PKGDATADIR  ?= $(DATAROOTDIR)/policyd
DOCDIR      ?= $(DATAROOTDIR)/doc/policyd
MANDIR      ?= $(DATAROOTDIR)/man
CONFDIR     ?= $(SYSCONFDIR)/policyd
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
INSTALL     ?= install

# The three configuration files are examples for $(CONFDIR); any other
# etc/*.yaml is data the classifier reads (tokens) and goes to PKGDATADIR.
CONF_FILES  := $(filter $(addprefix etc/,policyd.yaml firewall-helper.yaml exceptions.yaml),$(wildcard etc/*.yaml))
DATA_FILES  := $(filter-out $(CONF_FILES),$(wildcard etc/*.yaml))
EXTRA_DOCS  := $(filter-out $(CONF_FILES) $(DATA_FILES),$(wildcard etc/*))
UNIT_FILES  := $(wildcard systemd/*.service systemd/*.socket)

MAN_SRCS    := $(wildcard doc/*.[58].in)
MAN_PAGES   := $(patsubst doc/%.in,$(B)/man/%,$(MAN_SRCS))
MAN_DEPS    := doc/mkman.pl $(wildcard doc/options/*.tsv)

# Paths as the installed files should name them.
# An example that names a file of the tree relatively ("etc/tokens.yaml", or
# "tokens.yaml" beside it) gets the installed path.
PATH_SED = -e 's|/usr/sbin/policyd|$(SBINDIR)/policyd|g' \
	-e 's|/usr/sbin/firewall-helper|$(SBINDIR)/firewall-helper|g' \
	-e 's|/etc/policyd/|$(CONFDIR)/|g' \
	-e 's|/usr/share/policyd/|$(PKGDATADIR)/|g' \
	$(foreach f,$(CONF_FILES),-e 's|\([ "'"'"'[]\)\(etc/\)\{0,1\}$(notdir $(f))\b|\1$(CONFDIR)/$(notdir $(f))|g') \
	$(foreach f,$(DATA_FILES),-e 's|\([ "'"'"'[]\)\(etc/\)\{0,1\}$(notdir $(f))\b|\1$(PKGDATADIR)/$(notdir $(f))|g')

.PHONY: man install install-nobuild uninstall

man: $(MAN_PAGES)

# The pages and the programs' default configuration file
# ($(CONFDIR)/NAME.yaml, compiled into the two main.o) name the installed
# paths: made again when those change, and only they.
DIRS = CONFDIR=$(CONFDIR) SBINDIR=$(SBINDIR) PKGDATADIR=$(PKGDATADIR) DOCDIR=$(DOCDIR)
$(B)/.dirs: FORCE
	@mkdir -p $(dir $@)
	@echo '$(DIRS)' | cmp -s - $@ || echo '$(DIRS)' > $@

$(call obj,policyd/main.c firewall-helper/main.c): $(B)/.dirs
$(call obj,policyd/main.c firewall-helper/main.c): private ALL_CFLAGS += -DCONFDIR=\"$(CONFDIR)\"

$(B)/man/%: doc/%.in $(MAN_DEPS) $(B)/.dirs
	@mkdir -p $(dir $@)
	$(call msg,MAN,$@)
	$(Q)perl doc/mkman.pl $(addprefix -D ,$(DIRS)) $< > $@.tmp && mv $@.tmp $@

install: $(POLICYD) $(FWHELPER) man
	@$(MAKE) --no-print-directory install-nobuild

# The same without building the programs (the tests use it: they must not
# relink what other tests are running).
install-nobuild: man
	@test -x $(POLICYD) -a -x $(FWHELPER) || { echo "install: build first (make)" >&2; exit 1; }
	$(INSTALL) -d -m 0755 $(DESTDIR)$(SBINDIR) $(DESTDIR)$(CONFDIR) \
		$(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(PKGDATADIR) \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	$(INSTALL) -m 0755 $(POLICYD) $(FWHELPER) $(DESTDIR)$(SBINDIR)/
	@set -e; for f in $(CONF_FILES); do \
		n=$$(basename $$f); \
		sed $(PATH_SED) $$f > $(DESTDIR)$(DOCDIR)/examples/$$n; \
		chmod 0644 $(DESTDIR)$(DOCDIR)/examples/$$n; \
		if [ -e $(DESTDIR)$(CONFDIR)/$$n ]; then \
			echo "  keep   $(DESTDIR)$(CONFDIR)/$$n (new one in $(DOCDIR)/examples)"; \
		else \
			$(INSTALL) -m 0644 $(DESTDIR)$(DOCDIR)/examples/$$n $(DESTDIR)$(CONFDIR)/$$n; \
		fi; \
	done
	@set -e; for f in $(EXTRA_DOCS); do \
		$(INSTALL) -m 0644 $$f $(DESTDIR)$(DOCDIR)/examples/; done
ifneq ($(DATA_FILES),)
	$(INSTALL) -m 0644 $(DATA_FILES) $(DESTDIR)$(PKGDATADIR)/
endif
	@set -e; for f in $(UNIT_FILES); do \
		sed $(PATH_SED) $$f > $(DESTDIR)$(UNITDIR)/$$(basename $$f); \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$(basename $$f); done
	$(INSTALL) -m 0644 systemd/sysusers.d/policyd.conf $(DESTDIR)$(SYSUSERSDIR)/policyd.conf
	$(INSTALL) -m 0644 systemd/tmpfiles.d/policyd.conf $(DESTDIR)$(TMPFILESDIR)/policyd.conf
	@set -e; for p in $(MAN_PAGES); do n=$$(basename $$p); \
		$(INSTALL) -m 0644 $$p $(DESTDIR)$(MANDIR)/man$${n##*.}/$$n; done

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/policyd $(DESTDIR)$(SBINDIR)/firewall-helper
	rm -f $(addprefix $(DESTDIR)$(UNITDIR)/,$(notdir $(UNIT_FILES)))
	rm -f $(DESTDIR)$(SYSUSERSDIR)/policyd.conf $(DESTDIR)$(TMPFILESDIR)/policyd.conf
	rm -f $(foreach p,$(MAN_SRCS:.in=),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(p)))/$(notdir $(p)))
	rm -rf $(DESTDIR)$(PKGDATADIR) $(DESTDIR)$(DOCDIR)
	@echo "  left   $(DESTDIR)$(CONFDIR) (your configuration)"
