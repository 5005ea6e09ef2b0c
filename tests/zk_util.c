/*
 * zk_util.c — random register-only programs and the lying interpreter for
 * the zkVM tests (see zk_util.h).  The generator follows the VM's
 * differential generator (tests/test_vm_diff.c) restricted to the provable
 * set's instruction set: no multiplies or divides; loads and stores of
 * every width into a data buffer (and word loads from the text) only when
 * asked for.
 */
#include "zk_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/vm.h"
#include "cairn/witness.h"
#include "harness.h"




/* g->scratch: what a program may hold besides register-only RV32I (ZK_GEN_*). */
static void gen_alu(struct vmt_gen *g)
{
    struct rvprog *p = g->p;
    uint32_t kind = vmt_gen_below(g, (g->scratch & ZK_GEN_MUL) ? 13 : 11);
    if (kind >= 11) {
        /* an M instruction, its operands an edge value half the time (0, 1, -1, 2^31, ...) */
        for (unsigned i = 0; i < 2; i++)
            if (vmt_gen_below(g, 2) == 0)
                rvp_li(p, 25 + i, vmt_gen_edge(g));
        uint32_t a = vmt_gen_below(g, 2) ? 25 : vmt_gen_rs(g);
        uint32_t b = vmt_gen_below(g, 2) ? 26 : vmt_gen_rs(g);
        rvp_emit(p, rv_r(1, b, a, vmt_gen_below(g, 8), vmt_gen_rd(g), 0x33));
    } else if (kind < 4) {
        uint32_t sel = vmt_gen_below(g, 10);
        if (sel < 8)
            rvp_emit(p, rv_r(0, vmt_gen_rs(g), vmt_gen_rs(g), sel, vmt_gen_rd(g), 0x33));
        else
            rvp_emit(p, rv_r(0x20, vmt_gen_rs(g), vmt_gen_rs(g), sel == 8 ? 0 : 5, vmt_gen_rd(g), 0x33));
    } else if (kind < 8) {
        uint32_t f3 = vmt_gen_below(g, 8);
        if (f3 == 1)
            rvp_emit(p, rv_i((int32_t)vmt_gen_below(g, 32), vmt_gen_rs(g), 1, vmt_gen_rd(g), 0x13));
        else if (f3 == 5)
            rvp_emit(p, rv_i((int32_t)(vmt_gen_below(g, 32) | (vmt_gen_below(g, 2) ? 0x400u : 0)), vmt_gen_rs(g), 5,
                             vmt_gen_rd(g), 0x13));
        else
            rvp_emit(p, rv_i(vmt_gen_imm12(g), vmt_gen_rs(g), f3, vmt_gen_rd(g), 0x13));
    } else if (kind == 8) {
        rvp_emit(p, rv_u(vmt_gen_value(g), vmt_gen_rd(g), 0x37));
    } else if (kind == 9) {
        rvp_emit(p, rv_u(vmt_gen_value(g), vmt_gen_rd(g), 0x17));
    } else {
        rvp_emit(p, UINT32_C(0x0ff0000f)); /* fence */
    }
}

#define GEN_DATA 256u /* bytes of the data buffer; x31 holds its address + 128 */

const uint8_t zk_test_input[ZK_TEST_INPUT_LEN] = {'z', 'k', ' ', 'i', 'n', 'p', 'u', 't', 0x00, 0x80, 0xff, 0x7f};

/*
 * A load or store of a random width at a random aligned offset of the data
 * buffer through x31 (the register allocator never writes x31), or a word
 * load of the text through AUIPC in VMT_REG_T.
 */
