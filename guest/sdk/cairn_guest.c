/*
 * cairn_guest.c — the guest SDK runtime: system call wrappers, input and
 * output helpers, a tiny printf, and the glue picolibc needs (stdin,
 * stdout, stderr streams, read, write, _exit).  Heap bounds for picolibc's
 * malloc (__heap_start, __heap_end) come from cairn.ld.
 */
#include "cairn_guest.h"

#include <stdarg.h>
#include <stdio.h>

enum { SYS_READ = 63, SYS_WRITE = 64, SYS_EXIT = 93 };

long cairn_syscall3(long n, long a0, long a1, long a2)
{
    register long r0 __asm__("a0") = a0;
    register long r1 __asm__("a1") = a1;
    register long r2 __asm__("a2") = a2;
    register long r7 __asm__("a7") = n;
    __asm__ volatile("ecall" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r7) : "memory");
    return r0;
}

/* ---- picolibc stdio: a small buffer per output stream ---- */

struct obuf {
    int fd;
    unsigned len;
    char b[256];
};
static struct obuf out_buf = {1, 0, {0}}, err_buf = {2, 0, {0}};

static void raw_write(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        long n = cairn_syscall3(SYS_WRITE, fd, (long)p, (long)len);
        if (n <= 0)
            return;
        p += n;
        len -= (size_t)n;
    }
}

static void obuf_flush(struct obuf *o)
{
    if (o->len > 0)
        raw_write(o->fd, o->b, o->len);
    o->len = 0;
}

static int obuf_put(struct obuf *o, char c)
{
    o->b[o->len++] = c;
    if (o->len == sizeof o->b)
        obuf_flush(o);
    return (unsigned char)c;
}

static int put_out(char c, FILE *f) { (void)f; return obuf_put(&out_buf, c); }
static int put_err(char c, FILE *f) { (void)f; return obuf_put(&err_buf, c); }
static int flush_out(FILE *f) { (void)f; obuf_flush(&out_buf); return 0; }
static int flush_err(FILE *f) { (void)f; obuf_flush(&err_buf); return 0; }
static int get_in(FILE *f)
{
    unsigned char c;
    (void)f;
    return cairn_read(&c, 1) == 1 ? c : EOF;
}

static FILE cairn_stdin = FDEV_SETUP_STREAM(NULL, get_in, NULL, _FDEV_SETUP_READ);
static FILE cairn_stdout = FDEV_SETUP_STREAM(put_out, NULL, flush_out, _FDEV_SETUP_WRITE);
static FILE cairn_stderr = FDEV_SETUP_STREAM(put_err, NULL, flush_err, _FDEV_SETUP_WRITE);
FILE *const stdin = &cairn_stdin;
FILE *const stdout = &cairn_stdout;
FILE *const stderr = &cairn_stderr;

/* POSIX-style entry points picolibc's libc.a refers to. */
int read(int fd, void *buf, size_t len);
int write(int fd, const void *buf, size_t len);
__attribute__((noreturn)) void _exit(int status);

int read(int fd, void *buf, size_t len) { return (int)cairn_syscall3(SYS_READ, fd, (long)buf, (long)len); }

int write(int fd, const void *buf, size_t len)
{
    obuf_flush(fd == 2 ? &err_buf : &out_buf);
    return (int)cairn_syscall3(SYS_WRITE, fd, (long)buf, (long)len);
}

void _exit(int status) { cairn_exit(status); }

/* ---- the SDK proper ---- */

size_t cairn_read(void *buf, size_t len)
{
    long n = cairn_syscall3(SYS_READ, 0, (long)buf, (long)len);
    return n > 0 ? (size_t)n : 0;
}

size_t cairn_read_all(void *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        size_t n = cairn_read((char *)buf + got, len - got);
        if (n == 0)
            break;
        got += n;
    }
    return got;
}

uint32_t cairn_read_u32(void)
{
    unsigned char b[4] = {0, 0, 0, 0};
    cairn_read_all(b, 4);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

uint64_t cairn_read_u64(void)
{
    uint64_t lo = cairn_read_u32();
    return lo | (uint64_t)cairn_read_u32() << 32;
}

void cairn_write(const void *buf, size_t len)
{
    obuf_flush(&out_buf);
    raw_write(1, buf, len);
}

void cairn_diag(const void *buf, size_t len)
{
    obuf_flush(&err_buf);
    raw_write(2, buf, len);
}

void cairn_puts(const char *s)
{
    size_t n = 0;
    while (s[n] != '\0')
        n++;
    cairn_write(s, n);
}

void cairn_exit(int status)
{
    obuf_flush(&out_buf);
    obuf_flush(&err_buf);
    cairn_syscall3(SYS_EXIT, status, 0, 0);
    for (;;) {
    }
}

/* Format into out_buf (so consecutive prints are batched). */
static int fmt_num(uint64_t v, int neg, unsigned base, int upper, int width, int zero)
{
    char tmp[24];
    int n = 0, len = 0;
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v != 0);
    int total = n + neg;
    if (neg && zero)
        len += obuf_put(&out_buf, '-') >= 0;
    for (; total < width; total++)
        len += obuf_put(&out_buf, zero ? '0' : ' ') >= 0;
    if (neg && !zero)
        len += obuf_put(&out_buf, '-') >= 0;
    while (n > 0)
        len += obuf_put(&out_buf, tmp[--n]) >= 0;
    return len;
}

int cairn_printf(const char *fmt, ...)
{
    va_list ap;
    int len = 0;
    va_start(ap, fmt);
    for (const char *p = fmt; *p != '\0'; p++) {
        if (*p != '%') {
            len += obuf_put(&out_buf, *p) >= 0;
            continue;
        }
        p++;
        int zero = 0, width = 0, lng = 0;
        if (*p == '0') {
            zero = 1;
            p++;
        }
        while (*p >= '0' && *p <= '9')
            width = width * 10 + (*p++ - '0');
        while (*p == 'l') {
            lng++;
            p++;
        }
        switch (*p) {
        case 'd':
        case 'i': {
            int64_t v = lng >= 2 ? va_arg(ap, long long) : lng ? va_arg(ap, long) : va_arg(ap, int);
            uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
            len += fmt_num(m, v < 0, 10, 0, width, zero);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            uint64_t v = lng >= 2 ? va_arg(ap, unsigned long long)
                         : lng    ? va_arg(ap, unsigned long)
                                  : va_arg(ap, unsigned);
            len += fmt_num(v, 0, *p == 'u' ? 10 : 16, *p == 'X', width, zero);
            break;
        }
        case 'c': len += obuf_put(&out_buf, (char)va_arg(ap, int)) >= 0; break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (s == NULL)
                s = "(null)";
            while (*s != '\0')
                len += obuf_put(&out_buf, *s++) >= 0;
            break;
        }
        case '%': len += obuf_put(&out_buf, '%') >= 0; break;
        case '\0': p--; break;
        default: break;
        }
    }
    va_end(ap);
    return len;
}
