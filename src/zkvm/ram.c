/*
 * ram.c — the public side of RAM memory checking that the verifier
 * computes itself (docs/ram-io-design.md §4): the multilinear extension of
 * the initial memory (the ELF image, zeros elsewhere) over the K = 2^k
 * words of the region, and of the read-only indicator of the executable
 * words.  Both are evaluated from the program in time O(image words · k)
 * and O(k), never by enumerating the region.
 *
 * Word j of the region holds bytes mem_base + 4j .. mem_base + 4j + 3,
 * little-endian, exactly as the VM loads them (segment file bytes, zero
 * fill to memsz, zeros elsewhere).
 *
 * Also the replay of memory that fills the RAM part of a row (zk_ram_row:
 * the address, the word read and written, a load's result, the timestamp
 * of the word's last access), which the lean row's fill (lean_fill.c)
 * runs alongside its trace, optionally listing the blocks it touched (for
 * the lean checkpoints, lean_replay.c), and the decoder of loads and
 * stores.
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/witness.h"
#include "zkvm_internal.h"

void zk_ram_init(zk_ram *r) { memset(r, 0, sizeof *r); }

void zk_ram_clear(zk_ram *r)
{
    if (r == NULL)
        return;
    free(r->init);
    zk_ram_init(r);
}

/*
 * The region [base, base + 2^(k+2)) with base the VM's (the lowest segment
 * rounded down to 4 KiB), the executable words, and the initial image built
 * byte by byte from the segments' file bytes (zero fill is already zero).
 */