static void gen_mem(struct vmt_gen *g)
{
    struct rvprog *p = g->p;
    static const uint32_t lf3[5] = {0, 1, 2, 4, 5};
    uint32_t kind = vmt_gen_below(g, 12);
    if (kind == 11) {
        rvp_emit(p, rv_u(0, VMT_REG_T, 0x17));
        rvp_emit(p, rv_i(4 * (int32_t)vmt_gen_below(g, 3) - 4, VMT_REG_T, 2, vmt_gen_rd(g), 0x03));
        return;
    }
    uint32_t f3 = kind < 5 ? lf3[kind] : (kind - 5) % 3, w = 1u << (f3 & 3);
    int32_t off = (int32_t)(vmt_gen_below(g, GEN_DATA / w) * w) - (int32_t)(GEN_DATA / 2);
    if (kind < 5)
        rvp_emit(p, rv_i(off, 31, f3, vmt_gen_rd(g), 0x03));
    else
        rvp_emit(p, rv_s(off, vmt_gen_rs(g), 31, f3));
}

static void gen_item(struct vmt_gen *g)
{
    uint32_t kind = vmt_gen_below(g, (g->scratch & ZK_GEN_MEM) ? 24 : 20);
    if (kind >= 20) {
        gen_mem(g);
    } else if (kind < 12) {
        gen_alu(g);
    } else if (kind < 15) {
        vmt_gen_branch_fwd(g, gen_alu);
    } else if (kind == 15) {
        vmt_gen_jal_fwd(g, gen_alu);
    } else if (kind == 16) {
        vmt_gen_jalr_fwd(g, gen_alu);
    } else {
        vmt_gen_loop(g, gen_alu);
    }
}

void zk_gen_program(struct rvprog *p, uint64_t seed, uint32_t items, int mem)
{
    struct vmt_gen g = {seed, p, (uint32_t)mem}; /* scratch: the ZK_GEN_* kinds wanted */
    rvp_init(p);
    for (uint32_t r = 1; r < 32; r++)
        if (vmt_gen_below(&g, 4) != 0)
            rvp_li(p, r, vmt_gen_value(&g));
    if (mem & ZK_GEN_MEM) {
        uint8_t data[GEN_DATA];
        for (unsigned i = 0; i < GEN_DATA; i++)
            data[i] = (uint8_t)vmt_gen_below(&g, 256);
        rvp_li(p, 31, rvp_data(p, data, sizeof data) + GEN_DATA / 2);
    }
    for (uint32_t i = 0; i < items; i++)
        gen_item(&g);
    if (mem & ZK_GEN_MEM) {
        /*
         * the three system calls a guest can prove: write(1) and write(2)
         * of a few bytes of the buffer, then three reads of 8 bytes: with
         * the 12 test input bytes, a full read, a short one that ends the
         * input, and one after the end
         */
        static const uint32_t calls[5][3] = {{64, 1, 5}, {64, 2, 3}, {63, 0, 8}, {63, 0, 8},
                                             {63, 0, 8}};
        for (unsigned i = 0; i < 5; i++) {
            rvp_emit(p, RV_ADDI(17, 0, (int32_t)calls[i][0]));
            rvp_emit(p, RV_ADDI(10, 0, (int32_t)calls[i][1]));
            rvp_emit(p, RV_ADDI(11, 31, -(int32_t)(4 * vmt_gen_below(&g, 8))));
            rvp_emit(p, RV_ADDI(12, 0, (int32_t)calls[i][2]));
            rvp_emit(p, RV_ECALL);
        }
    }
    rvp_emit(p, rv_i(0xff, 5, 7, 10, 0x13)); /* andi a0, x5, 255 */
    rvp_emit(p, RV_ADDI(17, 0, 93));
    rvp_emit(p, RV_ECALL);
}

uint8_t *zk_gen_elf(uint64_t seed, uint32_t items, size_t *len)
{
    struct rvprog p;
    zk_gen_program(&p, seed, items, (int)(seed & 1));
    uint8_t *elf = rvp_elf(&p, len);
    rvp_clear(&p);
    return elf;
}

uint8_t *zk_gen_elf_m(uint64_t seed, uint32_t items, size_t *len)
{
    struct rvprog p;
    zk_gen_program(&p, seed, items, (int)(seed & 1) | ZK_GEN_MUL);
    uint8_t *elf = rvp_elf(&p, len);
    rvp_clear(&p);
    return elf;
}

