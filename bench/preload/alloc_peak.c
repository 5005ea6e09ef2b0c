/*
 * alloc_peak.c — a counting allocator for the small-space benchmark,
 * loaded with LD_PRELOAD into `cairn prove`: every malloc, calloc, realloc,
 * aligned_alloc, memalign and posix_memalign request passes through to
 * glibc's own allocator (__libc_malloc and friends, so no dlsym and no
 * bootstrap buffer), and the largest single request is kept.  At exit
 * it writes "largest BYTES\n" to the file named by CAIRN_ALLOC_LOG
 * (nothing without it).  bench/small_space.sh with ALLOC=1 reports it
 * for each run: in small space no block the size of the witness is ever
 * asked for (docs/benchmarks.md, "Small space").  glibc only; built as a
 * shared object by the Makefile, never linked into cairn.
 */
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *__libc_malloc(size_t size);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t size);
void *__libc_memalign(size_t align, size_t size);
void *memalign(size_t align, size_t size);

static _Atomic size_t largest;

static void seen(size_t size)
{
    size_t cur = atomic_load_explicit(&largest, memory_order_relaxed);
    while (size > cur &&
           !atomic_compare_exchange_weak_explicit(&largest, &cur, size, memory_order_relaxed,
                                                  memory_order_relaxed))
        ;
}

void *malloc(size_t size)
{
    seen(size);
    return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
    if (size != 0 && n <= SIZE_MAX / size)
        seen(n * size);
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
    seen(size);
    return __libc_realloc(p, size);
}

void *memalign(size_t align, size_t size)
{
    seen(size);
    return __libc_memalign(align, size);
}

void *aligned_alloc(size_t align, size_t size)
{
    seen(size);
    return __libc_memalign(align, size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
    if (align < sizeof(void *) || (align & (align - 1)) != 0)
        return 22; /* EINVAL */
    seen(size);
    void *p = __libc_memalign(align, size);
    if (p == NULL && size != 0)
        return 12; /* ENOMEM */
    *out = p;
    return 0;
}

__attribute__((destructor)) static void report(void)
{
    const char *path = getenv("CAIRN_ALLOC_LOG");
    if (path == NULL || path[0] == '\0')
        return;
    char line[64];
    int len = snprintf(line, sizeof line, "largest %zu\n", atomic_load(&largest));
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || len <= 0)
        return;
    if (write(fd, line, (size_t)len) != len) {
        /* nothing to do: the test reads a missing or short line as a failure */
    }
    close(fd);
}