cairn_status zk_ram_load(zk_ram *r, const cairn_program *prog, unsigned k, cairn_error *err)
{
    zk_ram_clear(r);
    if (k > ZK_MAX_VARS)
        return cairn_error_set(err, CAIRN_ERR_LIMIT, "a RAM of 2^%u words is too large", k);
    uint64_t words = UINT64_C(1) << k;
    r->base = zk_mem_base(prog);
    r->k = k;
    zk_ram_text_words(&r->text_lo, &r->text_hi, prog, r->base);
    r->init = calloc((size_t)words, sizeof *r->init);
    if (r->init == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for a RAM image of 2^%u words", k);
    for (uint32_t i = 0; i < prog->nseg; i++) {
        const cairn_segment *sg = &prog->seg[i];
        if (sg->vaddr < r->base || (uint64_t)sg->vaddr + sg->memsz > (uint64_t)r->base + 4 * words) {
            zk_ram_clear(r);
            return cairn_error_set(err, CAIRN_ERR_ARG,
                                   "segment %u (0x%08x+0x%x) outside the RAM region 0x%08x+0x%llx",
                                   (unsigned)i, (unsigned)sg->vaddr, (unsigned)sg->memsz,
                                   (unsigned)zk_mem_base(prog), (unsigned long long)(4 * words));
        }
        const uint8_t *b = prog->data + sg->data_off;
        for (uint32_t o = 0; o < sg->filesz; o++) {
            uint64_t a = (uint64_t)sg->vaddr - r->base + o;
            r->init[a / 4] |= (uint32_t)b[o] << (8 * (a & 3));
        }
    }
    return CAIRN_OK;
}

/* eq(r, bits of j) over k variables, accumulated with weight v. */
static cairn_fp2 add_word(cairn_fp2 acc, const cairn_fp2 *r, unsigned k, uint64_t j, uint32_t v)
{
    if (v == 0)
        return acc;
    return cairn_fp2_add(acc, cairn_fp2_mul_fp(zk_eq_const(r, k, j), cairn_fp_from_u64(v)));
}

/*
 * The initial memory's MLE is linear in the words, and a word is the sum of
 * its bytes' contributions 2^(8 (a mod 4)) b, so each segment's file bytes
 * are folded word by word (a word shared by two segments simply gets two
 * contributions: their bytes are disjoint because cairn_elf_load refuses
 * overlapping segments, which is what makes this sum, zk_ram_load's OR and
 * the VM's copy agree).  Zero fill contributes nothing.
 */
cairn_status zk_ram_init_eval(cairn_fp2 *out, const cairn_program *prog, uint32_t mem_base,
                              unsigned k, const cairn_fp2 *r, cairn_error *err)
{
    cairn_fp2 acc = cairn_fp2_zero();
    uint64_t words = UINT64_C(1) << k;
    if ((mem_base & 3) != 0 || k > ZK_MAX_VARS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "RAM region 0x%08x, 2^%u words: bad shape",
                               (unsigned)mem_base, k);
    for (uint32_t i = 0; i < prog->nseg; i++) {
        const cairn_segment *s = &prog->seg[i];
        if (s->vaddr < mem_base || (uint64_t)s->vaddr + s->memsz > (uint64_t)mem_base + 4 * words)
            return cairn_error_set(err, CAIRN_ERR_ARG,
                                   "segment %u (0x%08x+0x%x) outside the RAM region 0x%08x+0x%llx",
                                   (unsigned)i, (unsigned)s->vaddr, (unsigned)s->memsz,
                                   (unsigned)mem_base, (unsigned long long)(4 * words));
        const uint8_t *b = prog->data + s->data_off;
        uint64_t cur = UINT64_MAX;
        uint32_t val = 0;
        for (uint32_t o = 0; o < s->filesz; o++) {
            uint64_t a = (uint64_t)s->vaddr - mem_base + o;
            if (a / 4 != cur) {
                if (cur != UINT64_MAX)
                    acc = add_word(acc, r, k, cur, val);
                cur = a / 4;
                val = 0;
            }
            val |= (uint32_t)b[o] << (8 * (a & 3));
        }
        if (cur != UINT64_MAX)
            acc = add_word(acc, r, k, cur, val);
    }
    *out = acc;
    return CAIRN_OK;
}

/*
 * The executable words, as the VM computes them: the hull of the executable
 * segments with its ends rounded out to words.  *lo = *hi = 0 when the
 * program has none.  Word indices relative to mem_base.
 */
void zk_ram_text_words(uint64_t *lo, uint64_t *hi, const cairn_program *prog, uint32_t mem_base)
{
    uint64_t xlo, xhi;
    zk_text_hull(&xlo, &xhi, prog);
    if (xhi == 0 || xlo < mem_base) {
        *lo = *hi = 0;
        return;
    }
    *lo = ((xlo & ~UINT64_C(3)) - mem_base) / 4;
    *hi = (((xhi + 3) & ~UINT64_C(3)) - mem_base) / 4;
}

/* [lo <= j < hi] over k variables at r: [j >= lo] - [j >= hi]. */
cairn_fp2 zk_ram_interval_eval(const cairn_fp2 *r, unsigned k, uint64_t lo, uint64_t hi)
{
    if (hi <= lo)
        return cairn_fp2_zero();
    return cairn_fp2_sub(zk_ge_eval(r, k, lo), zk_ge_eval(r, k, hi));
}


/* The replay's memory starts as the initial image, every word last touched at time 0. */
cairn_status zk_ram_replay_init(zk_ram_replay *rp, const zk_ram *ram, cairn_error *err)
{
    size_t K = (size_t)1 << ram->k;
    memset(rp, 0, sizeof *rp);
    rp->ram = ram;
    rp->ts = calloc(K, sizeof *rp->ts);
    rp->mem = malloc(K * sizeof *rp->mem);
    if (rp->ts == NULL || rp->mem == NULL) {
        zk_ram_replay_clear(rp);
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "RAM replay (2^%u words)", ram->k);
    }
    memcpy(rp->mem, ram->init, K * sizeof *rp->mem);
    return CAIRN_OK;
}

void zk_ram_replay_clear(zk_ram_replay *rp)
{
    free(rp->mem);
    free(rp->ts);
    free(rp->mark);
    free(rp->marked);
    rp->mem = NULL;
    rp->ts = NULL;
    rp->mark = NULL;
    rp->marked = NULL;
    rp->marked_len = 0;
}

size_t zk_ram_blocks(const zk_ram *ram)
{
    return (((size_t)1 << ram->k) + ZK_RAM_BLOCK - 1) >> ZK_RAM_BLOCK_SHIFT;
}

