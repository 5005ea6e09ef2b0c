/*
 * test_lean_m.c — the M extension in the lean proof (docs/zkvm-v2.md §4,
 * "Multiplications" and "Divisions").  Completeness: every M instruction
 * on every pair of edge operands (0, 1, -1, INT_MIN, INT_MAX and random
 * words), its result checked against a reference computed here, the run
 * accepted by the reference checker and proven and verified; the example
 * guests built for rv32im likewise, their output a plain VM run's.
 * Soundness: lying executions built on the lean cells of an honest run
 * (each keeping every other constraint, lookup and memory multiset
 * satisfied, which the whole-witness checker confirms before the proof)
 * are proven by the full lean prover and rejected: the result alone
 * wrong (the limbs honest), a wrong low word, a wrong high word, a wrong
 * sign (MULHSU as MULH or MULHU, MULH as MULHU), the p-aliased product of
 * each variant (whose carry is then no 17-bit value), a quotient off by
 * one with its remainder out of range, floor division's remainder sign, a
 * wrong result on a zero divisor, the zero-divisor bit set for a nonzero
 * divisor and clear for a zero one, the signed overflow answered
 * otherwise, and an overflow flag where there is none.
 * The cheating-prover harness (lean/lean_cheating_prover_rejected)
 * reaches the new constraints through random programs with M
 * instructions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "zk_util.h"

#define MASK32 UINT64_C(0xffffffff)

/* The M instructions' names, by ZK_M_*. */
static const char *const mul_names[9] = {"",    "MUL",  "MULH", "MULHSU", "MULHU",
                                         "DIV", "DIVU", "REM",  "REMU"};

/*
 * The reference result of M instruction m (ZK_M_*) on a and b, RISC-V ISA
 * §13.1-13.2: a zero divisor gives all ones (DIV, DIVU) and a (REM,
 * REMU), -2^31 / -1 gives -2^31 and remainder 0.
 */
static uint32_t mul_ref(unsigned m, uint32_t a, uint32_t b)
{
    int64_t sa = (int32_t)a, sb = (int32_t)b;
    int ovf = a == UINT32_C(0x80000000) && b == UINT32_MAX;
    switch (m) {
    case ZK_M_MUL: return (uint32_t)((uint64_t)a * b);
    case ZK_M_MULH: return (uint32_t)((uint64_t)(sa * sb) >> 32);
    case ZK_M_MULHSU: return (uint32_t)((uint64_t)(sa * (int64_t)b) >> 32);
    case ZK_M_MULHU: return (uint32_t)(((uint64_t)a * b) >> 32);
    case ZK_M_DIV: return b == 0 ? UINT32_MAX : ovf ? a : (uint32_t)(sa / sb);
    case ZK_M_DIVU: return b == 0 ? UINT32_MAX : a / b;
    case ZK_M_REM: return b == 0 ? a : ovf ? 0 : (uint32_t)(sa % sb);
    default: return b == 0 ? a : a % b;
    }
}

/* The R-type word of M instruction m (ZK_M_*): funct7 1, funct3 m - 1. */
static uint32_t mul_word(unsigned m, uint32_t rd, uint32_t rs1, uint32_t rs2)
{
    return rv_r(1, rs2, rs1, m - ZK_M_MUL, rd, 0x33);
}

/* exit(0): every register but a0 and a7 is left as the program set it. */
static void emit_exit(struct rvprog *p)
{
    rvp_emit(p, RV_ADDI(10, 0, 0));
    rvp_emit(p, RV_ADDI(17, 0, 93));
    rvp_emit(p, RV_ECALL);
}

/* The operand bytes of row x: v1 (the low bytes of j0..j3) and OP2 (the high bytes). */
static void row_operands(uint32_t *v1, uint32_t *v2, const cairn_fp *cells, uint64_t x)
{
    *v1 = *v2 = 0;
    for (unsigned i = 0; i < 4; i++) {
        uint64_t j = cells[x * ZL_NCELL + ZL_J0 + i].v;
        *v1 |= (uint32_t)(j & 0xff) << (8 * i);
        *v2 |= (uint32_t)((j >> 8) & 0xff) << (8 * i);
    }
}