void zk_loop_program(struct rvprog *p, uint32_t iters)
{
    rvp_init(p);
    rvp_li(p, 5, iters);                           /* t0 = iters */
    rvp_emit(p, RV_ADDI(6, 0, 1));                 /* t1 = 1 */
    size_t top = p->n;
    rvp_emit(p, rv_r(0, 6, 7, 0, 7, 0x33));        /* t2 += t1 */
    rvp_emit(p, rv_i(3, 7, 1, 28, 0x13));          /* t3 = t2 << 3 */
    rvp_emit(p, rv_r(0, 28, 6, 4, 6, 0x33));       /* t1 ^= t3 */
    rvp_emit(p, RV_ADDI(5, 5, -1));                /* t0-- */
    size_t at = rvp_emit(p, 0);
    p->code[at] = rv_b(-(int32_t)(4 * (at - top)), 0, 5, 1); /* bne t0, x0, top */
    rvp_emit(p, rv_i(0xff, 7, 7, 10, 0x13));       /* a0 = t2 & 255 */
    rvp_emit(p, RV_ADDI(17, 0, 93));
    rvp_emit(p, RV_ECALL);
}

/* ---- the lying interpreter ------------------------------------------------------------------- */

static uint32_t sext(uint32_t v, unsigned bits)
{
    uint32_t m = UINT32_C(1) << (bits - 1);
    return (v ^ m) - m;
}

struct rows_buf {
    cairn_fp *rows;
    uint64_t n, cap;
};

static int push(struct rows_buf *b, uint32_t pc, uint32_t insn, uint32_t v1, uint32_t v2, uint32_t rd,
                uint32_t vd)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 1024;
        cairn_fp *nr = realloc(b->rows, (size_t)b->cap * CAIRN_WIT_WIDTH * sizeof *nr);
        if (nr == NULL)
            return 0;
        b->rows = nr;
    }
    cairn_fp *row = b->rows + b->n * CAIRN_WIT_WIDTH;
    memset(row, 0, CAIRN_WIT_WIDTH * sizeof *row);
    row[CAIRN_WIT_COL_CYCLE] = cairn_fp_make(b->n);
    row[CAIRN_WIT_COL_PC] = cairn_fp_make(pc);
    row[CAIRN_WIT_COL_INSN] = cairn_fp_make(insn);
    row[CAIRN_WIT_COL_RS1_VAL] = cairn_fp_make(v1);
    row[CAIRN_WIT_COL_RS2_VAL] = cairn_fp_make(v2);
    row[CAIRN_WIT_COL_RD] = cairn_fp_make(rd);
    row[CAIRN_WIT_COL_RD_VAL] = cairn_fp_make(vd);
    b->n++;
    return 1;
}

/*
 * A plain RV32I interpreter over the program's text, kept deliberately
 * separate from src/vm/, that records one row per instruction and applies
 * the lie once.  The state after the lie follows from it (later reads see
 * the lied value), which is what makes the trace "consistent".
 */
int zk_lying_trace(const uint8_t *elf, size_t elf_len, enum zk_lie lie, cairn_fp **rows,
                   uint64_t *cycles)
{
    return zk_lying_trace_max(elf, elf_len, lie, UINT64_C(1) << 22, rows, cycles);
}

/*
 * The interpreter behind zk_lying_trace, stopping after max_steps
 * instructions: a caller that discards long runs anyway gives up on them
 * early instead of recording millions of rows first.
 */
