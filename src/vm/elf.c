/*
 * elf.c — the ELF loader: untrusted bytes in, a validated cairn_program out.
 *
 * Follows the System V ABI (ELF32 header and program headers) and the
 * RISC-V ELF psABI (EM_RISCV = 243, e_flags: EF_RISCV_RVC = 0x1, float ABI
 * in bits 1-2, RVE = 0x8).  Only PT_LOAD segments are used; PT_INTERP and
 * PT_DYNAMIC are rejected (the program must be static); all other types
 * (PT_RISCV_ATTRIBUTES, PT_NOTE, PT_TLS, PT_GNU_STACK, PT_PHDR...) are
 * ignored.  Section headers are not read.
 *
 * Every field is read with explicit little-endian loads after a bounds
 * check; every sum of a 32-bit offset and size is computed in 64 bits.
 * Each rejection names the field and where it is (program header index,
 * file offset) and, where the cause is a build option, how to rebuild.
 */
#include <stdlib.h>
#include <string.h>

#include "vm_internal.h"

#define EHDR_SIZE 52u
#define PHDR_SIZE 32u
#define EM_RISCV 243u
#define ET_EXEC 2u
#define ET_DYN 3u
#define PT_LOAD 1u
#define PT_DYNAMIC 2u
#define PT_INTERP 3u
#define EF_RISCV_RVC 0x1u
#define EF_RISCV_FLOAT_ABI 0x6u
#define EF_RISCV_RVE 0x8u

#define REBUILD "rebuild with -march=rv32i (or rv32im) -mabi=ilp32"

static uint32_t rd16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t rd32(const uint8_t *p) { return vm_ld32(p); }

void cairn_program_init(cairn_program *prog) { memset(prog, 0, sizeof *prog); }

void cairn_program_clear(cairn_program *prog)
{
    if (prog == NULL)
        return;
    free(prog->data);
    memset(prog, 0, sizeof *prog);
}

/* Check the 52-byte ELF header; on success fill entry, phoff, phnum. */
static cairn_status check_header(const uint8_t *b, size_t len, uint32_t *entry, uint32_t *phoff,
                                 uint32_t *phnum, cairn_error *err)
{
    if (len < 4 || memcmp(b, "\x7f" "ELF", 4) != 0)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "not an ELF file (bad magic at offset 0)");
    if (len < EHDR_SIZE)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "ELF header truncated: file is %zu bytes, the header needs %u", len,
                               EHDR_SIZE);
    if (b[4] == 2)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "ELF class 2 (64-bit) at offset 4: only 32-bit RISC-V executables "
                               "are supported; " REBUILD);
    if (b[4] != 1)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "ELF class %u at offset 4: expected 1 (32-bit)",
                               b[4]);
    if (b[5] != 1)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "ELF data encoding %u at offset 5: expected 1 (little-endian)", b[5]);
    if (b[6] != 1)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "ELF ident version %u at offset 6: expected 1",
                               b[6]);
    uint32_t type = rd16(b + 16), machine = rd16(b + 18), version = rd32(b + 20);
    uint32_t flags = rd32(b + 36), ehsize = rd16(b + 40), phentsize = rd16(b + 42);
    if (type == ET_DYN)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "ELF type 3 (ET_DYN, shared object or PIE) at offset 16: expected a "
                               "static executable (ET_EXEC); link with -static -no-pie");
    if (type != ET_EXEC)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "ELF type %u at offset 16: expected 2 (ET_EXEC, an executable)", type);
    if (machine != EM_RISCV)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "ELF machine %u at offset 18: expected 243 (RISC-V)", machine);
    if (version != 1)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "ELF version %u at offset 20: expected 1",
                               version);
    if (flags & EF_RISCV_RVC)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "ELF flags 0x%x at offset 36: compiled with compressed instructions "
                               "(RVC), which cairn does not execute; " REBUILD,
                               flags);
    if (flags & EF_RISCV_FLOAT_ABI)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "ELF flags 0x%x at offset 36: hardware floating-point ABI (ilp32f or "
                               "ilp32d); " REBUILD,
                               flags);
    if (flags & EF_RISCV_RVE)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "ELF flags 0x%x at offset 36: RV32E (16 registers) ABI; " REBUILD,
                               flags);
    if (ehsize != EHDR_SIZE)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "ELF header size %u at offset 40: expected %u",
                               ehsize, EHDR_SIZE);
    *entry = rd32(b + 24);
    *phoff = rd32(b + 28);
    *phnum = rd16(b + 44);
    if (*phnum == 0)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "ELF has no program headers (e_phnum 0 at offset 44)");
    if (*phnum == 0xffff || *phnum > CAIRN_ELF_MAX_PHNUM)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "ELF e_phnum %u at offset 44: more than %u program headers", *phnum,
                               CAIRN_ELF_MAX_PHNUM);
    if (phentsize != PHDR_SIZE)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "ELF program header size %u at offset 42: expected %u", phentsize,
                               PHDR_SIZE);
    if ((uint64_t)*phoff + (uint64_t)*phnum * PHDR_SIZE > len)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "ELF program header table 0x%x+0x%x beyond end of file (0x%zx)",
                               *phoff, *phnum * PHDR_SIZE, len);
    if (*phoff % 4 != 0)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "ELF program header table offset 0x%x not 4-byte aligned", *phoff);
    return CAIRN_OK;
}

