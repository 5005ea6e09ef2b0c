/*
 * bench_hash.c — SHA-256, Merkle trees, the transcript and grinding.
 *
 * Cases: SHA-256 on 64-byte messages (the wrapper, and OpenSSL's EVP with a
 * reused context for comparison — the reason sha256.c uses SHA256_CTX), on
 * 1 MiB, and as 1024 running per-column hashes fed 8 bytes at a time (the
 * commitment's access pattern); Merkle build over 2^20 leaves (2^16 with
 * --quick) on 1 and 2 threads; a 128-leaf multi-opening and its
 * verification; transcript squeeze/absorb of field elements; grinding at
 * 16 bits (the nonce depends on the state, so each rep uses a fresh one).
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/merkle.h"
#include "cairn/sha256.h"
#include "cairn/transcript.h"
#include "util.h"

#define MAX_REPS 64

static double samples[MAX_REPS];

static int reps_of(const struct bench_opts *o)
{
    return o->reps < MAX_REPS ? o->reps : MAX_REPS;
}

static void bench_sha256_64(const struct bench_opts *o)
{
    size_t n = o->quick ? (size_t)1 << 16 : (size_t)1 << 20;
    uint8_t msg[64] = {1}, out[32];
    int reps = reps_of(o);
    for (int r = 0; r < reps; r++) {
        double t = bench_now();
        for (size_t i = 0; i < n; i++) {
            cairn_sha256(out, msg, sizeof msg);
            msg[0] = out[0];
        }
        samples[r] = bench_now() - t;
    }
    bench_sink_u64(msg[0]);
    double m = bench_median(samples, reps);
    char params[32];
    snprintf(params, sizeof params, "n=%zu", n);
    bench_row("sha256_64B", params, m, (double)n / m, "hash/s");
}

static void bench_evp_64(const struct bench_opts *o)
{
    size_t n = o->quick ? (size_t)1 << 16 : (size_t)1 << 20;
    uint8_t msg[64] = {1}, out[32];
    int reps = reps_of(o);
    EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (md == NULL || ctx == NULL) {
        fprintf(stderr, "EVP setup failed\n");
        goto out;
    }
    for (int r = 0; r < reps; r++) {
        double t = bench_now();
        for (size_t i = 0; i < n; i++) {
            EVP_DigestInit_ex(ctx, md, NULL);
            EVP_DigestUpdate(ctx, msg, sizeof msg);
            EVP_DigestFinal_ex(ctx, out, NULL);
            msg[0] = out[0];
        }
        samples[r] = bench_now() - t;
    }
    bench_sink_u64(msg[0]);
    double m = bench_median(samples, reps);
    char params[32];
    snprintf(params, sizeof params, "n=%zu", n);
    bench_row("sha256_64B_evp_reference", params, m, (double)n / m, "hash/s");
out:
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
}

static void bench_sha256_1mib(const struct bench_opts *o)
{
    size_t len = (size_t)1 << 20;
    int iters = o->quick ? 4 : 32;
    uint8_t *buf = malloc(len), out[32];
    uint64_t seed = 1;
    int reps = reps_of(o);
    if (buf == NULL)
        return;
    for (size_t i = 0; i < len; i += 8) {
        uint64_t v = bench_rand_u64(&seed);
        memcpy(buf + i, &v, 8);
    }
    for (int r = 0; r < reps; r++) {
        double t = bench_now();
        for (int i = 0; i < iters; i++) {
            cairn_sha256(out, buf, len);
            buf[0] = out[0];
        }
        samples[r] = (bench_now() - t) / iters;
    }
    bench_sink_u64(buf[0]);
    double m = bench_median(samples, reps);
    bench_row("sha256_1MiB", "len=1MiB", m, (double)len / m / 1e6, "MB/s");
    free(buf);
}

/* 1024 columns, 256 rows: each row appends one 8-byte element to every column's hash. */
static void bench_sha256_columns(const struct bench_opts *o)
{
    enum { COLS = 1024 };
    size_t rows = o->quick ? 64 : 256;
    cairn_sha256_ctx *ctx = malloc(COLS * sizeof *ctx), start;
    cairn_digest d;
    int reps = reps_of(o);
    if (ctx == NULL)
        return;
    cairn_merkle_leaf_init(&start);
    for (int r = 0; r < reps; r++) {
        double t = bench_now();
        for (size_t c = 0; c < COLS; c++)
            cairn_sha256_copy(&ctx[c], &start);
        for (uint64_t row = 0; row < rows; row++)
            for (size_t c = 0; c < COLS; c++) {
                uint64_t v = row * COLS + c;
                cairn_sha256_update(&ctx[c], &v, sizeof v);
            }
        for (size_t c = 0; c < COLS; c++) {
            cairn_sha256_final(d.bytes, &ctx[c]);
            bench_sink_u64(d.bytes[0]);
        }
        samples[r] = bench_now() - t;
    }
    double m = bench_median(samples, reps);
    char params[32];
    snprintf(params, sizeof params, "cols=%d rows=%zu", COLS, rows);
    bench_row("sha256_column_update_8B", params, m, (double)(COLS * rows) / m, "update/s");
    free(ctx);
}

