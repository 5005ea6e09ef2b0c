/*
 * fuzz_elf.c — fuzz target for the ELF loader and, when a file loads, the
 * interpreter on whatever code it contains (untrusted ELF bytes).
 *
 * The input is the ELF; it is also the guest's input, so read(0) returns
 * attacker bytes too.  The VM runs in a small region (4 MiB cap, 4 KiB
 * stack) for at most 20000 cycles.  Properties checked (a violation returns
 * 1, which the libFuzzer entry point turns into abort()):
 *   - the loader returns only OK, PARSE or LIMIT, with a non-empty message
 *     on failure; a loaded program satisfies the documented invariants;
 *   - the VM initialises (or refuses with LIMIT), runs without a host error,
 *     stops within the cycle bound, and keeps x0 == 0; a fault has a message.
 * With -DCAIRN_FUZZ_NO_MAIN (as in the test binary) only cairn_fuzz_elf is
 * defined.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/vm.h"

int cairn_fuzz_elf(const uint8_t *data, size_t len);

#define FUZZ_CYCLES 20000u

static int program_ok(const cairn_program *p)
{
    if (p->nseg == 0 || p->nseg > CAIRN_ELF_MAX_SEGMENTS || p->entry % 4 != 0)
        return 0;
    int entry_ok = 0;
    for (uint32_t i = 0; i < p->nseg; i++) {
        const cairn_segment *s = &p->seg[i];
        if (s->memsz == 0 || s->filesz > s->memsz ||
            (uint64_t)s->vaddr + s->memsz > (UINT64_C(1) << 32) ||
            (uint64_t)s->data_off + s->filesz > p->data_len)
            return 0;
        if (i > 0 && (uint64_t)p->seg[i - 1].vaddr + p->seg[i - 1].memsz > s->vaddr)
            return 0;
        if ((s->flags & CAIRN_SEG_X) && p->entry >= s->vaddr && p->entry - s->vaddr < s->filesz)
            entry_ok = 1;
    }
    return entry_ok;
}

int cairn_fuzz_elf(const uint8_t *data, size_t len)
{
    cairn_program prog;
    cairn_vm vm;
    cairn_error err;
    int bad = 0;
    cairn_error_clear(&err);
    cairn_status st = cairn_elf_load(&prog, data, len, &err);
    if (st != CAIRN_OK) {
        if ((st != CAIRN_ERR_PARSE && st != CAIRN_ERR_LIMIT) || err.msg[0] == '\0')
            bad = 1;
        cairn_program_clear(&prog);
        return bad;
    }
    if (!program_ok(&prog)) {
        cairn_program_clear(&prog);
        return 1;
    }
    cairn_vm_config cfg;
    cairn_vm_config_init(&cfg);
    cfg.max_mem = UINT32_C(4) << 20;
    cfg.stack_size = 4096;
    st = cairn_vm_init(&vm, &prog, &cfg, &err);
    if (st == CAIRN_OK) {
        cairn_vm_set_input(&vm, data, len);
        st = cairn_vm_run(&vm, FUZZ_CYCLES, &err);
        if (st != CAIRN_OK || vm.cycles > FUZZ_CYCLES || vm.regs[0] != 0)
            bad = 1;
        if (vm.halt == CAIRN_VM_FAULTED && (vm.fault.msg[0] == '\0' || vm.fault.kind == CAIRN_FAULT_NONE))
            bad = 1;
        if (vm.halt == CAIRN_VM_RUNNING && vm.cycles != FUZZ_CYCLES)
            bad = 1;
    } else if (st != CAIRN_ERR_LIMIT) {
        bad = 1;
    }
    cairn_vm_clear(&vm);
    cairn_program_clear(&prog);
    return bad;
}

#ifndef CAIRN_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (cairn_fuzz_elf(data, size) != 0)
        abort();
    return 0;
}
#endif
