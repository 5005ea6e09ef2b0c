/*
 * replay.c — cairn_checkpoints_verify: re-execute every interval
 * [checkpoint i, checkpoint i + 1) in parallel and check that the chain of
 * digests holds, which is what makes a checkpoint file trustworthy.
 *
 * Work sharing: M threads take interval indices from one counter under a
 * mutex.  Each interval is restored from its checkpoint (which checks the
 * rebuilt state against the checkpoint's digest), run with the plain
 * interpreter to the next boundary, and its end state digested and
 * compared with the next checkpoint's digest (the final state's for the
 * last interval: run to T, or to T + 1 when the run halted so that a
 * fault at cycle T happens again).  The output of each interval is kept
 * and hashed in order at the end.  The result is the lowest failing
 * interval, so it does not depend on M: a failure only stops work on
 * intervals after it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "witness_internal.h"

struct obuf {
    uint8_t *b;
    size_t len, cap;
};

struct vjob {
    const cairn_checkpoints *cp;
    const cairn_program *prog;
    const uint8_t *input;
    size_t input_len;
    struct obuf *outs; /* one per interval */
    pthread_mutex_t mu;
    uint64_t next;
    uint64_t fail_idx; /* lowest failing interval so far (count: none) */
    cairn_status fail_st;
    cairn_error fail_err;
};

struct vworker {
    struct vjob *job;
    pthread_t th;
    struct obuf *cur;
};

/* Collect fd 1 of the interval being replayed; fd 2 is dropped. */
static int capture(void *ctx, int fd, const uint8_t *buf, size_t buf_len)
{
    struct vworker *w = ctx;
    struct obuf *o = w->cur;
    if (fd != 1 || buf_len == 0)
        return 0;
    if (buf_len > SIZE_MAX / 2 - o->len)
        return -1;
    if (o->len + buf_len > o->cap) {
        size_t ncap = o->cap ? o->cap : 256;
        while (ncap < o->len + buf_len)
            ncap *= 2;
        uint8_t *nb = realloc(o->b, ncap);
        if (nb == NULL)
            return -1;
        o->b = nb;
        o->cap = ncap;
    }
    memcpy(o->b + o->len, buf, buf_len);
    o->len += buf_len;
    return 0;
}

static cairn_status verify_interval(struct vworker *w, cairn_vm *vm, uint64_t i, cairn_error *err)
{
    const cairn_checkpoints *cp = w->job->cp;
    const cairn_ckpt_header *h = &cp->hdr;
    cairn_status st = cairn_checkpoints_restore(vm, cp, w->job->prog, i, err);
    if (st != CAIRN_OK)
        return st;
    int last = i + 1 == h->count;
    uint64_t bound = !last ? (i + 1) * h->interval
                     : h->halt == CAIRN_VM_RUNNING || h->cycles == UINT64_MAX ? h->cycles
                                                                              : h->cycles + 1;
    w->cur = &w->job->outs[i];
    if ((st = cairn_vm_run(vm, bound, err)) != CAIRN_OK)
        return st;
    uint8_t d[CAIRN_SHA256_BYTES];
    cairn_checkpoints_state_digest(d, vm, h->page_shift);
    const uint8_t *want = last ? h->final_digest : cp->ck[i + 1].digest;
    if (memcmp(d, want, CAIRN_SHA256_BYTES) != 0) {
        return cairn_error_set(
            err, CAIRN_ERR_REJECTED,
            "interval %llu (cycles %llu..%llu): the replayed state (cycle %llu, %s) does not match "
            "the recorded %s",
            (unsigned long long)i, (unsigned long long)(i * h->interval),
            (unsigned long long)(last ? h->cycles : (i + 1) * h->interval),
            (unsigned long long)vm->cycles, cairn_vm_halt_str(vm->halt),
            last ? "final state" : "next checkpoint");
    }
    return CAIRN_OK;
}

