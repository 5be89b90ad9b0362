/*
 * fuzz-memfile.h - helpers shared by the fuzz harnesses in t/fuzz/.
 *
 * fuzz_memfile() gives a fuzz input a path, for loaders that only take a
 * file name (config files): the bytes go into one file, DIR/input.yaml in
 * a private directory made under /dev/shm ($TMPDIR or /tmp without it),
 * rewritten for every input and removed at exit.  A real directory, not
 * /proc/self/fd: paths
 * in the input relative to the file ("exceptions: 0") must not name the
 * process's own descriptors (stdin!).  Each loader's open() gets its own
 * offset.  Returns NULL if the file cannot be made (the harness then skips
 * the input).
 *
 * fuzz_split() copies an input "DOCUMENT[\n%%\nQUERIES]" into a
 * NUL-terminated string (free() it) and tells where the document ends and
 * the query lines start (NULL: none).
 *
 * fuzz_check() aborts with a message when a property the harness asserts
 * does not hold, so libFuzzer (or t/lib/fuzz-replay) reports it as a crash.
 *
 * Header-only so that t/lib/fuzz-replay.c can include every harness.
 */
#ifndef T_LIB_FUZZ_MEMFILE_H
#define T_LIB_FUZZ_MEMFILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char fuzz_dir[64], fuzz_path[80];

static void
fuzz_memfile_cleanup(void)
{
	if (fuzz_path[0])
		unlink(fuzz_path);
	if (fuzz_dir[0])
		rmdir(fuzz_dir);
}

__attribute__((unused))
static const char *
fuzz_memfile(const uint8_t *data, size_t size)
{
	static int fd = -1;
	size_t off = 0;
	ssize_t w;

	if (fd < 0) {
		const char *t = getenv("TMPDIR");

		if (access("/dev/shm", W_OK) == 0)
			t = "/dev/shm";         /* memory: as fast as a memfd */
		snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/fuzz-input.XXXXXX",
		    t && *t && strlen(t) < 40 ? t : "/tmp");
		if (mkdtemp(fuzz_dir) == NULL)
			return NULL;
		snprintf(fuzz_path, sizeof(fuzz_path), "%s/input.yaml", fuzz_dir);
		if ((fd = open(fuzz_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
			return NULL;
		atexit(fuzz_memfile_cleanup);
	}
	if (ftruncate(fd, 0) < 0)
		return NULL;
	while (off < size) {
		if ((w = pwrite(fd, data + off, size - off, (off_t)off)) <= 0)
			return NULL;
		off += (size_t)w;
	}
	return fuzz_path;
}

#define fuzz_check(cond, what) do { if (!(cond)) { \
	fprintf(stderr, "fuzz property failed: %s (%s:%d)\n", (what), \
	    __FILE__, __LINE__); abort(); } } while (0)

__attribute__((unused))
static char *
fuzz_split(const uint8_t *data, size_t size, size_t *doclen, char **queries)
{
	char *copy = malloc(size + 1), *sep;

	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	copy[size] = '\0';
	*doclen = size;
	*queries = NULL;
	if ((sep = strstr(copy, "\n%%\n")) != NULL) {
		*doclen = (size_t)(sep - copy) + 1;
		*queries = sep + 4;
	}
	return copy;
}

#endif