/* The multiplication (ZK_M_*) of row x, ZK_M_NONE for any other row. */
static unsigned row_mul(const struct zkt *z, const cairn_fp *cells, uint64_t x)
{
    uint64_t idx = cells[x * ZL_NCELL + ZL_PCI].v;
    return x < z->w.T && idx < z->bc.count ? z->bc.entries[idx].m : ZK_M_NONE;
}

/*
 * Every M instruction on every ordered pair of the edge operands 0, 1,
 * -1, INT_MIN, INT_MAX and two random words (rd = x7, and once each with
 * rd = x0 and with rs1 = rs2): each row's result (vd, the VM's) equals the
 * reference, the checker accepts the run, the lean proof is accepted.
 */
static void m_edge_operands(void)
{
    uint32_t ops[7] = {0, 1, UINT32_MAX, UINT32_C(0x80000000), UINT32_C(0x7fffffff),
                       (uint32_t)test_rand_u64(), (uint32_t)test_rand_u64()};
    struct rvprog p;
    rvp_init(&p);
    for (unsigned m = ZK_M_MUL; m <= ZK_M_REMU; m++)
        for (unsigned i = 0; i < 7; i++)
            for (unsigned j = 0; j < 7; j++) {
                rvp_li(&p, 5, ops[i]);
                rvp_li(&p, 6, ops[j]);
                rvp_emit(&p, mul_word(m, 7, 5, 6));
            }
    for (unsigned m = ZK_M_MUL; m <= ZK_M_REMU; m++) {
        rvp_emit(&p, mul_word(m, 0, 5, 6));
        rvp_emit(&p, mul_word(m, 8, 6, 6));
    }
    emit_exit(&p);
    size_t len;
    uint8_t *elf = rvp_elf(&p, &len);
    rvp_clear(&p);
    struct zkt z;
    if (elf == NULL || !zkt_build_run(&z, elf, len, NULL, 0)) {
        free(elf);
        FAIL("the edge-operand program did not run");
        return;
    }
    unsigned seen[9] = {0, 0, 0, 0, 0, 0, 0, 0, 0}, bad = 0;
    for (uint64_t x = 0; x < z.w.T; x++) {
        unsigned m = row_mul(&z, z.lean, x);
        if (m == ZK_M_NONE)
            continue;
        seen[m]++;
        uint32_t a, b;
        row_operands(&a, &b, z.lean, x);
        const zk_static *e = &z.bc.entries[z.lean[x * ZL_NCELL + ZL_PCI].v];
        uint64_t want = e->f[ZK_WR].v ? mul_ref(m, a, b) : 0;
        if (z.lean[x * ZL_NCELL + ZL_VD].v != want && bad++ < 5)
            FAIL("row %llu: %s of 0x%08x and 0x%08x gives 0x%llx, not 0x%llx",
                 (unsigned long long)x, mul_names[m], a, b,
                 (unsigned long long)z.lean[x * ZL_NCELL + ZL_VD].v, (unsigned long long)want);
    }
    CHECK(bad == 0);
    for (unsigned m = ZK_M_MUL; m <= ZK_M_REMU; m++)
        CHECK(seen[m] == 7 * 7 + 2);
    cairn_error err;
    zl_ctx ctx = {z.prog.entry, z.w.exit_code};
    cairn_status st = zl_check(z.lean, z.w.n, z.w.T, &z.bc, &ctx, z.init, &z.ram, z.w.output,
                               z.w.output_len, &err);
    if (!CHECK(st == CAIRN_OK))
        printf("    checker: %s\n", err.msg);
    st = zkt_lean_prove_verify(&z, z.lean, NULL, NULL, NULL, &err);
    if (!CHECK(st == CAIRN_OK))
        printf("    proof: %s (%s)\n", cairn_status_str(st), err.msg);
    zkt_clear(&z);
    free(elf);
}

