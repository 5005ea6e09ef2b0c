/*
 * util.h — shared helpers for the benchmark programs in bench/.
 *
 * Every benchmark prints one row per case, in a fixed-width table:
 *     case  params  median  throughput  peak-RSS
 * timing each case `reps` times and quoting the median.  Options common to
 * every benchmark: --reps N (default 5), --filter SUBSTR, --quick (smaller
 * sizes, for a smoke run).
 */
#ifndef CAIRN_BENCH_UTIL_H
#define CAIRN_BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

struct bench_opts {
    int reps;
    int quick;
    const char *filter;
    unsigned threads; /* --threads N (also set as the pool's size); 0 when not given */
};

/* Parse the common options; exits with status 2 on a usage error. */
void bench_parse(struct bench_opts *o, int argc, char **argv, const char *about);

/* Should the case named `name` run under --filter? */
int bench_selected(const struct bench_opts *o, const char *name);

/* Monotonic clock in seconds. */
double bench_now(void);

/* Median of n samples (sorts them in place). */
double bench_median(double *samples, int n);

/* Peak resident set size of this process so far, in MiB. */
double bench_peak_rss_mib(void);

/* Print the table header once. */
void bench_header(const char *title);

/*
 * Print one row: `name`, free-form `params`, the median seconds, and the
 * throughput `units` per second, e.g. bench_row("fp_mul", "", t, n / t, "mul/s").
 */
void bench_row(const char *name, const char *params, double median_s, double per_s,
               const char *unit);

/* Keep the optimiser from discarding a computed value. */
void bench_sink_u64(uint64_t v);

/* A whole file in a new buffer (freed by the caller), or NULL if it cannot be read. */
uint8_t *bench_read_file(const char *path, size_t *len);

/* Deterministic filler (splitmix64) for inputs. */
uint64_t bench_rand_u64(uint64_t *state);

#endif