static void *vworker_main(void *arg)
{
    struct vworker *w = arg;
    struct vjob *job = w->job;
    cairn_vm vm;
    cairn_error err;
    cairn_error_clear(&err);
    cairn_status st = cairn_checkpoints_vm_init(&vm, job->cp, job->prog, job->input,
                                                job->input_len, &err);
    if (st != CAIRN_OK) {
        pthread_mutex_lock(&job->mu);
        if (job->fail_st == CAIRN_OK || job->fail_idx > 0) {
            job->fail_idx = 0;
            job->fail_st = st;
            job->fail_err = err;
        }
        pthread_mutex_unlock(&job->mu);
        return NULL;
    }
    vm.cfg.write = capture;
    vm.cfg.write_ctx = w;
    for (;;) {
        pthread_mutex_lock(&job->mu);
        uint64_t i = job->next++;
        int go = i < job->cp->hdr.count && i < job->fail_idx;
        pthread_mutex_unlock(&job->mu);
        if (!go)
            break;
        st = verify_interval(w, &vm, i, &err);
        if (st != CAIRN_OK) {
            pthread_mutex_lock(&job->mu);
            if (i < job->fail_idx) {
                job->fail_idx = i;
                job->fail_st = st;
                job->fail_err = err;
            }
            pthread_mutex_unlock(&job->mu);
        }
    }
    cairn_vm_clear(&vm);
    return NULL;
}

cairn_status cairn_checkpoints_verify(const cairn_checkpoints *cp, const cairn_program *prog,
                                      const uint8_t *input, size_t input_len, unsigned threads,
                                      cairn_error *err)
{
    cairn_status st = CAIRN_OK;
    struct vjob job;
    struct vworker *ws = NULL;
    unsigned started = 0;
    memset(&job, 0, sizeof job);
    if (cp == NULL || prog == NULL || threads == 0 || threads > 1024)
        return cairn_error_set(err, CAIRN_ERR_ARG, "cairn_checkpoints_verify: bad arguments");
    const cairn_ckpt_header *h = &cp->hdr;
    if (threads > h->count)
        threads = (unsigned)h->count;
    job.cp = cp;
    job.prog = prog;
    job.input = input;
    job.input_len = input_len;
    job.fail_idx = h->count;
    if (h->count > SIZE_MAX / sizeof *job.outs)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "too many intervals");
    job.outs = calloc((size_t)h->count, sizeof *job.outs);
    ws = calloc(threads, sizeof *ws);
    if (job.outs == NULL || ws == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for replay");
        goto out;
    }
    if (pthread_mutex_init(&job.mu, NULL) != 0) {
        st = cairn_error_set(err, CAIRN_ERR_INTERNAL, "pthread_mutex_init failed");
        goto out;
    }
    for (unsigned t = 0; t < threads; t++) {
        ws[t].job = &job;
        if (pthread_create(&ws[t].th, NULL, vworker_main, &ws[t]) != 0) {
            pthread_mutex_lock(&job.mu);
            job.fail_idx = 0; /* stop the others */
            job.fail_st = cairn_error_set(&job.fail_err, CAIRN_ERR_INTERNAL,
                                          "cannot start replay thread %u", t);
            pthread_mutex_unlock(&job.mu);
            break;
        }
        started++;
    }
    for (unsigned t = 0; t < started; t++)
        pthread_join(ws[t].th, NULL);
    pthread_mutex_destroy(&job.mu);
    if (job.fail_st != CAIRN_OK) {
        st = job.fail_st;
        if (err != NULL)
            *err = job.fail_err;
        goto out;
    }
    {
        cairn_sha256_ctx hc;
        uint64_t total = 0;
        uint8_t d[CAIRN_SHA256_BYTES];
        cairn_sha256_init(&hc);
        for (uint64_t i = 0; i < h->count; i++) {
            cairn_sha256_update(&hc, job.outs[i].b, job.outs[i].len);
            total += job.outs[i].len;
        }
        cairn_sha256_final(d, &hc);
        if (total != h->output_len || memcmp(d, h->output_digest, sizeof d) != 0)
            st = cairn_error_set(err, CAIRN_ERR_REJECTED,
                                 "the replayed output (%llu bytes) differs from the recorded output "
                                 "(%llu bytes)",
                                 (unsigned long long)total, (unsigned long long)h->output_len);
    }
out:
    for (uint64_t i = 0; job.outs != NULL && i < h->count; i++)
        free(job.outs[i].b);
    free(job.outs);
    free(ws);
    return st;
}