static int seg_cmp(const void *a, const void *b)
{
    const cairn_segment *x = a, *y = b;
    return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

/*
 * Validate each program header, keep the PT_LOAD ones with memsz > 0, then
 * check the set as a whole (disjoint, an executable one, the entry inside
 * one) and copy the file bytes.  Segment indices in messages are program
 * header indices, as `readelf -l` counts them.
 */
cairn_status cairn_elf_load(cairn_program *out, const uint8_t *b, size_t len, cairn_error *err)
{
    uint32_t entry = 0, phoff = 0, phnum = 0;
    cairn_status st;
    if (out == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "cairn_elf_load: out is NULL");
    cairn_program_init(out);
    if (b == NULL && len != 0)
        return cairn_error_set(err, CAIRN_ERR_ARG, "cairn_elf_load: bytes is NULL");
    if (len > CAIRN_ELF_MAX_FILE)
        return cairn_error_set(err, CAIRN_ERR_LIMIT, "ELF file of %zu bytes exceeds the limit of %zu",
                               len, CAIRN_ELF_MAX_FILE);
    st = check_header(b, len, &entry, &phoff, &phnum, err);
    if (st != CAIRN_OK)
        return st;

    cairn_segment seg[CAIRN_ELF_MAX_SEGMENTS];
    uint32_t nseg = 0;
    uint64_t total = 0;
    for (uint32_t i = 0; i < phnum; i++) {
        const uint8_t *p = b + phoff + (size_t)i * PHDR_SIZE;
        uint32_t type = rd32(p), off = rd32(p + 4), vaddr = rd32(p + 8), filesz = rd32(p + 16);
        uint32_t memsz = rd32(p + 20), flags = rd32(p + 24), align = rd32(p + 28);
        if (type == PT_INTERP || type == PT_DYNAMIC)
            return cairn_error_set(err, CAIRN_ERR_PARSE,
                                   "ELF segment %u: %s: the program is dynamically linked; link "
                                   "with -static",
                                   i, type == PT_INTERP ? "PT_INTERP" : "PT_DYNAMIC");
        if (type != PT_LOAD)
            continue;
        if ((uint64_t)off + filesz > len)
            return cairn_error_set(err, CAIRN_ERR_PARSE,
                                   "ELF segment %u: file range 0x%x+0x%x beyond end of file (0x%zx)",
                                   i, off, filesz, len);
        if (memsz < filesz)
            return cairn_error_set(err, CAIRN_ERR_PARSE,
                                   "ELF segment %u: p_memsz 0x%x smaller than p_filesz 0x%x", i,
                                   memsz, filesz);
        if ((uint64_t)vaddr + memsz > (UINT64_C(1) << 32))
            return cairn_error_set(err, CAIRN_ERR_PARSE,
                                   "ELF segment %u: address range 0x%x+0x%x wraps past 2^32", i,
                                   vaddr, memsz);
        if (align > 1 && (align & (align - 1)) != 0)
            return cairn_error_set(err, CAIRN_ERR_PARSE,
                                   "ELF segment %u: p_align 0x%x is not a power of two", i, align);
        if (align > 1 && (vaddr - off) % align != 0)
            return cairn_error_set(err, CAIRN_ERR_PARSE,
                                   "ELF segment %u: p_vaddr 0x%x and p_offset 0x%x differ modulo "
                                   "p_align 0x%x",
                                   i, vaddr, off, align);
        if ((flags & CAIRN_SEG_X) && vaddr % 4 != 0)
            return cairn_error_set(err, CAIRN_ERR_PARSE,
                                   "ELF segment %u: executable segment at 0x%x not 4-byte aligned",
                                   i, vaddr);
        if (memsz == 0)
            continue;
        if (nseg == CAIRN_ELF_MAX_SEGMENTS)
            return cairn_error_set(err, CAIRN_ERR_PARSE,
                                   "ELF segment %u: more than %u non-empty PT_LOAD segments", i,
                                   CAIRN_ELF_MAX_SEGMENTS);
        seg[nseg].vaddr = vaddr;
        seg[nseg].memsz = memsz;
        seg[nseg].filesz = filesz;
        seg[nseg].flags = flags & (CAIRN_SEG_R | CAIRN_SEG_W | CAIRN_SEG_X);
        seg[nseg].data_off = off; /* file offset for now */
        seg[nseg].phdr = i;
        total += filesz;
        nseg++;
    }
    if (nseg == 0)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "ELF has no non-empty PT_LOAD segment");
    qsort(seg, nseg, sizeof seg[0], seg_cmp);

    int have_x = 0, entry_ok = 0;
    for (uint32_t i = 0; i < nseg; i++) {
        const cairn_segment *s = &seg[i];
        if (i > 0 && (uint64_t)seg[i - 1].vaddr + seg[i - 1].memsz > s->vaddr)
            return cairn_error_set(err, CAIRN_ERR_PARSE,
                                   "ELF segments %u and %u overlap: [0x%x, 0x%llx) and [0x%x, "
                                   "0x%llx)",
                                   seg[i - 1].phdr, s->phdr, seg[i - 1].vaddr,
                                   (unsigned long long)seg[i - 1].vaddr + seg[i - 1].memsz, s->vaddr,
                                   (unsigned long long)s->vaddr + s->memsz);
        if (s->flags & CAIRN_SEG_X) {
            have_x = 1;
            if (entry >= s->vaddr && (uint64_t)entry < (uint64_t)s->vaddr + s->filesz)
                entry_ok = 1;
        }
    }
    if (!have_x)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "ELF has no executable PT_LOAD segment (no PF_X flag)");
    if (!entry_ok)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "ELF entry point 0x%x (offset 24) is not inside an executable "
                               "segment's file bytes",
                               entry);
    if (entry % 4 != 0)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "ELF entry point 0x%x (offset 24) not 4-byte aligned; " REBUILD,
                               entry);
    /* the span must fit a region; cairn_vm_init applies the configured limit */
    uint64_t span = (uint64_t)seg[nseg - 1].vaddr + seg[nseg - 1].memsz - seg[0].vaddr;
    if (span > CAIRN_VM_MAX_MEM)
        return cairn_error_set(err, CAIRN_ERR_LIMIT,
                               "ELF segments span 0x%llx bytes (0x%x to 0x%llx), more than the "
                               "limit of 0x%x",
                               (unsigned long long)span, seg[0].vaddr,
                               (unsigned long long)seg[0].vaddr + span, CAIRN_VM_MAX_MEM);

    out->data = malloc(total > 0 ? (size_t)total : 1);
    if (out->data == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "cannot allocate %llu bytes for the ELF image",
                               (unsigned long long)total);
    size_t pos = 0;
    for (uint32_t i = 0; i < nseg; i++) {
        memcpy(out->data + pos, b + seg[i].data_off, seg[i].filesz);
        seg[i].data_off = (uint32_t)pos;
        pos += seg[i].filesz;
        out->seg[i] = seg[i];
    }
    out->data_len = pos;
    out->nseg = nseg;
    out->entry = entry;
    return CAIRN_OK;
}
