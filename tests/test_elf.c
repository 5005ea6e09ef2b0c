/*
 * test_elf.c — the ELF loader: valid files load with the right segments;
 * a table of crafted malformed files, each rejected with the expected status
 * and a message naming the problem; the example guests load; and the fuzz
 * target fuzz/fuzz_elf.c runs over thousands of mutated valid ELFs and random
 * bytes (under ASan in `make test`).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "vm_util.h"

int cairn_fuzz_elf(const uint8_t *data, size_t len);

#define PH(i) (52u + 32u * (i))

/* The base file: code "exit(0)" at 0x10000 (phdr 0, R X), 16 data bytes + 16 bss at 0x40000. */
static uint8_t *base_elf(size_t *len)
{
    struct rvprog p;
    rvp_init(&p);
    uint8_t d[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    rvp_data(&p, d, sizeof d);
    p.bss = 16;
    rvp_exit(&p, 0);
    uint8_t *b = rvp_elf(&p, len);
    rvp_clear(&p);
    return b;
}

static void put(uint8_t *b, uint32_t off, unsigned width, uint32_t v)
{
    for (unsigned i = 0; i < width; i++)
        b[off + i] = (uint8_t)(v >> (8 * i));
}

static void elf_valid_loads(void)
{
    size_t len;
    uint8_t *b = base_elf(&len);
    cairn_program prog;
    cairn_error err;
    CHECK_OK(cairn_elf_load(&prog, b, len, &err));
    CHECK_EQ_U64(prog.nseg, 2);
    CHECK_EQ_U64(prog.entry, RVP_CODE_BASE);
    CHECK_EQ_U64(prog.seg[0].vaddr, RVP_CODE_BASE);
    CHECK_EQ_U64(prog.seg[0].flags, CAIRN_SEG_R | CAIRN_SEG_X);
    CHECK_EQ_U64(prog.seg[1].vaddr, RVP_DATA_BASE);
    CHECK_EQ_U64(prog.seg[1].filesz, 16);
    CHECK_EQ_U64(prog.seg[1].memsz, 32);
    CHECK(memcmp(prog.data + prog.seg[1].data_off, "\1\2\3\4", 4) == 0);
    cairn_program_clear(&prog);
    cairn_program_clear(&prog); /* twice is fine */
    cairn_program_clear(NULL);

    /* non-LOAD headers are ignored, even with nonsense ranges */
    put(b, PH(1), 4, 4); /* PT_NOTE */
    put(b, PH(1) + 4, 4, 0xfffffff0);
    CHECK_OK(cairn_elf_load(&prog, b, len, &err));
    CHECK_EQ_U64(prog.nseg, 1);
    cairn_program_clear(&prog);
    put(b, PH(1), 4, 0x70000003); /* PT_RISCV_ATTRIBUTES */
    CHECK_OK(cairn_elf_load(&prog, b, len, &err));
    cairn_program_clear(&prog);
    /* a zero-sized PT_LOAD is skipped */
    put(b, PH(1), 4, 1);
    put(b, PH(1) + 4, 4, 0);
    put(b, PH(1) + 16, 4, 0);
    put(b, PH(1) + 20, 4, 0);
    CHECK_OK(cairn_elf_load(&prog, b, len, &err));
    CHECK_EQ_U64(prog.nseg, 1);
    cairn_program_clear(&prog);
    free(b);
}

struct patch {
    uint32_t off;
    unsigned width;
    uint32_t val;
};

struct bad_case {
    const char *name;
    struct patch p[3];
    size_t len; /* 0: keep the length */
    cairn_status want;
    const char *msg;
};

static const struct bad_case bad_cases[] = {
    {"empty", {{0, 0, 0}}, 1, CAIRN_ERR_PARSE, "bad magic"},
    {"bad magic", {{1, 1, 'X'}}, 0, CAIRN_ERR_PARSE, "not an ELF file (bad magic"},
    {"truncated header", {{0, 0, 0}}, 40, CAIRN_ERR_PARSE, "ELF header truncated: file is 40 bytes"},
    {"class 64", {{4, 1, 2}}, 0, CAIRN_ERR_PARSE, "64-bit) at offset 4"},
    {"class 64 says rebuild", {{4, 1, 2}}, 0, CAIRN_ERR_PARSE, "-march=rv32i"},
    {"class 3", {{4, 1, 3}}, 0, CAIRN_ERR_PARSE, "ELF class 3"},
    {"big endian", {{5, 1, 2}}, 0, CAIRN_ERR_PARSE, "data encoding 2 at offset 5"},
    {"ident version", {{6, 1, 0}}, 0, CAIRN_ERR_PARSE, "ident version 0"},
    {"ET_DYN", {{16, 2, 3}}, 0, CAIRN_ERR_PARSE, "ET_DYN"},
    {"ET_REL", {{16, 2, 1}}, 0, CAIRN_ERR_PARSE, "ELF type 1 at offset 16"},
    {"machine x86-64", {{18, 2, 62}}, 0, CAIRN_ERR_PARSE, "ELF machine 62 at offset 18"},
    {"e_version", {{20, 4, 0}}, 0, CAIRN_ERR_PARSE, "ELF version 0"},
    {"RVC flag", {{36, 4, 1}}, 0, CAIRN_ERR_PARSE, "compressed instructions (RVC)"},
    {"RVC says rebuild", {{36, 4, 1}}, 0, CAIRN_ERR_PARSE, "-mabi=ilp32"},
    {"float ABI single", {{36, 4, 2}}, 0, CAIRN_ERR_PARSE, "floating-point ABI"},
    {"float ABI double", {{36, 4, 4}}, 0, CAIRN_ERR_PARSE, "floating-point ABI"},
    {"RVE", {{36, 4, 8}}, 0, CAIRN_ERR_PARSE, "RV32E"},
    {"ehsize", {{40, 2, 64}}, 0, CAIRN_ERR_PARSE, "header size 64"},
    {"phnum 0", {{44, 2, 0}}, 0, CAIRN_ERR_PARSE, "no program headers"},
    {"phnum 0xffff", {{44, 2, 0xffff}}, 0, CAIRN_ERR_PARSE, "more than"},
    {"phentsize", {{42, 2, 56}}, 0, CAIRN_ERR_PARSE, "program header size 56"},
    {"phoff beyond file", {{28, 4, 0xfffffff0}}, 0, CAIRN_ERR_PARSE, "program header table 0xfffffff0+0x40 beyond end of file"},
    {"phoff misaligned", {{28, 4, 54}}, 0, CAIRN_ERR_PARSE, "not 4-byte aligned"},
    {"segment beyond file", {{PH(1) + 16, 4, 0x2000}, {PH(1) + 20, 4, 0x2000}}, 0, CAIRN_ERR_PARSE,
     "ELF segment 1: file range 0x2000+0x2000 beyond end of file"},
    {"segment offset wraps", {{PH(0) + 4, 4, 0xfffffff0}, {PH(0) + 28, 4, 0}}, 0, CAIRN_ERR_PARSE,
     "ELF segment 0: file range 0xfffffff0+"},
    {"memsz < filesz", {{PH(1) + 20, 4, 8}}, 0, CAIRN_ERR_PARSE, "ELF segment 1: p_memsz 0x8 smaller than p_filesz 0x10"},
    {"address wraps", {{PH(1) + 8, 4, 0xfffff000}, {PH(1) + 20, 4, 0x2000}}, 0, CAIRN_ERR_PARSE,
     "ELF segment 1: address range 0xfffff000+0x2000 wraps"},
    {"align not power of two", {{PH(1) + 28, 4, 0x1800}}, 0, CAIRN_ERR_PARSE, "not a power of two"},
    {"align congruence", {{PH(1) + 8, 4, 0x40010}}, 0, CAIRN_ERR_PARSE, "differ modulo p_align"},
    {"text misaligned", {{PH(0) + 8, 4, 0x10002}, {PH(0) + 28, 4, 2}, {24, 4, 0x10002}}, 0,
     CAIRN_ERR_PARSE, "ELF segment 0: executable segment at 0x10002 not 4-byte aligned"},
    {"overlap", {{PH(1) + 8, 4, 0x10000}, {PH(1) + 28, 4, 0}}, 0, CAIRN_ERR_PARSE,
     "ELF segments 0 and 1 overlap"},
    {"overlap reversed order", {{PH(0) + 8, 4, 0x40008}, {PH(0) + 28, 4, 0}, {24, 4, 0x40008}}, 0,
     CAIRN_ERR_PARSE, "ELF segments 1 and 0 overlap"},
    {"no executable segment", {{PH(0) + 24, 4, 4}}, 0, CAIRN_ERR_PARSE, "no executable PT_LOAD"},
    {"entry in data", {{24, 4, RVP_DATA_BASE}}, 0, CAIRN_ERR_PARSE, "entry point 0x40000"},
    {"entry below text", {{24, 4, 0x1000}}, 0, CAIRN_ERR_PARSE, "not inside an executable"},
    {"entry misaligned", {{24, 4, 0x10006}}, 0, CAIRN_ERR_PARSE, "entry point 0x10006 (offset 24) not 4-byte aligned"},
    {"PT_INTERP", {{PH(1), 4, 3}}, 0, CAIRN_ERR_PARSE, "ELF segment 1: PT_INTERP"},
    {"PT_DYNAMIC", {{PH(1), 4, 2}}, 0, CAIRN_ERR_PARSE, "dynamically linked"},
    {"no PT_LOAD", {{PH(0), 4, 4}, {PH(1), 4, 4}}, 0, CAIRN_ERR_PARSE, "no non-empty PT_LOAD"},
    {"span too large", {{PH(1) + 8, 4, 0xf0000000}, {PH(1) + 28, 4, 0}}, 0, CAIRN_ERR_LIMIT,
     "span"},
};

static void elf_malformed_table(void)
{
    size_t len;
    uint8_t *base = base_elf(&len);
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const struct bad_case *c = &bad_cases[i];
        uint8_t *b = malloc(len);
        memcpy(b, base, len);
        for (int k = 0; k < 3; k++)
            if (c->p[k].width > 0)
                put(b, c->p[k].off, c->p[k].width, c->p[k].val);
        size_t n = c->len == 1 ? 0 : c->len ? c->len : len;
        cairn_program prog;
        cairn_error err;
        cairn_error_clear(&err);
        cairn_status st = cairn_elf_load(&prog, n ? b : NULL, n, &err);
        if (st != c->want)
            FAIL("%s: status %s, expected %s (%s)", c->name, cairn_status_str(st),
                 cairn_status_str(c->want), err.msg);
        else if (strstr(err.msg, c->msg) == NULL)
            FAIL("%s: message '%s' lacks '%s'", c->name, err.msg, c->msg);
        else
            test_pass();
        CHECK(prog.nseg == 0 && prog.data == NULL);
        cairn_program_clear(&prog);
        free(b);
    }
    free(base);
}