/*
 * The example guests built for rv32im (build/guests/rv32im: printf,
 * qsort and malloc divide and multiply) on small inputs: the lean
 * prover's run accepted by the checker, proven and verified, its exit
 * code and output (read back from the cells) those of a plain VM run.
 * Under the sanitizers (CAIRN_TEST_ITERS below 1000) fib and matmul only.
 */
static void m_example_guests_prove(void)
{
    static const struct {
        const char *name;
        uint32_t in; /* the little-endian u32 input, or 0 for none */
    } g[] = {{"fib", 20}, {"matmul", 4}, {"hello", 0}, {"sha256", 0},
             {"sort", 40}, {"sieve", 600}, {"loop", 200}, {"regloop", 0}};
    size_t count = test_iters >= 1000 ? sizeof g / sizeof g[0] : 2;
    for (size_t i = 0; i < count; i++) {
        char path[512];
        size_t len;
        snprintf(path, sizeof path, "%s/rv32im/%s.elf", vmt_guest_dir(), g[i].name);
        uint8_t *elf = vmt_read_file(path, &len);
        if (elf == NULL) {
            FAIL("%s: cannot read (build the guests first: make)", path);
            continue;
        }
        uint8_t in[4] = {(uint8_t)g[i].in, (uint8_t)(g[i].in >> 8), 0, 0};
        size_t in_len = g[i].in ? 4 : 0;
        struct vmt_result vr;
        cairn_error err;
        struct zkt z;
        memset(&vr, 0, sizeof vr);
        if (CHECK(vmt_run(elf, len, in, in_len, UINT64_C(1) << 22, &vr, &err) == CAIRN_OK) &&
            zkt_build_run(&z, elf, len, in, in_len)) {
            CHECK(z.w.exit_code == vr.exit_code && z.w.output_len == vr.out_len &&
                  (vr.out_len == 0 || memcmp(z.w.output, vr.out, vr.out_len) == 0));
            zl_ctx ctx = {z.prog.entry, z.w.exit_code};
            cairn_status st = zl_check(z.lean, z.w.n, z.w.T, &z.bc, &ctx, z.init, &z.ram,
                                       z.w.output, z.w.output_len, &err);
            if (!CHECK(st == CAIRN_OK))
                printf("    %s: checker: %s\n", g[i].name, err.msg);
            st = zkt_lean_prove_verify(&z, z.lean, NULL, NULL, NULL, &err);
            if (!CHECK(st == CAIRN_OK))
                printf("    %s: proof: %s (%s)\n", g[i].name, cairn_status_str(st), err.msg);
            zkt_clear(&z);
        }
        vmt_result_clear(&vr);
        free(elf);
    }
}

/* ---- lying executions ---- */

/* One multiplication's run and a copy of its cells to lie in. */
struct lie_fix {
    struct zkt z;
    uint64_t x; /* the multiplication's row */
    cairn_fp *cells;
    size_t bytes;
};

/*
 * A run of one multiplication m of a and b into x7 (never read again),
 * then exit(0), and room for its cells.  1, or 0 after a FAIL (f cleared).
 */
static int lie_open(struct lie_fix *f, unsigned m, uint32_t a, uint32_t b)
{
    struct rvprog p;
    rvp_init(&p);
    rvp_li(&p, 5, a);
    rvp_li(&p, 6, b);
    rvp_emit(&p, mul_word(m, 7, 5, 6));
    emit_exit(&p);
    size_t len;
    uint8_t *elf = rvp_elf(&p, &len);
    rvp_clear(&p);
    f->cells = NULL;
    int ok = elf != NULL && zkt_build_run(&f->z, elf, len, NULL, 0);
    free(elf);
    if (ok) {
        for (f->x = 0; f->x < f->z.w.T && row_mul(&f->z, f->z.lean, f->x) != m; f->x++)
            ;
        f->bytes = ((size_t)1 << f->z.w.n) * ZL_NCELL * sizeof *f->cells;
        ok = CHECK(f->x < f->z.w.T) && CHECK((f->cells = malloc(f->bytes)) != NULL);
    }
    if (!ok) {
        free(f->cells);
        zkt_clear(&f->z);
    }
    return ok;
}