static void bench_merkle(const struct bench_opts *o)
{
    unsigned logn = o->quick ? 16 : 20;
    size_t n = (size_t)1 << logn;
    cairn_digest *leaves = malloc(n * sizeof *leaves);
    cairn_merkle_tree t;
    cairn_merkle_multiproof p;
    uint64_t seed = 7;
    int reps = reps_of(o);
    cairn_merkle_tree_init(&t);
    cairn_merkle_multiproof_init(&p);
    if (leaves == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 4; k++) {
            uint64_t v = bench_rand_u64(&seed);
            memcpy(leaves[i].bytes + 8 * k, &v, 8);
        }
    char params[48];
    for (unsigned th = 1; th <= 2; th++) {
        char name[40];
        snprintf(name, sizeof name, "merkle_build_t%u", th);
        if (!bench_selected(o, name))
            continue;
        for (int r = 0; r < reps; r++) {
            double t0 = bench_now();
            if (cairn_merkle_tree_build(&t, leaves, n, th, NULL) != CAIRN_OK) {
                fprintf(stderr, "build failed\n");
                goto out;
            }
            samples[r] = bench_now() - t0;
        }
        double m = bench_median(samples, reps);
        snprintf(params, sizeof params, "n=2^%u threads=%u", logn, th);
        bench_row(name, params, m, (double)n / m, "leaf/s");
    }
    if (bench_selected(o, "merkle_multiproof")) {
        enum { Q = 128 };
        size_t idx[Q];
        cairn_digest opened[Q];
        uint64_t s2 = 3;
        if (t.nodes == NULL && cairn_merkle_tree_build(&t, leaves, n, 2, NULL) != CAIRN_OK)
            goto out;
        for (int i = 0; i < Q; i++) {
            idx[i] = (size_t)(bench_rand_u64(&s2) % n);
            opened[i] = leaves[idx[i]];
        }
        for (int r = 0; r < reps; r++) {
            double t0 = bench_now();
            (void)cairn_merkle_multiproof_open(&p, &t, idx, Q, NULL);
            samples[r] = bench_now() - t0;
        }
        double m = bench_median(samples, reps);
        snprintf(params, sizeof params, "n=2^%u q=%d sib=%zu", logn, Q, p.siblings_len);
        bench_row("merkle_multiproof_open", params, m, 1.0 / m, "open/s");
        for (int r = 0; r < reps; r++) {
            double t0 = bench_now();
            if (cairn_merkle_multiproof_verify(cairn_merkle_tree_root(&t), n, idx, opened, Q, &p,
                                               NULL) != CAIRN_OK)
                fprintf(stderr, "verify failed\n");
            samples[r] = bench_now() - t0;
        }
        m = bench_median(samples, reps);
        snprintf(params, sizeof params, "n=2^%u q=%d %zuB", logn, Q,
                 cairn_merkle_multiproof_encoded_len(&p));
        bench_row("merkle_multiproof_verify", params, m, 1.0 / m, "verify/s");
    }
out:
    cairn_merkle_multiproof_clear(&p);
    cairn_merkle_tree_clear(&t);
    free(leaves);
}