/* More than CAIRN_ELF_MAX_SEGMENTS loadable segments; a file over the size limit. */
static void elf_limits(void)
{
    size_t nph = CAIRN_ELF_MAX_SEGMENTS + 1, len = 0x1000 + 4 * 64;
    uint8_t *b = calloc(1, len);
    size_t blen;
    uint8_t *base = base_elf(&blen);
    memcpy(b, base, 52);
    memcpy(b + 0x1000, base + 0x1000, 4 * 6);
    put(b, 44, 2, (uint32_t)nph);
    for (uint32_t i = 0; i < nph; i++) {
        put(b, PH(i), 4, 1);
        put(b, PH(i) + 4, 4, 0x1000);
        put(b, PH(i) + 8, 4, 0x10000 + 0x1000 * i);
        put(b, PH(i) + 16, 4, 24);
        put(b, PH(i) + 20, 4, 24);
        put(b, PH(i) + 24, 4, 5);
        put(b, PH(i) + 28, 4, 0x1000);
    }
    cairn_program prog;
    cairn_error err;
    CHECK_STATUS(cairn_elf_load(&prog, b, len, &err), CAIRN_ERR_PARSE);
    CHECK(strstr(err.msg, "more than 16 non-empty PT_LOAD") != NULL);
    put(b, 44, 2, (uint32_t)nph - 1);
    CHECK_OK(cairn_elf_load(&prog, b, len, &err));
    CHECK_EQ_U64(prog.nseg, CAIRN_ELF_MAX_SEGMENTS);
    cairn_program_clear(&prog);
    /* the size limit is checked before any byte is read */
    CHECK_STATUS(cairn_elf_load(&prog, b, CAIRN_ELF_MAX_FILE + 1, &err), CAIRN_ERR_LIMIT);
    CHECK_STATUS(cairn_elf_load(NULL, b, len, &err), CAIRN_ERR_ARG);
    free(b);
    free(base);
}

