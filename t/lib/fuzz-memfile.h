/*
 * fuzz-memfile.h - helpers shared by the fuzz harnesses in t/fuzz/.
 *
 * fuzz_memfile() gives a fuzz input a path, for loaders that only take a
 * file name (config, exceptions, journal): the bytes go into one memfd that
 * is rewritten for every input, so fuzzing touches no disk and leaves
 * nothing behind.  The path stays valid for the life of the process; each
 * loader's open() gets its own offset.  Returns NULL if the memfd cannot be
 * made (the harness then skips the input).
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
#include <sys/mman.h>
#include <unistd.h>

__attribute__((unused))
static const char *
fuzz_memfile(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	size_t off = 0;
	ssize_t w;

	if (fd < 0) {
		if ((fd = memfd_create("fuzz-input", MFD_CLOEXEC)) < 0)
			return NULL;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0)
		return NULL;
	while (off < size) {
		if ((w = pwrite(fd, data + off, size - off, (off_t)off)) <= 0)
			return NULL;
		off += (size_t)w;
	}
	return path;
}

#define fuzz_check(cond, what) do { if (!(cond)) { \
	fprintf(stderr, "fuzz property failed: %s (%s:%d)\n", (what), \
	    __FILE__, __LINE__); abort(); } } while (0)

#endif