int zk_lying_trace_max(const uint8_t *elf, size_t elf_len, enum zk_lie lie, uint64_t max_steps,
                       cairn_fp **rows, uint64_t *cycles)
{
    cairn_program prog;
    cairn_vm vm;
    cairn_error err;
    struct rows_buf b = {NULL, 0, 0};
    int told = lie == ZK_LIE_NONE, done = 0;
    uint32_t x[32], old[32];
    memset(&vm, 0, sizeof vm);
    *rows = NULL;
    *cycles = 0;
    if (cairn_elf_load(&prog, elf, elf_len, &err) != CAIRN_OK)
        return 0;
    if (cairn_vm_init(&vm, &prog, NULL, &err) != CAIRN_OK) {
        cairn_program_clear(&prog);
        return 0;
    }
    memcpy(x, vm.regs, sizeof x);
    memcpy(old, x, sizeof old);
    uint32_t pc = vm.pc;
    for (uint64_t step = 0; step < max_steps && !done; step++) {
        uint32_t apc = pc & ~3u;
        if (apc < vm.text_base || apc - vm.text_base >= vm.text_size)
            break;
        const uint8_t *wp = vm.mem + (apc - vm.mem_base);
        uint32_t w = (uint32_t)wp[0] | (uint32_t)wp[1] << 8 | (uint32_t)wp[2] << 16 | (uint32_t)wp[3] << 24;
        uint32_t opc = w & 0x7f, f3 = (w >> 12) & 7, f7 = w >> 25;
        uint32_t rd = (w >> 7) & 31, rs1 = (w >> 15) & 31, rs2 = (w >> 20) & 31;
        uint32_t ii = sext(w >> 20, 12);
        int r1 = 0, r2 = 0, wr = 0;
        uint32_t npc = pc + 4, res = 0;
        switch (opc) {
        case 0x13: case 0x67: r1 = 1; break;
        case 0x33: case 0x63: r1 = r2 = 1; break;
        default: break;
        }
        uint32_t a = r1 ? x[rs1] : 0, bb = r2 ? x[rs2] : 0;
        if (!told && lie == ZK_LIE_STALE_READ && r1 && rs1 != 0 && old[rs1] != x[rs1]) {
            a = old[rs1];
            told = 1;
        }
        uint32_t B = opc == 0x13 || opc == 0x67 ? ii : bb;
        if (opc == 0x13 && (f3 == 1 || f3 == 5))
            B = rs2;
        switch (opc) {
        case 0x37: res = w & 0xfffff000u, wr = 1; break;
        case 0x17: res = pc + (w & 0xfffff000u), wr = 1; break;
        case 0x6f:
            res = pc + 4, wr = 1;
            npc = pc + sext(((w >> 31) & 1) << 20 | ((w >> 12) & 0xff) << 12 | ((w >> 20) & 1) << 11 |
                                ((w >> 21) & 0x3ff) << 1,
                            21);
            break;
        case 0x67:
            res = pc + 4, wr = 1;
            npc = (a + ii) & ~1u;
            if (!told && lie == ZK_LIE_JALR_BIT0 && ((a + ii) & 1)) {
                npc = a + ii;
                told = 1;
            }
            break;
        case 0x63: {
            int take = 0;
            switch (f3) {
            case 0: take = a == bb; break;
            case 1: take = a != bb; break;
            case 4: take = (int32_t)a < (int32_t)bb; break;
            case 5: take = (int32_t)a >= (int32_t)bb; break;
            case 6: take = a < bb; break;
            default: take = a >= bb; break;
            }
            uint32_t boff = sext(((w >> 31) & 1) << 12 | ((w >> 7) & 1) << 11 | ((w >> 25) & 0x3f) << 5 |
                                     ((w >> 8) & 0xf) << 1,
                                 13);
            /* a branch to pc + 4 goes there either way: not a lie */
            if (take && boff != 4 && !told && lie == ZK_LIE_BRANCH_NOT_TAKEN) {
                take = 0;
                told = 1;
            }
            if (take)
                npc = pc + boff;
            break;
        }
        case 0x13:
        case 0x33: {
            int sub = opc == 0x33 && f7 == 0x20, arith = f7 == 0x20;
            uint32_t s = B & 31;
            wr = 1;
            switch (f3) {
            case 0:
                res = sub ? a - B : a + B;
                if (!sub && !told && lie == ZK_LIE_ADD_OFF_BY_ONE && rd != 0) {
                    res += 1;
                    told = 1;
                }
                break;
            case 1: res = a << s; break;
            case 2:
                res = (int32_t)a < (int32_t)B;
                if (!told && lie == ZK_LIE_SLT_AS_SLTU && rd != 0 && (a < B) != res) {
                    res = a < B;
                    told = 1;
                }
                break;
            case 3: res = a < B; break;
            case 4: res = a ^ B; break;
            case 5:
                if (arith && !(!told && lie == ZK_LIE_SRA_AS_SRL && rd != 0 && (a >> 31) && s)) {
                    res = (uint32_t)((int32_t)a >> s);
                } else {
                    if (arith)
                        told = 1;
                    res = a >> s;
                }
                break;
            case 6: res = a | B; break;
            default: res = a & B; break;
            }
            break;
        }
        case 0x73:
            a = x[17], bb = x[10];
            done = 1;
            break;
        default: break; /* fence */
        }
        uint32_t wrote = 0, vd = 0;
        if (wr && rd != 0) {
            wrote = rd, vd = res;
        } else if (wr && rd == 0 && !told && lie == ZK_LIE_X0_STICKS && res != 0) {
            told = 1;
            vd = res; /* the row claims x0 was written and later reads see it */
            x[0] = res;
        }
        if (!push(&b, pc, w, (r1 || opc == 0x73) ? a : 0, (r2 || opc == 0x73) ? bb : 0, wrote, vd))
            break;
        if (wrote) {
            old[wrote] = x[wrote];
            x[wrote] = vd;
        }
        pc = npc;
    }
    cairn_vm_clear(&vm);
    cairn_program_clear(&prog);
    if (!done || !told) {
        free(b.rows);
        return 0;
    }
    *rows = b.rows;
    *cycles = b.n;
    return 1;
}