/* The honest cells again, and the multiplication's row to change. */
static cairn_fp *lie_row(struct lie_fix *f)
{
    memcpy(f->cells, f->z.lean, f->bytes);
    return f->cells + f->x * ZL_NCELL;
}

static void lie_close(struct lie_fix *f)
{
    free(f->cells);
    zkt_clear(&f->z);
}

/* The 32-bit word in the limb cells lo, lo + 1 of row x. */
static uint64_t word_of(const cairn_fp *c, unsigned lo)
{
    return c[lo].v + (c[lo + 1].v << 16);
}

/* Set the word at the limb cells lo, lo + 1 of a row to w. */
static void set_word(cairn_fp *c, unsigned lo, uint64_t w)
{
    zl_limbs(&c[lo], &c[lo + 1], w & MASK32);
}

/*
 * Set a row's result vd to res, moving delta with vd so that the register
 * write stays consistent (the row's read of rd carries vd - delta,
 * unchanged; nothing reads rd afterwards).
 */
static void set_result(cairn_fp *c, uint64_t res)
{
    cairn_fp d = cairn_fp_sub(cairn_fp_make(res), c[ZL_VD]);
    c[ZL_VD] = cairn_fp_make(res);
    c[ZL_DELTA] = cairn_fp_add(c[ZL_DELTA], d);
}

/* The item (constraint index, or LIE_LK_EML for the U lookup of eml) a lie must break alone. */
#define LIE_LK_EML 1000u

/*
 * Check that the changed cells break exactly `item` (the checker's view,
 * every constraint, lookup and multiset), then prove them with the full
 * lean prover: the verifier must reject (or, for a cell outside U, the
 * prover's pushforward refuses it).
 */
static void lie_rejected(const struct zkt *z, cairn_fp *cells, unsigned item, const char *what)
{
    zl_masks mk;
    cairn_error err;
    zl_ctx ctx = {z->prog.entry, z->w.exit_code};
    zl_check_masks(&mk, cells, z->w.n, z->w.T, &z->bc, &ctx, z->init, &z->ram, z->w.output,
                   z->w.output_len, &err);
    unsigned eml_u = 0;
    for (unsigned u = 0; u < ZL_NUCELL; u++)
        if (zl_u_cells[u] == ZL_EML)
            eml_u = u;
    uint64_t want_con = item == LIE_LK_EML ? 0 : UINT64_C(1) << item;
    uint32_t want_lk = item == LIE_LK_EML ? UINT32_C(1) << eml_u : 0;
    if (mk.con != want_con || mk.lk != want_lk || mk.mem != 0)
        FAIL("%s: the checker sees constraints 0x%llx, lookups 0x%x, multisets 0x%x, not "
             "only %s",
             what, (unsigned long long)mk.con, (unsigned)mk.lk, (unsigned)mk.mem,
             item == LIE_LK_EML ? "eml's U lookup" : zl_con_names[item]);
    cairn_status st = zkt_lean_prove_verify(z, cells, NULL, NULL, NULL, &err);
    if (st == CAIRN_OK)
        FAIL("SOUNDNESS: %s: the lean proof was ACCEPTED", what);
    else if (st == CAIRN_ERR_REJECTED || (item == LIE_LK_EML && st == CAIRN_ERR_INTERNAL &&
                                          strstr(err.msg, "outside the table")))
        test_pass();
    else
        FAIL("%s: %s (%s)", what, cairn_status_str(st), err.msg);
}

static unsigned con_index(const char *name)
{
    for (unsigned i = 0; i < ZL_NCON; i++)
        if (strcmp(zl_con_names[i], name) == 0)
            return i;
    FAIL("no constraint %s", name);
    return 0;
}

