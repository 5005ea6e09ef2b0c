/*
 * pool.c — the process-wide thread pool of include/cairn/pool.h.
 *
 * One job at a time occupies the pool (the `busy` mutex, taken with
 * trylock: a second caller runs its job serially instead of waiting).  A
 * job is (fn, ctx, chunks_len) plus an atomic cursor `next`; the caller and
 * up to threads - 1 workers take chunk indices from the cursor until it
 * passes the end.  Invariants under `lock`: `gen` counts posted jobs; a
 * worker joins job `gen` only while `open` is set and it has not joined
 * that generation yet, and `active` counts the threads inside the current
 * job; the caller clears `open` once `active` reaches zero, so no worker
 * can ever touch a finished job's context.
 *
 * Workers are started lazily, up to the largest thread count asked for,
 * and sleep on `wake` between jobs.  After fork() the child has none of
 * them; an atfork handler forgets them so the child starts its own.
 */
#include "cairn/pool.h"

#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t busy = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static atomic_uint want_threads = 1;
static pthread_t workers[CAIRN_POOL_MAX_THREADS];
static unsigned started;
static int stopping;

static struct {
    cairn_pool_fn fn;
    void *ctx;
    size_t len;
    atomic_size_t next;
    unsigned long gen;
    unsigned participants; /* workers 0..participants-1 may join */
    unsigned active;
    int open;
} job;

/* Set while this thread runs a chunk: nested jobs then run serially. */
static _Thread_local int in_chunk;

/* Take chunk indices from the cursor and run them until none is left. */
static void drain(cairn_pool_fn fn, void *ctx, size_t len)
{
    in_chunk = 1;
    for (;;) {
        size_t i = atomic_fetch_add_explicit(&job.next, 1, memory_order_relaxed);
        if (i >= len)
            break;
        fn(ctx, i);
    }
    in_chunk = 0;
}

/*
 * A worker: sleep until a job is posted that it may join, run chunks with
 * the caller, report back, and sleep again; return when the pool stops.
 */