/* The first T rows of a stream, copied into c->rows (T x CAIRN_WIT_WIDTH). */
cairn_status zk_collect_rows(void *ctx, uint64_t first, const cairn_fp *rows, size_t count,
                             cairn_error *err)
{
    struct zk_collect *c = ctx;
    (void)err;
    for (size_t i = 0; i < count; i++)
        if (first + i < c->T)
            memcpy(c->rows + (first + i) * CAIRN_WIT_WIDTH, rows + i * CAIRN_WIT_WIDTH,
                   CAIRN_WIT_WIDTH * sizeof *rows);
    return CAIRN_OK;
}

/* ---- the checker's view of a program ---------------------------------------------------------- */

void zkt_clear(struct zkt *z)
{
    cairn_program_clear(&z->prog);
    zk_bytecode_clear(&z->bc);
    zk_witness_clear(&z->w);
    zk_ram_clear(&z->ram);
    free(z->lean);
    z->lean = NULL;
}

int zkt_build_run(struct zkt *z, const uint8_t *elf, size_t len, const uint8_t *input,
                  size_t input_len)
{
    zl_run r;
    cairn_error err;
    memset(z, 0, sizeof *z);
    z->input = input;
    z->input_len = input_len;
    if (zl_run_init(&r, elf, len, input, input_len, UINT64_C(1) << 22, &err) != CAIRN_OK)
        return FAIL("lean run: %s", err.msg);
    size_t rows = (size_t)1 << r.n;
    if ((z->lean = malloc(rows * ZL_NCELL * sizeof *z->lean)) == NULL) {
        zl_run_clear(&r);
        return FAIL("out of memory for the lean cells");
    }
    for (size_t x = 0; x < rows; x++)
        for (unsigned c = 0; c < ZL_NCELL; c++)
            z->lean[x * ZL_NCELL + c] = r.cells[(size_t)c * rows + x];
    /* the run's program, bytecode, RAM and output move into z */
    z->prog = r.prog;
    z->bc = r.bc;
    z->ram = r.ram;
    memcpy(z->init, r.init, sizeof z->init);
    z->w.n = r.n;
    z->w.T = r.T;
    z->w.exit_code = r.exit_code;
    z->w.output = r.output;
    z->w.output_len = r.output_len;
    free(r.cells);
    return 1;
}

int zkt_build(struct zkt *z, const uint8_t *elf, size_t len, const cairn_fp *rows, uint64_t T,
              int strict)
{
    return zkt_build_input(z, elf, len, NULL, 0, rows, T, strict);
}