/*
 * The result alone wrong: the product or the division's limbs kept
 * honest, vd (and delta with it) one more, for every M instruction on
 * random operands and, for the divisions, a zero divisor and -2^31 / -1.
 * Each breaks the constraint that ties the result to its limbs alone:
 * res_rx for MUL, REM and REMU (their result is the word x), res_m for
 * the high words and the quotients.
 */
static void m_result_alone_rejected(void)
{
    char what[96];
    struct lie_fix f;
    for (unsigned m = ZK_M_MUL; m <= ZK_M_REMU; m++)
        for (unsigned k = 0; k < (m >= ZK_M_DIV ? 3u : 1u); k++) {
            uint32_t a = k == 2 ? UINT32_C(0x80000000) : (uint32_t)test_rand_u64(),
                     b = k == 1 ? 0 : k == 2 ? UINT32_MAX : (uint32_t)test_rand_u64() | 1;
            if (!lie_open(&f, m, a, b))
                continue;
            cairn_fp *c = lie_row(&f);
            set_result(c, (c[ZL_VD].v + 1) & MASK32);
            snprintf(what, sizeof what, "%s 0x%08x 0x%08x: the result alone one more",
                     mul_names[m], a, b);
            int rx = m == ZK_M_MUL || m == ZK_M_REM || m == ZK_M_REMU;
            lie_rejected(&f.z, f.cells, con_index(rx ? "res_rx" : "res_m"), what);
            lie_close(&f);
        }
}

/*
 * A wrong low word (x and, for MUL, the result one more; the carry kept)
 * breaks mul_lo; a wrong high word (hi and the result one more) breaks
 * mul_hi; for every variant, on random operands and on edge ones (the
 * random ones only when CAIRN_TEST_ITERS is below 1000, as under the
 * sanitizers).
 */
static void mul_wrong_words_rejected(void)
{
    uint32_t pairs[3][2] = {{(uint32_t)test_rand_u64(), (uint32_t)test_rand_u64()},
                            {UINT32_C(0x80000000), UINT32_MAX},
                            {UINT32_C(0x7fffffff), UINT32_C(0x80000000)}};
    char what[96];
    struct lie_fix f;
    unsigned npairs = test_iters >= 1000 ? 3 : 1; /* the sanitizers: the random pair only */
    for (unsigned m = ZK_M_MUL; m <= ZK_M_MULHU; m++)
        for (unsigned i = 0; i < npairs; i++) {
            if (!lie_open(&f, m, pairs[i][0], pairs[i][1]))
                continue;
            /* the low word */
            cairn_fp *c = lie_row(&f);
            uint64_t lo = (word_of(c, ZL_XL) + 1) & MASK32;
            if (lo == 0) /* the carry would have to move too: take one less */
                lo = MASK32 - 1;
            set_word(c, ZL_XL, lo);
            if (m == ZK_M_MUL)
                set_result(c, lo);
            snprintf(what, sizeof what, "%s 0x%08x 0x%08x: wrong low word", mul_names[m],
                     pairs[i][0], pairs[i][1]);
            lie_rejected(&f.z, f.cells, con_index("mul_lo"), what);
            /* the high word */
            if (m != ZK_M_MUL) {
                c = lie_row(&f);
                uint64_t hi = (word_of(c, ZL_HL) + 1) & MASK32;
                set_word(c, ZL_HL, hi);
                set_result(c, hi);
                snprintf(what, sizeof what, "%s 0x%08x 0x%08x: wrong high word", mul_names[m],
                         pairs[i][0], pairs[i][1]);
                lie_rejected(&f.z, f.cells, con_index("mul_hi"), what);
            }
            lie_close(&f);
        }
}

/*
 * The high word of one variant claimed for another (the wrap bits set to
 * what that variant would use): MULHSU as MULH (v2 taken as signed) and as
 * MULHU (v1 unsigned), MULH as MULHU and as MULHSU, MULHU as MULH, on
 * operands where the results differ; each breaks mul_hi alone.
 */
