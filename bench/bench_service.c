/*
 * bench_service.c — load benchmark of the proving service (docs/service.md,
 * docs/benchmarks.md): a `cairn serve` with 2 workers on 127.0.0.1, and 16
 * client threads that each submit a job (the hello guest), poll it every
 * 20 ms until it is final, and submit the next, until 500 jobs are done
 * (40 with --quick).  Reported: throughput, p50/p99 submit latency (the
 * POST /v1/jobs round trip), p50/p99 job latency (submission to the first
 * poll that sees the job final: queueing plus proving), the service's peak
 * RSS (VmHWM of the service process, not of its prover children), and the
 * jobs lost (submitted but not succeeded in the end; must be 0).
 *
 * The second case kills the service with SIGKILL when half of the jobs are
 * done and restarts it on the same port and data directory; clients retry
 * refused requests, and every submission carries an Idempotency-Key, so a
 * retried submission never makes a second job.  Loopback only; bounded by
 * the number of jobs (and a 30-minute safety stop).
 */
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define CLIENTS 16
#define WORKERS "2"

struct run {
    int jobs;            /* to complete */
    int next;            /* next job index to submit */
    int done;            /* jobs seen final */
    int crash;           /* kill -9 and restart at half */
    int crashed;
    char url[128];
    char digest[65];
    char tag[32];
    double *submit_s, *job_s;
    char (*ids)[33];
    pthread_mutex_t mu;
    double t_end;
};

struct buf {
    char *p;
    size_t len;
};

static size_t on_data(char *d, size_t size, size_t n, void *ctx)
{
    struct buf *b = ctx;
    size_t k = size * n;
    char *q = realloc(b->p, b->len + k + 1);
    if (q == NULL)
        return 0;
    memcpy(q + b->len, d, k);
    b->len += k;
    q[b->len] = '\0';
    b->p = q;
    return k;
}

/*
 * One request to the current URL; retried every 50 ms while the service
 * is unreachable (it may be restarting).  Returns the HTTP status and the
 * body (malloc'd, in *out), or 0 after the safety stop.
 */
static long request(struct run *r, const char *method, const char *path, const char *body,
                    const char *key, char **out)
{
    for (;;) {
        char url[256];
        pthread_mutex_lock(&r->mu);
        snprintf(url, sizeof url, "%s%s", r->url, path);
        pthread_mutex_unlock(&r->mu);
        CURL *h = curl_easy_init();
        struct curl_slist *hd = NULL;
        char kh[128];
        struct buf b = {NULL, 0};
        hd = curl_slist_append(hd, "Expect:");
        if (key != NULL) {
            snprintf(kh, sizeof kh, "Idempotency-Key: %s", key);
            hd = curl_slist_append(hd, kh);
        }
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
        if (body != NULL)
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        CURLcode rc = curl_easy_perform(h);
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        curl_slist_free_all(hd);
        curl_easy_cleanup(h);
        if (rc == CURLE_OK && status != 0) {
            *out = b.p;
            return status;
        }
        free(b.p);
        if (bench_now() > r->t_end)
            return 0;
        struct timespec ts = {0, 50000000L};
        nanosleep(&ts, NULL);
    }
}

/* A string field of a JSON body ("" when absent); copied into out. */
static void field(const char *body, const char *key, char *out, size_t cap)
{
    json_t *v = body ? json_loads(body, 0, NULL) : NULL;
    const char *s = json_string_value(json_object_get(v, key));
    snprintf(out, cap, "%s", s ? s : "");
    json_decref(v);
}