static void *worker_main(void *arg)
{
    unsigned index = (unsigned)(size_t)arg;
    unsigned long seen = 0; /* generation 0 is never posted */
    pthread_mutex_lock(&lock);
    for (;;) {
        while (!stopping && !(job.open && job.gen != seen))
            pthread_cond_wait(&wake, &lock);
        if (stopping)
            break;
        seen = job.gen;
        if (index >= job.participants)
            continue;
        cairn_pool_fn fn = job.fn;
        void *ctx = job.ctx;
        size_t len = job.len;
        job.active++;
        pthread_mutex_unlock(&lock);
        drain(fn, ctx, len);
        pthread_mutex_lock(&lock);
        if (--job.active == 0)
            pthread_cond_signal(&done);
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

/*
 * In a child after fork() the workers do not exist: forget them and reset
 * the synchronisation objects (another thread of the parent may have held
 * them at the moment of the fork).
 */
static void atfork_child(void)
{
    pthread_mutex_init(&lock, NULL);
    pthread_mutex_init(&busy, NULL);
    pthread_cond_init(&wake, NULL);
    pthread_cond_init(&done, NULL);
    started = 0;
    stopping = 0;
    job.open = 0;
    job.active = 0;
}

static void register_atfork(void) { (void)pthread_atfork(NULL, NULL, atfork_child); }

cairn_status cairn_pool_set_threads(unsigned threads, cairn_error *err)
{
    if (threads == 0)
        threads = cairn_pool_online_cores();
    if (threads > CAIRN_POOL_MAX_THREADS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "thread pool: %u threads (limit %u)", threads,
                               CAIRN_POOL_MAX_THREADS);
    atomic_store(&want_threads, threads);
    return CAIRN_OK;
}

unsigned cairn_pool_threads(void) { return atomic_load(&want_threads); }

/*
 * The cores this process may run on (its affinity mask, which containers
 * and taskset narrow), else the online count, clamped to the pool's limit.
 */
unsigned cairn_pool_online_cores(void)
{
    long n = 0;
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        n = CPU_COUNT(&set);
    if (n < 1)
        n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    return n > (long)CAIRN_POOL_MAX_THREADS ? CAIRN_POOL_MAX_THREADS : (unsigned)n;
}

/* The first unsigned decimal in file f (after `key` when key is not NULL); 0 when absent. */
static int read_u64(uint64_t *v, const char *file, const char *key)
{
    char line[256];
    int found = 0;
    FILE *f = fopen(file, "r");
    if (f == NULL)
        return 0;
    while (!found && fgets(line, sizeof line, f) != NULL) {
        const char *at = line;
        if (key != NULL) {
            size_t kl = strlen(key);
            if (strncmp(line, key, kl) != 0)
                continue;
            at += kl;
        }
        found = sscanf(at, " %" SCNu64, v) == 1;
        if (key == NULL)
            break;
    }
    fclose(f);
    return found;
}

/*
 * The page cache a cgroup's usage counts that the kernel would reclaim
 * before refusing memory: its file pages, active and inactive, from
 * memory.stat (v1's hierarchical total_ figures where present).  Without
 * this a cgroup whose cache has grown to its limit (any build or test run
 * writes files) would seem to have no room at all; MemAvailable counts the
 * same pages as available for the same reason.
 */
static uint64_t cgroup_file_pages(const char *dir, int v2)
{
    char file[600];
    uint64_t a = 0, i = 0;
    snprintf(file, sizeof file, "%s/memory.stat", dir);
    if (v2 || !read_u64(&a, file, "total_active_file"))
        (void)read_u64(&a, file, "active_file");
    if (v2 || !read_u64(&i, file, "total_inactive_file"))
        (void)read_u64(&i, file, "inactive_file");
    return a + i;
}

/*
 * The room left under the memory cgroup at `dir` (a cgroup directory) and
 * each of its ancestors up to `root`: min over the levels of limit - (usage
 * - file pages), or UINT64_MAX when no level sets a limit.  v1 names the
 * files memory.limit_in_bytes and memory.usage_in_bytes, v2 memory.max
 * ("max" when unlimited, which reads as no number) and memory.current.
 */
static uint64_t cgroup_room(const char *root, const char *rel, int v2)
{
    char dir[512], file[600];
    uint64_t room = UINT64_MAX;
    int n = snprintf(dir, sizeof dir, "%s%s", root, rel);
    if (n < 0 || (size_t)n >= sizeof dir)
        return room;
    for (;;) {
        uint64_t lim, use;
        snprintf(file, sizeof file, "%s/%s", dir, v2 ? "memory.max" : "memory.limit_in_bytes");
        if (read_u64(&lim, file, NULL) && lim < (UINT64_C(1) << 60)) {
            snprintf(file, sizeof file, "%s/%s", dir, v2 ? "memory.current" : "memory.usage_in_bytes");
            if (!read_u64(&use, file, NULL))
                use = 0;
            uint64_t cache = cgroup_file_pages(dir, v2);
            use = cache < use ? use - cache : 0;
            uint64_t left = use < lim ? lim - use : 0;
            if (left < room)
                room = left;
        }
        char *slash = strrchr(dir, '/');
        if (slash == NULL || (size_t)(slash - dir) < strlen(root))
            break;
        *slash = 0;
    }
    return room;
}

/* Whether the controller list [a, b) of a v1 line ("cpu,cpuacct") names memory. */
static int has_memory(const char *a, const char *b)
{
    while (a < b) {
        const char *e = memchr(a, ',', (size_t)(b - a));
        if (e == NULL)
            e = b;
        if (e - a == 6 && memcmp(a, "memory", 6) == 0)
            return 1;
        a = e + 1;
    }
    return 0;
}

uint64_t cairn_pool_memory_available_at(const char *meminfo, const char *self_cgroup,
                                        const char *sysfs)
{
    uint64_t avail = 0, kb;
    char line[512], root[512], probe[600];
    if (read_u64(&kb, meminfo, "MemAvailable:"))
        avail = kb * 1024;
    FILE *f = fopen(self_cgroup, "r");
    if (f == NULL)
        return avail;
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\n")] = 0;
        char *c1 = strchr(line, ':'), *c2 = c1 != NULL ? strchr(c1 + 1, ':') : NULL;
        if (c2 == NULL)
            continue;
        uint64_t room = UINT64_MAX;
        if (strncmp(c1, "::", 2) == 0) { /* v2: "0::/path" */
            snprintf(probe, sizeof probe, "%s/cgroup.controllers", sysfs);
            snprintf(root, sizeof root, access(probe, F_OK) == 0 ? "%s" : "%s/unified", sysfs);
            room = cgroup_room(root, c2 + 1, 1);
        } else if (has_memory(c1 + 1, c2)) { /* v1: "4:memory:/path" */
            snprintf(root, sizeof root, "%s/memory", sysfs);
            room = cgroup_room(root, c2 + 1, 0);
        }
        if (room != UINT64_MAX && (avail == 0 || room < avail))
            avail = room;
    }
    fclose(f);
    return avail;
}

uint64_t cairn_pool_memory_available(void)
{
    return cairn_pool_memory_available_at("/proc/meminfo", "/proc/self/cgroup", "/sys/fs/cgroup");
}

size_t cairn_pool_chunks(size_t items, size_t min_items)
{
    size_t c = min_items > 0 ? items / min_items : items;
    if (c < 1)
        c = 1;
    return c > CAIRN_POOL_CHUNKS ? CAIRN_POOL_CHUNKS : c;
}

void cairn_pool_chunk_range(size_t *lo, size_t *hi, size_t items, size_t chunks, size_t c)
{
    size_t per = (items + chunks - 1) / chunks;
    *lo = per * c < items ? per * c : items;
    *hi = *lo + per < items ? *lo + per : items;
}

/* Start workers until `need` exist (fewer if the system refuses); under lock. */
static void start_workers(unsigned need)
{
    pthread_once(&atfork_once, register_atfork);
    while (started < need) {
        if (pthread_create(&workers[started], NULL, worker_main, (void *)(size_t)started) != 0)
            break;
        started++;
    }
}

/*
 * Post the job, work on it, wait for the workers that joined.  Serial on
 * the caller when one thread is asked for, when there is one chunk, inside
 * a chunk, or when another job holds the pool.
 */
void cairn_pool_run(size_t chunks_len, cairn_pool_fn fn, void *ctx)
{
    unsigned threads = cairn_pool_threads();
    if (chunks_len == 0)
        return;
    if (threads <= 1 || chunks_len == 1 || in_chunk || pthread_mutex_trylock(&busy) != 0) {
        int outer = in_chunk;
        in_chunk = 1;
        for (size_t i = 0; i < chunks_len; i++)
            fn(ctx, i);
        in_chunk = outer;
        return;
    }
    pthread_mutex_lock(&lock);
    unsigned helpers = threads - 1;
    if ((size_t)helpers > chunks_len - 1)
        helpers = (unsigned)(chunks_len - 1);
    start_workers(helpers);
    job.fn = fn;
    job.ctx = ctx;
    job.len = chunks_len;
    atomic_store_explicit(&job.next, 0, memory_order_relaxed);
    job.participants = helpers < started ? helpers : started;
    job.active = 1;
    job.open = 1;
    job.gen++;
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&lock);

    drain(fn, ctx, chunks_len);

    pthread_mutex_lock(&lock);
    if (--job.active != 0)
        while (job.active != 0)
            pthread_cond_wait(&done, &lock);
    job.open = 0;
    pthread_mutex_unlock(&lock);
    pthread_mutex_unlock(&busy);
}

void cairn_pool_shutdown(void)
{
    pthread_mutex_lock(&busy);
    pthread_mutex_lock(&lock);
    stopping = 1;
    pthread_cond_broadcast(&wake);
    unsigned n = started;
    pthread_mutex_unlock(&lock);
    for (unsigned i = 0; i < n; i++)
        pthread_join(workers[i], NULL);
    pthread_mutex_lock(&lock);
    started = 0;
    stopping = 0;
    pthread_mutex_unlock(&lock);
    pthread_mutex_unlock(&busy);
}