static void mul_wrong_sign_rejected(void)
{
    static const unsigned cases[5][2] = {{ZK_M_MULHSU, ZK_M_MULH}, {ZK_M_MULHSU, ZK_M_MULHU},
                                         {ZK_M_MULH, ZK_M_MULHU},  {ZK_M_MULH, ZK_M_MULHSU},
                                         {ZK_M_MULHU, ZK_M_MULH}};
    uint32_t a = UINT32_C(0x80000000) | (uint32_t)test_rand_u64() | 1u;
    uint32_t b = UINT32_C(0x80000000) | (uint32_t)test_rand_u64() | 1u; /* both negative, odd */
    char what[96];
    struct lie_fix f;
    for (unsigned i = 0; i < 5; i++) {
        unsigned m = cases[i][0], as = cases[i][1];
        if (!lie_open(&f, m, a, b))
            continue;
        CHECK(mul_ref(m, a, b) != mul_ref(as, a, b));
        cairn_fp *c = lie_row(&f);
        uint64_t u = ((uint64_t)a * b) >> 32;
        uint64_t s = (as != ZK_M_MULHU ? (uint64_t)(a >> 31) * b : 0) +
                     (as == ZK_M_MULH ? (uint64_t)(b >> 31) * a : 0);
        uint64_t hi = mul_ref(as, a, b);
        set_word(c, ZL_HL, hi);
        set_result(c, hi);
        c[ZL_EMH] = cairn_fp_make((s + MASK32 - u) >> 32);
        snprintf(what, sizeof what, "%s 0x%08x 0x%08x computed as %s", mul_names[m], a, b,
                 mul_names[as]);
        lie_rejected(&f.z, f.cells, con_index("mul_hi"), what);
        lie_close(&f);
    }
}

/*
 * The p-aliased product of every variant: for 3 · 5, the words
 * lo' = 16 and hi' = 2^32 - 1 satisfy lo' + 2^32 hi' = 15 + p, the
 * product modulo p but not over the integers.  Both product constraints
 * hold then only with the carry c' = 2^32 - 1 (eml = 2^32 - 1): every
 * constraint and multiset is satisfied and the U lookup of eml alone
 * fails, so the range of the carry is what pins the product.
 */
static void mul_p_aliased_rejected(void)
{
    char what[96];
    struct lie_fix f;
    /* the aliased words are the product modulo p */
    cairn_fp alias = cairn_fp_add(cairn_fp_make(16),
                                  cairn_fp_mul(cairn_fp_make(MASK32), cairn_fp_make(MASK32 + 1)));
    CHECK(alias.v == 15);
    for (unsigned m = ZK_M_MUL; m <= ZK_M_MULHU; m++) {
        if (!lie_open(&f, m, 3, 5))
            continue;
        cairn_fp *c = lie_row(&f);
        CHECK(word_of(c, ZL_XL) == 15 && c[ZL_EML].v == 0 && c[ZL_K].v == 0);
        set_word(c, ZL_XL, 16);
        set_word(c, ZL_HL, MASK32);
        c[ZL_EML] = cairn_fp_make(MASK32);
        set_result(c, m == ZK_M_MUL ? 16 : MASK32);
        snprintf(what, sizeof what, "%s 3 5: p-aliased product", mul_names[m]);
        lie_rejected(&f.z, f.cells, LIE_LK_EML, what);
        lie_close(&f);
    }
}

/* Set a division row's quotient (mp0, mp1), remainder (x) and result (the one its kind writes). */
static void set_division(cairn_fp *c, unsigned m, uint64_t q, uint64_t r)
{
    set_word(c, ZL_MP0, q);
    set_word(c, ZL_XL, r);
    set_result(c, (m == ZK_M_DIV || m == ZK_M_DIVU ? q : r) & MASK32);
}

/*
 * A quotient off by one with the matching remainder, so that
 * q d + r = n still holds but the remainder leaves its range
 * (100 / 7 as 13 rem 9; -100 / 7 as -13 rem -9; the unsigned ones as
 * q - 1 rem r + d), for each division: only div_rem breaks.
 */