/* A client: submit, poll until final, repeat. */
static void *client(void *arg)
{
    struct run *r = arg;
    for (;;) {
        pthread_mutex_lock(&r->mu);
        int i = r->next < r->jobs ? r->next++ : -1;
        pthread_mutex_unlock(&r->mu);
        if (i < 0)
            return NULL;
        char body[160], key[64], path[64], state[32];
        snprintf(body, sizeof body, "{\"program\": \"%s\"}", r->digest);
        snprintf(key, sizeof key, "%s-%d", r->tag, i);
        char *resp = NULL;
        double t0 = bench_now();
        long st = request(r, "POST", "/v1/jobs", body, key, &resp);
        r->submit_s[i] = bench_now() - t0;
        field(resp, "id", r->ids[i], sizeof r->ids[i]);
        free(resp);
        if ((st != 200 && st != 201) || r->ids[i][0] == '\0')
            continue; /* counted as lost */
        snprintf(path, sizeof path, "/v1/jobs/%s", r->ids[i]);
        for (;;) {
            struct timespec ts = {0, 20000000L};
            nanosleep(&ts, NULL);
            resp = NULL;
            if (request(r, "GET", path, NULL, NULL, &resp) == 0) {
                free(resp);
                return NULL;
            }
            field(resp, "state", state, sizeof state);
            free(resp);
            if (strcmp(state, "queued") != 0 && strcmp(state, "running") != 0 && state[0])
                break;
        }
        r->job_s[i] = bench_now() - t0;
        pthread_mutex_lock(&r->mu);
        r->done++;
        pthread_mutex_unlock(&r->mu);
    }
}