/* A mark per block and room to list every block once. */
cairn_status zk_ram_replay_track(zk_ram_replay *rp, cairn_error *err)
{
    size_t blocks = zk_ram_blocks(rp->ram);
    free(rp->mark);
    free(rp->marked);
    rp->marked_len = 0;
    rp->mark = calloc(blocks, 1);
    rp->marked = malloc(blocks * sizeof *rp->marked);
    if (rp->mark == NULL || rp->marked == NULL) {
        free(rp->mark);
        free(rp->marked);
        rp->mark = NULL;
        rp->marked = NULL;
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "RAM replay: block list (2^%u words)",
                               rp->ram->k);
    }
    return CAIRN_OK;
}

/* Clearing only the listed marks keeps forgetting proportional to the list. */
void zk_ram_replay_forget(zk_ram_replay *rp)
{
    for (size_t i = 0; i < rp->marked_len; i++)
        rp->mark[rp->marked[i]] = 0;
    rp->marked_len = 0;
}

/*
 * One row of the RAM part.  A row without a load or store still gets
 * values that satisfy every always-on row and lookup: ea = base (a valid
 * 32-bit address), pw = 1, db and dh as the store rows define them from
 * c0, c1, tm = id, em = 0.  A memory row computes the address, the old
 * word's bytes, the selected bytes, the store's new word and the load's
 * result from the replayed memory, and the previous access's timestamp.
 */
cairn_status zk_ram_row(cairn_fp o[ZR_N], zk_ram_replay *rp, uint64_t x, cairn_error *err)
{
    const zk_ram *ram = rp->ram;
    uint64_t K = UINT64_C(1) << ram->k;
    uint32_t mem_base = ram->base;
    uint32_t *mem = rp->mem;
    for (unsigned i = ZR_EA; i <= ZR_EM; i++)
        o[i] = cairn_fp_zero();
    uint32_t v1 = (uint32_t)o[ZR_V1].v, v2 = (uint32_t)o[ZR_V2].v;
    uint64_t c0 = o[ZR_C0].v, c1 = o[ZR_C1].v;
    o[ZR_TM] = cairn_fp_from_u64(x);
    o[ZR_PW] = cairn_fp_one();
    o[ZR_EA] = cairn_fp_from_u64(mem_base);
    o[ZR_EAL] = cairn_fp_from_u64(mem_base & 0xffff);
    o[ZR_DB] = o[ZR_C0]; /* pw (c0 - yb) with pw = 1, yb = 0 */
    o[ZR_DH] = cairn_fp_from_u64(c0 + 256 * c1);
    int flag = -1;
    for (unsigned f = ZR_F_LB; f <= ZR_F_SW; f++)
        if (o[f].v != 0)
            flag = (int)f;
    if (flag < 0)
        return CAIRN_OK;
    uint32_t imm = (uint32_t)o[ZR_OFF].v, ptr = (uint32_t)o[ZR_PTR].v;
    uint32_t ea = v1 + imm + ptr;
    uint64_t wrel = (uint64_t)(ea & ~UINT32_C(3)) >= mem_base
                        ? ((uint64_t)(ea & ~UINT32_C(3)) - mem_base) / 4
                        : K;
    if (wrel >= K)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "row %llu: access at 0x%08x outside the RAM region",
                               (unsigned long long)x, (unsigned)ea);
    o[ZR_EA] = cairn_fp_from_u64(ea);
    o[ZR_KA] = cairn_fp_from_u64(((uint64_t)v1 + imm + ptr) >> 32);
    o[ZR_EAL] = cairn_fp_from_u64(ea & 0xffff);
    uint32_t b = ea & 3, o1 = b & 1, o2 = b >> 1;
    o[ZR_O1] = cairn_fp_from_u64(o1);
    o[ZR_O2] = cairn_fp_from_u64(o2);
    uint32_t old = mem[wrel], m[4];
    for (unsigned i = 0; i < 4; i++)
        m[i] = (old >> (8 * i)) & 0xff, o[ZR_M0 + i] = cairn_fp_from_u64(m[i]);
    o[ZR_RO] = cairn_fp_from_u64(wrel >= ram->text_lo && wrel < ram->text_hi);
    uint32_t y0 = o2 ? m[2] : m[0], y1 = o2 ? m[3] : m[1], yb = o1 ? y1 : y0;
    uint32_t tb = (flag == ZR_F_LB || flag == ZR_F_LBU || flag == ZR_F_SB) ? yb : y1;
    o[ZR_Y0] = cairn_fp_from_u64(y0);
    o[ZR_Y1] = cairn_fp_from_u64(y1);
    o[ZR_YB] = cairn_fp_from_u64(yb);
    o[ZR_TB] = cairn_fp_from_u64(tb);
    o[ZR_S] = cairn_fp_from_u64(tb >> 7);
    o[ZR_PW] = cairn_fp_from_u64(UINT64_C(1) << (8 * b));
    o[ZR_DB] = cairn_fp_mul(o[ZR_PW], cairn_fp_sub(o[ZR_C0], o[ZR_YB]));
    cairn_fp hd = cairn_fp_sub(cairn_fp_from_u64(c0 + 256 * c1), cairn_fp_from_u64(y0 + 256 * y1));
    o[ZR_DH] = cairn_fp_mul(cairn_fp_from_u64(o2 ? 65536 : 1), hd);
    /* the store's effect, from the replayed word */
    uint32_t nw = old;
    uint32_t half = (uint32_t)(c0 | c1 << 8); /* the operand's low bytes (B = v2, or an input byte) */
    if (flag == ZR_F_SB)
        nw = (old & ~(UINT32_C(0xff) << (8 * b))) | (half & 0xff) << (8 * b);
    else if (flag == ZR_F_SH)
        nw = (old & ~(UINT32_C(0xffff) << (8 * b))) | half << (8 * b);
    else if (flag == ZR_F_SW)
        nw = v2;
    o[ZR_MNEW] = cairn_fp_from_u64(nw);
    mem[wrel] = nw;
    { /* the load's result itself */
        uint32_t h = y0 | y1 << 8, res = old;
        switch (flag) {
        case ZR_F_LB:
            res = (uint32_t)(int32_t)(int8_t)yb;
            break;
        case ZR_F_LBU:
            res = yb;
            break;
        case ZR_F_LH:
            res = (uint32_t)(int32_t)(int16_t)h;
            break;
        case ZR_F_LHU:
            res = h;
            break;
        case ZR_F_LW:
            break;
        default:
            res = 0; /* stores write no register */
            break;
        }
        o[ZR_RES] = cairn_fp_from_u64(res);
    }
    if (wrel < K) {
        o[ZR_TM] = cairn_fp_from_u64(rp->ts[wrel]);
        rp->ts[wrel] = x + 1;
        if (rp->mark != NULL)
            zk_ram_replay_mark(rp, (size_t)(wrel >> ZK_RAM_BLOCK_SHIFT));
    }
    o[ZR_EM] = cairn_fp_from_u64((x - o[ZR_TM].v) & 0xffff);
    return CAIRN_OK;
}