static void div_off_by_one_rejected(void)
{
    static const uint32_t ns[2] = {100, (uint32_t)-100};
    char what[96];
    struct lie_fix f;
    for (unsigned m = ZK_M_DIV; m <= ZK_M_REMU; m++)
        for (unsigned i = 0; i < 2; i++) {
            uint32_t n = ns[i], d = 7;
            if (!lie_open(&f, m, n, d))
                continue;
            cairn_fp *c = lie_row(&f);
            int sg = m == ZK_M_DIV || m == ZK_M_REM;
            int64_t step = !sg || ((int32_t)n < 0) == ((int32_t)d < 0) ? -1 : 1;
            int64_t q = sg ? (int64_t)(int32_t)n / (int32_t)d : (int64_t)(n / d);
            int64_t r = sg ? (int64_t)(int32_t)n % (int32_t)d : (int64_t)(n % d);
            set_division(c, m, (uint64_t)(q + step), (uint64_t)(r - step * (int64_t)d));
            snprintf(what, sizeof what, "%s 0x%08x 7: quotient off by one", mul_names[m], n);
            lie_rejected(&f.z, f.cells, con_index("div_rem"), what);
            lie_close(&f);
        }
}

/*
 * Floor division instead of truncation: -7 / 2 as -4 rem 1 (q d + r = n
 * holds, and with the slack set to |2| - (1 - 2 sn) r - 1 = 2 the bound
 * holds too, since it reads |r| through n's sign): only div_rsign breaks.
 * For DIV and REM.
 */
static void div_remainder_sign_rejected(void)
{
    char what[96];
    struct lie_fix f;
    for (unsigned m = ZK_M_DIV; m <= ZK_M_REM; m += 2) {
        if (!lie_open(&f, m, (uint32_t)-7, 2))
            continue;
        cairn_fp *c = lie_row(&f);
        CHECK(word_of(c, ZL_MP0) == (uint32_t)-3 && word_of(c, ZL_XL) == (uint32_t)-1);
        set_division(c, m, (uint32_t)-4, 1);
        set_word(c, ZL_HL, 2);
        snprintf(what, sizeof what, "%s -7 2: -4 rem 1", mul_names[m]);
        lie_rejected(&f.z, f.cells, con_index("div_rsign"), what);
        lie_close(&f);
    }
}

/*
 * Division by zero: DIV and DIVU answering 0 instead of all ones (the
 * remainder n kept, so q 0 + r = n holds): only div_zero breaks; REM and
 * REMU answering 0 instead of n (the quotient all ones and the slack
 * moved with it): only div_eq breaks.  On a positive and a negative n.
 */
static void div_by_zero_rejected(void)
{
    static const uint32_t ns[2] = {12345, (uint32_t)-12345};
    char what[96];
    struct lie_fix f;
    for (unsigned m = ZK_M_DIV; m <= ZK_M_REMU; m++)
        for (unsigned i = 0; i < 2; i++) {
            if (!lie_open(&f, m, ns[i], 0))
                continue;
            cairn_fp *c = lie_row(&f);
            CHECK(c[ZL_K].v == 1 && word_of(c, ZL_MP0) == MASK32 && word_of(c, ZL_XL) == ns[i]);
            const char *item = "div_zero";
            if (m == ZK_M_DIV || m == ZK_M_DIVU) {
                set_division(c, m, 0, ns[i]);
            } else {
                set_division(c, m, MASK32, 0);
                set_word(c, ZL_HL, MASK32); /* 0 - |0| - 1 + 2^32 */
                item = "div_eq";
            }
            snprintf(what, sizeof what, "%s 0x%08x 0: wrong result", mul_names[m], ns[i]);
            lie_rejected(&f.z, f.cells, con_index(item), what);
            lie_close(&f);
        }
}

/*
 * The zero-divisor bit both ways, for each division of 100: by 7 with the
 * bit set, answered 0 rem 100 (q dv + r = n holds, and the bit's 2^32
 * makes the slack 2^32 - 94 a word): only div_zero, which asks a set bit
 * for dv = 0 and q = 2^32 - 1, breaks; by 0 with the bit clear, answered
 * 0 rem 100 (q 0 + r = n holds): the slack would have to be -101, so
 * with any word there (2^32 - 101 here) only div_rem breaks.
 */
