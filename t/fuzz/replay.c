/*
 * t/fuzz/replay.c - the fuzz harnesses of t/fuzz/ without libFuzzer.
 *
 *     build/fuzz-replay -l                  list the harnesses built in
 *     build/fuzz-replay NAME PATH...        run files (or every file of a
 *                                           directory) through harness NAME
 *
 * Built by the ordinary compiler and flags (make fuzz-replay, into build/ or
 * build-san/), so the seed corpora and the crash regressions in
 * t/data/fuzz/NAME/ are replayed by t/82-fuzz-regress.t in every build, the
 * sanitizer build included, even where clang's libFuzzer is missing.  Not
 * part of `make all`: a harness that no longer compiles against a changed
 * module fails t/82, not everyone's build.  Each harness is included with
 * its entry point renamed; a harness is listed here once its module has
 * landed.
 * Exit: 0 all inputs ran, 1 a file could not be read, 2 usage; a property
 * failure or sanitizer error aborts.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define LLVMFuzzerTestOneInput fuzz_one_yconf
#include "t/fuzz/yconf.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_one_fwproto
#include "t/fuzz/fwproto.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_one_policy_proto
#include "t/fuzz/policy_proto.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_one_classify
#include "t/fuzz/classify.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_one_journal
#include "t/fuzz/journal.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_one_pconfig
#include "t/fuzz/pconfig.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_one_fwconf
#include "t/fuzz/fwconf.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_one_dnsmsg
#include "t/fuzz/dnsmsg.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_one_exceptions
#include "t/fuzz/exceptions.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_one_addr
#include "t/fuzz/addr.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_one_tokens
#include "t/fuzz/tokens.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_one_logline
#include "t/fuzz/logline.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_one_vcache
#include "t/fuzz/vcache.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_one_dnscache
#include "t/fuzz/dnscache.c"
#undef LLVMFuzzerTestOneInput

typedef int fuzz_one_fn(const uint8_t *, size_t);

static const struct {
	const char *name;
	fuzz_one_fn *fn;
} harnesses[] = {
	{ "yconf", fuzz_one_yconf },
	{ "fwproto", fuzz_one_fwproto },
	{ "policy_proto", fuzz_one_policy_proto },
	{ "classify", fuzz_one_classify },
	{ "journal", fuzz_one_journal },
	{ "pconfig", fuzz_one_pconfig },
	{ "fwconf", fuzz_one_fwconf },
	{ "dnsmsg", fuzz_one_dnsmsg },
	{ "exceptions", fuzz_one_exceptions },
	{ "addr", fuzz_one_addr },
	{ "tokens", fuzz_one_tokens },
	{ "logline", fuzz_one_logline },
	{ "vcache", fuzz_one_vcache },
	{ "dnscache", fuzz_one_dnscache },
};

static int
replay_file(fuzz_one_fn *fn, const char *path, unsigned *count)
{
	FILE *fp;
	uint8_t *data = NULL;
	size_t len = 0, cap = 0, r;

	if ((fp = fopen(path, "re")) == NULL) {
		fprintf(stderr, "fuzz-replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((data = realloc(data, cap)) == NULL)
				abort();
		}
		r = fread(data + len, 1, cap - len, fp);
		len += r;
	} while (r > 0);
	fclose(fp);
	/* An exact-size copy, so reading past the input is an ASan error. */
	{
		uint8_t *exact = malloc(len ? len : 1);

		if (exact == NULL)
			abort();
		memcpy(exact, data, len);
		free(data);
		fn(exact, len);
		free(exact);
	}
	(*count)++;
	return 0;
}

static int
replay_path(fuzz_one_fn *fn, const char *path, unsigned *count)
{
	struct dirent **names;
	struct stat st;
	char sub[4096];
	int i, n, rc = 0;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "fuzz-replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(fn, path, count);
	if ((n = scandir(path, &names, NULL, alphasort)) < 0) {
		fprintf(stderr, "fuzz-replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		snprintf(sub, sizeof(sub), "%s/%s", path, names[i]->d_name);
		if (names[i]->d_name[0] != '.' && stat(sub, &st) == 0 &&
		    S_ISREG(st.st_mode) && replay_file(fn, sub, count) < 0)
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

int
main(int argc, char **argv)
{
	size_t h, nh = sizeof(harnesses) / sizeof(harnesses[0]);
	unsigned count = 0;
	int i, rc = 0;

	if (argc == 2 && strcmp(argv[1], "-l") == 0) {
		for (h = 0; h < nh; h++)
			printf("%s\n", harnesses[h].name);
		return 0;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: fuzz-replay -l | NAME PATH...\n");
		return 2;
	}
	for (h = 0; h < nh; h++)
		if (strcmp(harnesses[h].name, argv[1]) == 0)
			break;
	if (h == nh) {
		fprintf(stderr, "fuzz-replay: no harness %s\n", argv[1]);
		return 2;
	}
	for (i = 2; i < argc; i++)
		if (replay_path(harnesses[h].fn, argv[i], &count) < 0)
			rc = 1;
	printf("%s: %u inputs\n", argv[1], count);
	return rc;
}