static void bench_transcript(const struct bench_opts *o)
{
    size_t n = o->quick ? 20000 : 200000;
    int reps = reps_of(o);
    cairn_transcript t;
    cairn_transcript_init(&t, "bench");
    if (bench_selected(o, "transcript_squeeze_fp")) {
        for (int r = 0; r < reps; r++) {
            double t0 = bench_now();
            for (size_t i = 0; i < n; i++)
                bench_sink_u64(cairn_transcript_squeeze_fp(&t, "challenge").v);
            samples[r] = bench_now() - t0;
        }
        double m = bench_median(samples, reps);
        bench_row("transcript_squeeze_fp", "label=9B", m, (double)n / m, "op/s");
    }
    if (bench_selected(o, "transcript_squeeze_fp2")) {
        for (int r = 0; r < reps; r++) {
            double t0 = bench_now();
            for (size_t i = 0; i < n; i++)
                bench_sink_u64(cairn_transcript_squeeze_fp2(&t, "challenge").c0.v);
            samples[r] = bench_now() - t0;
        }
        double m = bench_median(samples, reps);
        bench_row("transcript_squeeze_fp2", "label=9B", m, (double)n / m, "op/s");
    }
    if (bench_selected(o, "transcript_absorb_fp2")) {
        cairn_fp2 a = cairn_fp2_make(cairn_fp_make(3), cairn_fp_make(4));
        for (int r = 0; r < reps; r++) {
            double t0 = bench_now();
            for (size_t i = 0; i < n; i++)
                cairn_transcript_absorb_fp2(&t, "round", a);
            samples[r] = bench_now() - t0;
        }
        bench_sink_u64(t.state[0]);
        double m = bench_median(samples, reps);
        bench_row("transcript_absorb_fp2", "label=5B", m, (double)n / m, "op/s");
    }
}

/* Grinding: median over reps of fresh states (the work is geometric, so it varies). */
static void bench_grind(const struct bench_opts *o)
{
    unsigned bits = 16;
    int reps = reps_of(o) < 9 ? 9 : reps_of(o);
    if (reps > MAX_REPS)
        reps = MAX_REPS;
    for (unsigned th = 1; th <= 2; th++) {
        char name[32], params[32];
        snprintf(name, sizeof name, "grind_t%u", th);
        if (!bench_selected(o, name))
            continue;
        double total_nonces = 0, total_time = 0;
        for (int r = 0; r < reps; r++) {
            cairn_transcript t;
            uint64_t nonce = 0;
            cairn_transcript_init(&t, "bench-grind");
            cairn_transcript_absorb_u64(&t, "rep", (uint64_t)r);
            double t0 = bench_now();
            if (cairn_transcript_grind(&nonce, &t, "pow", bits, th, NULL) != CAIRN_OK)
                fprintf(stderr, "grind failed\n");
            samples[r] = bench_now() - t0;
            total_nonces += (double)nonce + 1;
            total_time += samples[r];
        }
        double m = bench_median(samples, reps);
        snprintf(params, sizeof params, "bits=%u threads=%u", bits, th);
        /* throughput: nonces tried (smallest valid + 1, a lower bound with threads) per second */
        bench_row(name, params, m, total_nonces / total_time, "nonce/s");
    }
}

int main(int argc, char **argv)
{
    struct bench_opts o;
    bench_parse(&o, argc, argv, "SHA-256, Merkle trees, transcript and grinding benchmarks.");
    bench_header("hash");
    if (bench_selected(&o, "sha256_64B"))
        bench_sha256_64(&o);
    if (bench_selected(&o, "sha256_64B_evp_reference"))
        bench_evp_64(&o);
    if (bench_selected(&o, "sha256_1MiB"))
        bench_sha256_1mib(&o);
    if (bench_selected(&o, "sha256_column_update_8B"))
        bench_sha256_columns(&o);
    if (bench_selected(&o, "merkle"))
        bench_merkle(&o);
    if (bench_selected(&o, "transcript"))
        bench_transcript(&o);
    if (bench_selected(&o, "grind"))
        bench_grind(&o);
    return 0;
}