static void elf_example_guests_load(void)
{
    static const char *const names[] = {"hello", "fib", "sha256", "sort", "sieve", "loop"};
    for (size_t n = 0; n < sizeof names / sizeof names[0]; n++) {
        char path[512];
        snprintf(path, sizeof path, "%s/rv32im/%s.elf", vmt_guest_dir(), names[n]);
        size_t len = 0;
        uint8_t *b = vmt_read_file(path, &len);
        if (b == NULL) {
            FAIL("%s missing: build the guests with `make guests`", path);
            continue;
        }
        cairn_program prog;
        cairn_error err;
        CHECK_OK(cairn_elf_load(&prog, b, len, &err));
        CHECK(prog.nseg >= 1);
        /* every truncation is rejected cleanly or loads (never a crash) */
        for (size_t cut = 0; cut < len; cut += 1 + len / 200) {
            cairn_program p2;
            cairn_status st = cairn_elf_load(&p2, b, cut, &err);
            CHECK(st == CAIRN_OK || st == CAIRN_ERR_PARSE);
            cairn_program_clear(&p2);
        }
        cairn_program_clear(&prog);
        free(b);
    }
}

/* Mutations of valid ELFs (header fields set to edge values, bytes flipped) and random bytes. */
static void elf_fuzz_inprocess(void)
{
    size_t seeds_len[4];
    uint8_t *seeds[4];
    seeds[0] = base_elf(&seeds_len[0]);
    char path[512];
    snprintf(path, sizeof path, "%s/rv32i/hello.elf", vmt_guest_dir());
    seeds[1] = vmt_read_file(path, &seeds_len[1]);
    snprintf(path, sizeof path, "%s/rv32im/fib.elf", vmt_guest_dir());
    seeds[2] = vmt_read_file(path, &seeds_len[2]);
    {
        /* a program that loops reading input and writing it back */
        struct rvprog p;
        rvp_init(&p);
        uint8_t d[64] = {0};
        uint32_t buf = rvp_data(&p, d, sizeof d);
        size_t top = p.n;
        rvp_li(&p, 10, 0);
        rvp_li(&p, 11, buf);
        rvp_li(&p, 12, 7);
        rvp_li(&p, 17, 63);
        rvp_emit(&p, RV_ECALL);
        rvp_emit(&p, RV_ADDI(12, 10, 0));
        rvp_li(&p, 10, 1);
        rvp_li(&p, 17, 64);
        rvp_emit(&p, RV_ECALL);
        rvp_emit(&p, rv_b(-(int32_t)(4 * (p.n - top)), 0, 10, 1)); /* bne a0, x0, top */
        rvp_exit(&p, 3);
        seeds[3] = rvp_elf(&p, &seeds_len[3]);
        rvp_clear(&p);
    }
    static const uint32_t edges[] = {0, 1, 2, 3, 4, 0x7f, 0x80, 0xff, 0xffff, 0x1000, 0x10000,
                                     0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff};
    unsigned long rounds = 3 * test_iters, violations = 0, loaded = 0;
    for (unsigned long it = 0; it < rounds; it++) {
        size_t s = test_rand_below(4);
        if (seeds[s] == NULL)
            s = 0;
        size_t len = seeds_len[s];
        uint8_t *b = malloc(len + 64);
        memcpy(b, seeds[s], len);
        unsigned m = 1 + (unsigned)test_rand_below(4);
        for (unsigned k = 0; k < m; k++) {
            switch (test_rand_below(5)) {
            case 0: /* a header or program-header field */
                put(b, 4 * (uint32_t)test_rand_below(36), 4 - 2 * (unsigned)test_rand_below(2),
                    edges[test_rand_below(sizeof edges / sizeof edges[0])]);
                break;
            case 1:
                if (len > 0)
                    b[test_rand_below(len)] ^= (uint8_t)(1u << test_rand_below(8));
                break;
            case 2:
                if (len > 0)
                    b[test_rand_below(len < 148 ? len : 148)] = (uint8_t)test_rand_u64();
                break;
            case 3: len = test_rand_below(len + 1); break;
            default: /* random code words */
                if (len > 0x1000 + 64)
                    put(b, 0x1000 + 4 * (uint32_t)test_rand_below(16), 4, (uint32_t)test_rand_u64());
                break;
            }
        }
        if (cairn_fuzz_elf(b, len) != 0 && violations++ < 5)
            FAIL("fuzz target reported a violation on round %lu (seed %zu, %zu bytes)", it, s, len);
        cairn_program prog;
        if (cairn_elf_load(&prog, b, len, NULL) == CAIRN_OK)
            loaded++;
        cairn_program_clear(&prog);
        free(b);
    }
    /* pure random bytes, with and without the magic */
    for (unsigned long it = 0; it < test_iters; it++) {
        uint8_t b[256];
        size_t len = test_rand_below(sizeof b + 1);
        test_rand_bytes(b, len);
        if (len >= 4 && (it & 1))
            memcpy(b, "\x7f" "ELF\x01\x01\x01", len >= 7 ? 7 : 4);
        if (cairn_fuzz_elf(b, len) != 0 && violations++ < 5)
            FAIL("fuzz target reported a violation on random input %lu", it);
    }
    CHECK(cairn_fuzz_elf(NULL, 0) == 0);
    CHECK(violations == 0);
    /* the mutations must leave enough files loadable to exercise the interpreter */
    if (loaded * 5 < rounds)
        FAIL("only %lu of %lu mutated files loaded", loaded, rounds);
    for (int i = 0; i < 4; i++)
        free(seeds[i]);
}

const struct test_case test_elf_cases[] = {
    TEST(elf_valid_loads),
    TEST(elf_malformed_table),
    TEST(elf_limits),
    TEST(elf_example_guests_load),
    TEST(elf_fuzz_inprocess),
    TEST_END,
};
