/*
 * util.c — timing, medians, peak RSS and table printing for bench/.
 */
#include "util.h"

#include "cairn/pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static volatile uint64_t sink;

/* --cpu: time with the process's CPU clock (all threads summed) instead of the wall clock. */
static int use_cpu_clock;

void bench_sink_u64(uint64_t v) { sink ^= v; }

uint64_t bench_rand_u64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

void bench_parse(struct bench_opts *o, int argc, char **argv, const char *about)
{
    o->reps = 5;
    o->quick = 0;
    o->filter = NULL;
    o->threads = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
            o->reps = atoi(argv[++i]);
            if (o->reps < 1)
                o->reps = 1;
        } else if (strcmp(argv[i], "--filter") == 0 && i + 1 < argc) {
            o->filter = argv[++i];
        } else if (strcmp(argv[i], "--quick") == 0) {
            o->quick = 1;
        } else if (strcmp(argv[i], "--cpu") == 0) {
            use_cpu_clock = 1;
        } else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            /* the library's thread pool (cairn/pool.h); 0 = every online core */
            o->threads = (unsigned)atoi(argv[++i]);
            if (cairn_pool_set_threads(o->threads, NULL) != CAIRN_OK) {
                fprintf(stderr, "%s: --threads %s: expected 0 to %u\n", argv[0], argv[i],
                        CAIRN_POOL_MAX_THREADS);
                exit(2);
            }
            o->threads = cairn_pool_threads();
        } else {
            int help = strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0;
            fprintf(help ? stdout : stderr,
                    "usage: %s [--reps N] [--filter SUBSTR] [--quick] [--threads N] [--cpu]\n%s\n"
                    "  --reps N         repetitions per case; the median is reported (default 5)\n"
                    "  --filter SUBSTR  run only cases whose name contains SUBSTR\n"
                    "  --quick          smaller sizes, for a smoke run\n"
                    "  --threads N      threads of the library's pool (default 1; 0 = all cores)\n"
                    "  --cpu            time with the process CPU clock (threads summed), for a\n"
                    "                   loaded machine where wall time measures the other jobs\n",
                    argv[0], about);
            exit(help ? 0 : 2);
        }
    }
}

int bench_selected(const struct bench_opts *o, const char *name)
{
    return o->filter == NULL || strstr(name, o->filter) != NULL;
}

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(use_cpu_clock ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(double *samples, int n)
{
    qsort(samples, (size_t)n, sizeof *samples, cmp_double);
    if (n % 2 == 1)
        return samples[n / 2];
    return 0.5 * (samples[n / 2 - 1] + samples[n / 2]);
}

double bench_peak_rss_mib(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0.0;
    return (double)ru.ru_maxrss / 1024.0; /* ru_maxrss is in KiB on Linux */
}

void bench_header(const char *title)
{
    printf("# %s (pool threads: %u, %s time)\n", title, cairn_pool_threads(),
           use_cpu_clock ? "CPU" : "wall");
    printf("%-28s %-18s %12s %16s %-10s %10s\n", "case", "params", "median", "throughput", "unit",
           "peak_rss");
}

void bench_row(const char *name, const char *params, double median_s, double per_s,
               const char *unit)
{
    char t[32];
    if (median_s >= 1.0)
        snprintf(t, sizeof t, "%.3f s", median_s);
    else if (median_s >= 1e-3)
        snprintf(t, sizeof t, "%.3f ms", median_s * 1e3);
    else
        snprintf(t, sizeof t, "%.3f us", median_s * 1e6);
    printf("%-28s %-18s %12s %16.4g %-10s %7.1f MiB\n", name, params, t, per_s, unit,
           bench_peak_rss_mib());
    fflush(stdout);
}

uint8_t *bench_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = (size_t)1 << 20, n = 0;
    uint8_t *b = malloc(cap);
    while (b != NULL) {
        n += fread(b + n, 1, cap - n, f);
        if (n < cap)
            break;
        uint8_t *nb = realloc(b, cap * 2);
        if (nb == NULL) {
            free(b);
            b = NULL;
            break;
        }
        b = nb;
        cap *= 2;
    }
    fclose(f);
    *len = n;
    return b;
}