static void div_zero_bit_both_ways_rejected(void)
{
    char what[96];
    struct lie_fix f;
    for (unsigned m = ZK_M_DIV; m <= ZK_M_REMU; m++)
        for (unsigned by_zero = 0; by_zero < 2; by_zero++) {
            if (!lie_open(&f, m, 100, by_zero ? 0 : 7))
                continue;
            cairn_fp *c = lie_row(&f);
            CHECK_EQ_U64(c[ZL_K].v, by_zero);
            c[ZL_K] = cairn_fp_make(by_zero ? 0 : 1);
            set_division(c, m, 0, 100);
            set_word(c, ZL_HL, by_zero ? (UINT64_C(1) << 32) - 101 : (UINT64_C(1) << 32) - 94);
            snprintf(what, sizeof what, "%s 100 %u: zero-divisor bit %u, 0 rem 100",
                     mul_names[m], by_zero ? 0u : 7u, by_zero ? 0u : 1u);
            lie_rejected(&f.z, f.cells, con_index(by_zero ? "div_rem" : "div_zero"), what);
            lie_close(&f);
        }
}

/*
 * The signed overflow -2^31 / -1 (quotient -2^31, remainder 0, o = 1):
 * answered as 2^31 - 1 rem -1 with o = 0 (q d + r = n holds, the
 * remainder leaves its range: div_rem), as the honest words with o = 0
 * (then no q can satisfy div_eq); and o = 1 where there is no overflow
 * (-6 / 2 as 2^31 - 3 rem 0, which o's 2^32 balances: div_ovf).  For DIV
 * and REM.
 */
static void div_overflow_rejected(void)
{
    char what[96];
    struct lie_fix f;
    for (unsigned m = ZK_M_DIV; m <= ZK_M_REM; m += 2) {
        if (lie_open(&f, m, UINT32_C(0x80000000), UINT32_MAX)) {
            cairn_fp *c = lie_row(&f);
            CHECK(c[ZL_RO].v == 1 && word_of(c, ZL_MP0) == UINT32_C(0x80000000) &&
                  word_of(c, ZL_XL) == 0);
            set_division(c, m, UINT32_C(0x7fffffff), MASK32);
            c[ZL_RO] = cairn_fp_zero();
            snprintf(what, sizeof what, "%s -2^31 -1: 2^31 - 1 rem -1", mul_names[m]);
            lie_rejected(&f.z, f.cells, con_index("div_rem"), what);
            c = lie_row(&f);
            c[ZL_RO] = cairn_fp_zero();
            snprintf(what, sizeof what, "%s -2^31 -1: no overflow flag", mul_names[m]);
            lie_rejected(&f.z, f.cells, con_index("div_eq"), what);
            lie_close(&f);
        }
        if (lie_open(&f, m, (uint32_t)-6, 2)) {
            cairn_fp *c = lie_row(&f);
            set_division(c, m, UINT32_C(0x7ffffffd), 0);
            c[ZL_RO] = cairn_fp_one();
            snprintf(what, sizeof what, "%s -6 2: an overflow flag", mul_names[m]);
            lie_rejected(&f.z, f.cells, con_index("div_ovf"), what);
            lie_close(&f);
        }
    }
}

const struct test_case test_lean_m_cases[] = {
    TEST(m_edge_operands),
    TEST(m_example_guests_prove),
    TEST(m_result_alone_rejected),
    TEST(mul_wrong_words_rejected),
    TEST(mul_wrong_sign_rejected),
    TEST(mul_p_aliased_rejected),
    TEST(div_off_by_one_rejected),
    TEST(div_remainder_sign_rejected),
    TEST(div_by_zero_rejected),
    TEST(div_zero_bit_both_ways_rejected),
    TEST(div_overflow_rejected),
    TEST_END,
};
