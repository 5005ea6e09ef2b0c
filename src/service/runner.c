/*
 * runner.c — one child process per proof or verification
 * (service_internal.h, cairn_child_run).
 *
 * The service is threaded, so the child does only async-signal-safe work
 * between fork and exec: set its parent-death signal (SIGKILL, so a killed
 * service leaves no orphan prover), raise its OOM score to the maximum
 * (the kernel kills a runaway proof before the service), cap its address
 * space, redirect its descriptors, and exec.  Nothing of the service runs
 * in it.  The parent polls waitpid every 20 ms, and on timeout or
 * cancellation sends SIGTERM, then SIGKILL after the grace period; a
 * signal it did not send is reported as such (a crash, or the OOM killer).
 * PR_SET_PDEATHSIG follows the thread that forked: the caller's thread
 * waits here for the child, so it always outlives it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "service_internal.h"

/* Monotonic seconds. */
static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Sleep for ms milliseconds (restarting after signals). */
static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/*
 * The child's side, between fork and exec: only async-signal-safe calls.
 * Any failure exits with 127 and a fixed message on the error file.
 */
static void child_exec(const cairn_child_spec *spec, pid_t parent, int out_fd, int err_fd)
{
    static const char msg[] = "cairn serve: cannot execute the prover\n";
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
        _exit(127);
    int fd = open("/proc/self/oom_score_adj", O_WRONLY);
    if (fd >= 0) {
        (void)!write(fd, "1000", 4);
        close(fd);
    }
    if (spec->mem_limit > 0) {
        struct rlimit rl = {(rlim_t)spec->mem_limit, (rlim_t)spec->mem_limit};
        (void)setrlimit(RLIMIT_AS, &rl);
    }
    struct rlimit core = {0, 0};
    (void)setrlimit(RLIMIT_CORE, &core);
    int in = open("/dev/null", O_RDONLY);
    if (in < 0 || dup2(in, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
        _exit(127);
    close_range(3, ~0U, 0); /* the service's sockets and database stay with the service */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execv(spec->argv[0], (char *const *)spec->argv);
    (void)!write(2, msg, sizeof msg - 1);
    _exit(127);
}

cairn_status cairn_child_run(const cairn_child_spec *spec, cairn_child_result *res,
                             cairn_error *err)
{
    memset(res, 0, sizeof *res);
    int out_fd = open(spec->out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int err_fd = open(spec->err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out_fd < 0 || err_fd < 0) {
        int e = errno;
        if (out_fd >= 0)
            close(out_fd);
        if (err_fd >= 0)
            close(err_fd);
        return cairn_error_set(err, CAIRN_ERR_IO, "cannot create the prover's output files: %s",
                               strerror(e));
    }
    pid_t parent = getpid();
    double t0 = mono();
    pid_t pid = fork();
    if (pid == 0)
        child_exec(spec, parent, out_fd, err_fd);
    int fork_errno = errno;
    close(out_fd);
    close(err_fd);
    if (pid < 0)
        return cairn_error_set(err, CAIRN_ERR_IO, "cannot start the prover: fork: %s",
                               strerror(fork_errno));
    if (spec->started != NULL)
        spec->started(spec->ctx, pid);
    int status = 0, stopping = 0;
    double stop_at = 0;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR)
            return cairn_error_set(err, CAIRN_ERR_INTERNAL, "waitpid: %s", strerror(errno));
        double now = mono();
        if (!stopping) {
            if (spec->timeout_s > 0 && now - t0 >= spec->timeout_s)
                stopping = CAIRN_CHILD_TIMED_OUT;
            else if (spec->should_stop != NULL && spec->should_stop(spec->ctx))
                stopping = CAIRN_CHILD_CANCELLED;
            if (stopping) {
                kill(pid, SIGTERM);
                stop_at = now;
            }
        } else if (now - stop_at >= spec->grace_s) {
            kill(pid, SIGKILL);
        }
        nap_ms(20);
    }
    res->secs = mono() - t0;
    if (stopping) {
        res->end = (cairn_child_end)stopping;
        res->code = WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        res->end = CAIRN_CHILD_SIGNALED;
        res->code = WTERMSIG(status);
    } else {
        res->end = CAIRN_CHILD_EXITED;
        res->code = WEXITSTATUS(status);
    }
    return CAIRN_OK;
}

/* Bounded read of a small text file (the child's stdout or stderr). */
char *cairn_read_text(const char *path, size_t max)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *b = malloc(max + 1);
    if (b == NULL) {
        fclose(f);
        return NULL;
    }
    size_t n = fread(b, 1, max, f);
    fclose(f);
    b[n] = '\0';
    return b;
}