/* Build the witness of a program (honest run on the input) or of given trace rows. */
int zkt_build_input(struct zkt *z, const uint8_t *elf, size_t len, const uint8_t *input,
                    size_t input_len, const cairn_fp *rows, uint64_t T, int strict)
{
    z->lean = NULL;
    z->input = input;
    z->input_len = input_len;
    cairn_error err;
    cairn_witness_oracle *o = NULL;
    cairn_program_init(&z->prog);
    zk_bytecode_init(&z->bc);
    zk_witness_init(&z->w);
    zk_ram_init(&z->ram);
    if (cairn_elf_load(&z->prog, elf, len, &err) != CAIRN_OK || zk_bytecode_build(&z->bc, &z->prog, &err))
        return FAIL("load: %s", err.msg);
    cairn_rows src;
    cairn_rows_table impl;
    if (rows == NULL) {
        if (cairn_witness_oracle_new_table(&o, &z->prog, NULL, z->input, z->input_len, 1u << 22, 0, &err) != CAIRN_OK)
            return FAIL("oracle: %s", err.msg);
        T = cairn_witness_oracle_cycles(o);
    } else {
        cairn_rows_table_init(&src, &impl, rows, T, CAIRN_WIT_WIDTH, 7);
    }
    const cairn_rows *tr = rows ? &src : cairn_witness_oracle_rows(o);
    uint64_t R;
    if (zk_trace_rows(&R, tr, T, &err) != CAIRN_OK) {
        cairn_witness_oracle_free(o);
        return FAIL("rows: %s", err.msg);
    }
    size_t n = zk_vars_for(R);
    cairn_vm vm;
    if (cairn_vm_init(&vm, &z->prog, NULL, &err) != CAIRN_OK)
        return FAIL("vm: %s", err.msg);
    zk_init_regs(z->init, &z->prog, vm.mem_log2_words);
    CHECK(z->init[2] == vm.regs[2]);
    cairn_status rs = zk_ram_load(&z->ram, &z->prog, vm.mem_log2_words, &err);
    cairn_vm_clear(&vm);
    if (rs != CAIRN_OK)
        return FAIL("ram: %s", err.msg);
    cairn_status st = zk_witness_build(&z->w, tr, T, R, n, &z->bc, z->init, &z->ram, z->input,
                                       z->input_len, strict, &err);
    cairn_witness_oracle_free(o);
    if (st != CAIRN_OK)
        return FAIL("witness: %s", err.msg);
    return 1;
}


static cairn_status lean_check_cells(const struct zkt *z, const cairn_fp *cells, cairn_error *err)
{
    zl_ctx ctx = {z->prog.entry, z->w.exit_code};
    return zl_check(cells, z->w.n, z->w.T, &z->bc, &ctx, z->init, &z->ram, z->w.output,
                    z->w.output_len, err);
}