/* Start `cairn serve` on listen with dir; *url receives its URL. Returns the pid. */
static pid_t serve(const char *cairn, const char *listen, const char *dir, char *url, size_t cap)
{
    int p[2];
    if (pipe(p) != 0)
        return -1;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        execl(cairn, cairn, "serve", "--listen", listen, "--data-dir", dir, "--workers", WORKERS,
              (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    FILE *f = fdopen(p[0], "r");
    char line[256] = "";
    if (f == NULL || fgets(line, sizeof line, f) == NULL) {
        if (f != NULL)
            fclose(f);
        return -1;
    }
    fclose(f);
    const char *u = strstr(line, "http://");
    if (u == NULL)
        return -1;
    snprintf(url, cap, "%s", u);
    url[strcspn(url, "\n")] = '\0';
    return pid;
}

/* VmHWM of a process in MiB (0 when unreadable). */
static double hwm_mib(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    double kb = 0;
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = atof(line + 6);
    if (f != NULL)
        fclose(f);
    return kb / 1024;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The q-quantile of n samples (sorted in place). */
static double quantile(double *v, int n, double q)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    int k = (int)(q * (n - 1) + 0.5);
    return n ? v[k] : 0;
}

/*
 * One case: a fresh data directory, a service, the program uploaded, 16
 * clients; with crash, SIGKILL at half and a restart on the same port.
 */
static void run_case(const char *cairn, const char *elf, int jobs, int crash)
{
    char dir[] = "/tmp/cairn-bench-service-XXXXXX";
    if (mkdtemp(dir) == NULL)
        return;
    struct run r;
    memset(&r, 0, sizeof r);
    pthread_mutex_init(&r.mu, NULL);
    r.jobs = jobs;
    r.crash = crash;
    r.t_end = bench_now() + 1800;
    snprintf(r.tag, sizeof r.tag, "bench%d-%ld", crash, (long)time(NULL));
    r.submit_s = calloc((size_t)jobs, sizeof *r.submit_s);
    r.job_s = calloc((size_t)jobs, sizeof *r.job_s);
    r.ids = calloc((size_t)jobs, sizeof *r.ids);
    pid_t pid = serve(cairn, "127.0.0.1:0", dir, r.url, sizeof r.url);
    if (pid < 0) {
        fprintf(stderr, "bench_service: cannot start %s serve\n", cairn);
        return;
    }
    size_t elf_len = 0;
    uint8_t *e = bench_read_file(elf, &elf_len);
    char *resp = NULL;
    {
        CURL *h = curl_easy_init();
        struct buf b = {NULL, 0};
        char url[256];
        snprintf(url, sizeof url, "%s/v1/programs", r.url);
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, e);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)elf_len);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
        curl_easy_perform(h);
        curl_easy_cleanup(h);
        resp = b.p;
    }
    field(resp, "digest", r.digest, sizeof r.digest);
    free(resp);
    free(e);
    pthread_t th[CLIENTS];
    double t0 = bench_now(), peak = 0;
    for (int i = 0; i < CLIENTS; i++)
        pthread_create(&th[i], NULL, client, &r);
    if (crash) {
        for (;;) {
            pthread_mutex_lock(&r.mu);
            int d = r.done;
            pthread_mutex_unlock(&r.mu);
            if (d >= jobs / 2 || bench_now() > r.t_end)
                break;
            struct timespec ts = {0, 10000000L};
            nanosleep(&ts, NULL);
        }
        peak = hwm_mib(pid);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        char listen[64];
        const char *hp = strstr(r.url, "//");
        snprintf(listen, sizeof listen, "%s", hp ? hp + 2 : "127.0.0.1:0");
        char url[128];
        pid = serve(cairn, listen, dir, url, sizeof url);
        if (pid < 0) {
            fprintf(stderr, "bench_service: cannot restart the service\n");
            exit(1);
        }
    }
    for (int i = 0; i < CLIENTS; i++)
        pthread_join(th[i], NULL);
    double wall = bench_now() - t0;
    double p2 = hwm_mib(pid);
    if (p2 > peak)
        peak = p2;
    /* lost: submitted jobs that are not succeeded now, and jobs beyond those submitted */
    int lost = 0;
    for (int i = 0; i < jobs; i++) {
        char path[64], state[32] = "";
        char *b = NULL;
        snprintf(path, sizeof path, "/v1/jobs/%s", r.ids[i]);
        if (r.ids[i][0] != '\0' && request(&r, "GET", path, NULL, NULL, &b) == 200)
            field(b, "state", state, sizeof state);
        free(b);
        lost += strcmp(state, "succeeded") != 0;
    }
    char *m = NULL;
    unsigned long long in_store = 0;
    if (request(&r, "GET", "/metrics", NULL, NULL, &m) == 200) {
        const char *k = strstr(m, "cairn_jobs{state=\"succeeded\"} ");
        if (k != NULL)
            in_store = strtoull(k + strlen("cairn_jobs{state=\"succeeded\"} "), NULL, 10);
    }
    free(m);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    printf("%-22s %5d jobs %6.1f s  %6.2f jobs/s  submit p50 %6.1f ms p99 %6.1f ms  "
           "job p50 %6.2f s p99 %6.2f s  service peak RSS %6.1f MiB  succeeded in store %llu  "
           "lost %d\n",
           crash ? "kill -9 at half" : "steady", jobs, wall, jobs / wall,
           1e3 * quantile(r.submit_s, jobs, 0.5), 1e3 * quantile(r.submit_s, jobs, 0.99),
           quantile(r.job_s, jobs, 0.5), quantile(r.job_s, jobs, 0.99), peak, in_store, lost);
    fflush(stdout);
    free(r.submit_s);
    free(r.job_s);
    free(r.ids);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_service: cannot remove %s\n", dir);
}

int main(int argc, char **argv)
{
    struct bench_opts o;
    bench_parse(&o, argc, argv,
                "Load on cairn serve: 16 clients, 2 workers, small jobs; with a kill -9 at half.");
    printf("== service: cairn serve on 127.0.0.1, %d clients, %s workers, the hello guest\n",
           CLIENTS, WORKERS);
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 16);
    if (n <= 0)
        return 1;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash == NULL)
        return 1;
    snprintf(slash, 16, "/../cairn");
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int jobs = o.quick ? 40 : 500;
    if (bench_selected(&o, "steady"))
        run_case(exe, CAIRN_GUEST_DIR "/rv32i/hello.elf", jobs, 0);
    if (bench_selected(&o, "crash"))
        run_case(exe, CAIRN_GUEST_DIR "/rv32i/hello.elf", jobs, 1);
    curl_global_cleanup();
    return 0;
}
