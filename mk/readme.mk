# mk/readme.mk - README.rst's configuration reference, generated from
# doc/options/*.tsv (t/98-readme.t fails when it is stale).
.PHONY: readme
readme:
	perl doc/mkreadme.pl README.rst > README.rst.new && mv README.rst.new README.rst
