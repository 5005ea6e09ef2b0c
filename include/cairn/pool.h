/*
 * cairn/pool.h — the library's one thread pool.
 *
 * Every parallel pass of the library (NTT and Reed–Solomon encoding, the
 * commitment's row encoding and column hashing, sum-check rounds, folds and
 * eq tables) runs through cairn_pool_run: the work is cut into a number of
 * chunks that depends only on the size of the work, never on the number of
 * threads, each chunk writes only its own outputs, and callers combine the
 * chunks' partial results in chunk order.  So output bytes never depend on
 * the thread count (tests check 1, 2, 3 and 8 threads).
 *
 * The pool is process-wide.  Its size is set with cairn_pool_set_threads
 * (default 1: a library never takes cores it was not given; the CLI passes
 * the number of online cores).  Workers start on first use and sleep between
 * jobs.  The calling thread always works on its own job, so with one thread
 * nothing is started at all.  A call made from inside a chunk, or while
 * another thread's job occupies the pool, runs its chunks serially on the
 * caller: never a deadlock, only less parallelism.
 */
#ifndef CAIRN_POOL_H
#define CAIRN_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"

/* Most threads the pool will run (the calling thread included). */
#define CAIRN_POOL_MAX_THREADS 64u

/* One chunk of a job: fn(ctx, chunk) for chunk < chunks_len. */
typedef void (*cairn_pool_fn)(void *ctx, size_t chunk);

/*
 * Set the number of threads later jobs use, 1..CAIRN_POOL_MAX_THREADS
 * (else CAIRN_ERR_ARG); 0 means the number of online cores.  Not to be
 * called while a job runs.  Workers already started beyond the new count
 * stay asleep.
 */
cairn_status cairn_pool_set_threads(unsigned threads, cairn_error *err);

/* The number of threads jobs use now (>= 1). */
unsigned cairn_pool_threads(void);

/* Online cores of this machine, clamped to 1..CAIRN_POOL_MAX_THREADS. */
unsigned cairn_pool_online_cores(void);

/*
 * Bytes of memory this process can still take: the kernel's MemAvailable
 * (/proc/meminfo), lowered by the memory cgroup the process runs in (v1
 * memory.limit_in_bytes - memory.usage_in_bytes, or v2 memory.max -
 * memory.current, the tightest of the cgroup and its ancestors), where
 * the usage does not count the cgroup's file pages (memory.stat's
 * active_file + inactive_file: page cache the kernel reclaims first).  0
 * when none of these can be read (not Linux, /proc not mounted).
 */
uint64_t cairn_pool_memory_available(void);
/*
 * The same from other files: meminfo for /proc/meminfo, self_cgroup for
 * /proc/self/cgroup, sysfs for /sys/fs/cgroup (v1 controllers under
 * sysfs/memory, v2 at sysfs when it holds cgroup.controllers, else at
 * sysfs/unified).  For tests on a made-up tree.
 */
uint64_t cairn_pool_memory_available_at(const char *meminfo, const char *self_cgroup,
                                        const char *sysfs);

/*
 * Run fn(ctx, i) once for every i < chunks_len, spread over the pool's
 * threads, and return when all have returned.  The order in which chunks
 * run is unspecified; fn must only write what chunk i owns.
 */
void cairn_pool_run(size_t chunks_len, cairn_pool_fn fn, void *ctx);

/*
 * A chunk count for `items` items of which each chunk should get at least
 * `min_items`: items / min_items, clamped to 1..CAIRN_POOL_CHUNKS.  A pure
 * function of its arguments (never of the thread count).
 */
#define CAIRN_POOL_CHUNKS 64u
size_t cairn_pool_chunks(size_t items, size_t min_items);

/*
 * The items [*lo, *hi) of chunk c when `items` items are cut into `chunks`
 * chunks of ceil(items / chunks) (the last ones shorter or empty): the cut
 * every pass takes, a function of its arguments only.
 */
void cairn_pool_chunk_range(size_t *lo, size_t *hi, size_t items, size_t chunks, size_t c);

/*
 * Stop and join every worker (they restart on the next job).  For tests and
 * clean exits; not to be called while a job runs.
 */
void cairn_pool_shutdown(void);

#endif /* CAIRN_POOL_H */