cairn_status zkt_lean_check(const struct zkt *z, cairn_error *err)
{
    size_t rows = (size_t)1 << z->w.n;
    cairn_fp *cells = malloc(rows * ZL_NCELL * sizeof *cells);
    if (cells == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory");
    cairn_status st = zl_fill(cells, &z->w, &z->bc, err);
    if (st == CAIRN_OK)
        st = lean_check_cells(z, cells, err);
    free(cells);
    return st;
}

cairn_fp *zkt_lean_cells(const struct zkt *z)
{
    size_t rows = (size_t)1 << z->w.n;
    cairn_error err;
    cairn_fp *cells = malloc(rows * ZL_NCELL * sizeof *cells);
    if (cells == NULL) {
        FAIL("out of memory for the lean cells");
        return NULL;
    }
    if (z->lean != NULL) {
        memcpy(cells, z->lean, rows * ZL_NCELL * sizeof *cells);
        return cells;
    }
    if (zl_fill(cells, &z->w, &z->bc, &err) != CAIRN_OK) {
        FAIL("lean fill: %s", err.msg);
        free(cells);
        return NULL;
    }
    return cells;
}

zl_stmt zkt_lean_stmt(const struct zkt *z, const cairn_fp *cells)
{
    zl_stmt s = {z->w.n,  z->w.T,  {z->prog.entry, z->w.exit_code},
                 zl_instructions(cells, z->w.n, z->w.T, &z->bc), z->w.output, z->w.output_len,
                 &z->bc,  &z->ram, &z->prog, z->init, 100, ZL_GRIND_AUTO, ZL_GRIND_AUTO};
    return s;
}

cairn_status zkt_lean_prove_verify(const struct zkt *z, const cairn_fp *cells, const zl_stmt *sp,
                                   const zl_stmt *sv, zl_proof *keep, cairn_error *verr)
{
    zl_stmt s = sp != NULL ? *sp : zkt_lean_stmt(z, cells);
    zl_proof p;
    cairn_transcript tp, tv;
    cairn_error err;
    cairn_transcript_init(&tp, "lean-proof");
    cairn_transcript_init(&tv, "lean-proof");
    zl_proof_init(&p);
    cairn_status st = zl_prove(&p, &tp, &s, cells, 2, verr != NULL ? verr : &err);
    if (st != CAIRN_OK) {
        zl_proof_clear(&p);
        return CAIRN_ERR_INTERNAL;
    }
    st = zl_verify(&tv, sv != NULL ? sv : &s, &p, verr != NULL ? verr : &err);
    if (keep != NULL)
        *keep = p;
    else
        zl_proof_clear(&p);
    return st;
}

void zkt_lean_check_prove(const struct zkt *z, cairn_status *check, cairn_status *proof,
                          cairn_error *err)
{
    cairn_fp *cells = zkt_lean_cells(z);
    *check = *proof = CAIRN_ERR_INTERNAL;
    if (cells == NULL)
        return;
    *check = lean_check_cells(z, cells, err);
    cairn_error perr;
    *proof = zkt_lean_prove_verify(z, cells, NULL, NULL, NULL, &perr);
    if (*check == CAIRN_OK && err != NULL)
        *err = perr;
    free(cells);
}

int zk_find_lie(enum zk_lie lie, uint32_t items, unsigned tries, uint8_t **elf, size_t *len,
                cairn_fp **rows, uint64_t *T)
{
    for (unsigned i = 0; i < tries; i++) {
        *elf = zk_gen_elf(test_rand_u64() & ~UINT64_C(1), items, len);
        if (zk_lying_trace_max(*elf, *len, lie, UINT64_C(1) << 16, rows, T))
            return 1;
        free(*elf);
    }
    *elf = NULL;
    *rows = NULL;
    return 0;
}

/* One name into out at *at, space separated; a name that does not fit ends the list. */
static void items_put(char *out, size_t cap, size_t *at, const char *pre, const char *name)
{
    int n = snprintf(out + *at, cap - *at, "%s%s%s", *at ? " " : "", pre, name);
    if (n > 0 && (size_t)n < cap - *at)
        *at += (size_t)n;
}

void zkt_lean_items(char *out, size_t cap, const struct zkt *z)
{
    size_t at = 0;
    out[0] = 0;
    cairn_fp *cells = zkt_lean_cells(z);
    if (cells == NULL)
        return;
    zl_ctx ctx = {z->prog.entry, z->w.exit_code};
    zl_masks m;
    zl_check_masks(&m, cells, z->w.n, z->w.T, &z->bc, &ctx, z->init, &z->ram, z->w.output,
                   z->w.output_len, NULL);
    for (unsigned i = 0; i < ZL_NCON; i++)
        if (m.con >> i & 1)
            items_put(out, cap, &at, "", zl_con_names[i]);
    for (unsigned u = 0; u < ZL_NLK; u++)
        if (m.lk >> u & 1)
            items_put(out, cap, &at, u < ZL_NUCELL ? "U:" : "",
                      u < ZL_NUCELL ? zl_cell_names[zl_u_cells[u]] : "bytecode");
    for (unsigned s = 0; s < ZL_NMS; s++)
        if (m.mem >> s & 1)
            items_put(out, cap, &at, "", zl_ms_names[s]);
    free(cells);
}