/*
 * The RAM fields of a load or store word: the flag (enum zk_ram_col, one of
 * ZR_F_LB .. ZR_F_SW), the offset as a u32 (sign-extended 12 bits), and the
 * registers (rs2 = 0 for loads, rd = 0 for stores).  Returns 0 for any other
 * word, including the unused load/store funct3 values.
 */
int zk_decode_mem(zk_mem_insn *out, uint32_t w)
{
    static const int8_t lflag[8] = {ZR_F_LB, ZR_F_LH, ZR_F_LW, -1, ZR_F_LBU, ZR_F_LHU, -1, -1};
    static const int8_t sflag[8] = {ZR_F_SB, ZR_F_SH, ZR_F_SW, -1, -1, -1, -1, -1};
    uint32_t opc = w & 0x7f, f3 = (w >> 12) & 7;
    uint32_t rd = (w >> 7) & 31, rs1 = (w >> 15) & 31, rs2 = (w >> 20) & 31;
    memset(out, 0, sizeof *out);
    if (opc == 0x03 && lflag[f3] >= 0) {
        out->flag = (unsigned)lflag[f3];
        out->off = (uint32_t)((int32_t)w >> 20);
        out->rs1 = rs1, out->rd = rd;
        return 1;
    }
    if (opc == 0x23 && sflag[f3] >= 0) {
        out->flag = (unsigned)sflag[f3];
        out->off = (uint32_t)((int32_t)(w & UINT32_C(0xfe000000)) >> 20) | ((w >> 7) & 31);
        out->rs1 = rs1, out->rs2 = rs2;
        return 1;
    }
    return 0;
}
