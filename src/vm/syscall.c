/*
 * syscall.c — the guest's system calls (ecall), a subset of the Linux
 * RISC-V ABI: a7 = number, a0..a2 = arguments, result in a0.
 *
 *   93 exit, 94 exit_group   stop; exit_code = a0
 *   64 write(fd, buf, len)   fd 1 (public output) or 2 (diagnostics); a0 = len
 *   63 read(fd, buf, len)    fd 0 only; copies min(len, remaining input); a0 = count
 *
 * Anything else faults: another number (CAIRN_FAULT_SYSCALL), another fd or
 * a buffer not wholly inside memory, or a read buffer overlapping the
 * executable range (CAIRN_FAULT_SYSCALL_ARG).  Linux would return -EBADF or
 * -EFAULT instead; a zkVM guest that does this has a bug, and a fault says so.
 */
#include <stdio.h>

#include "vm_internal.h"

enum { SYS_READ = 63, SYS_WRITE = 64, SYS_EXIT = 93, SYS_EXIT_GROUP = 94 };
enum { REG_A0 = 10, REG_A1 = 11, REG_A2 = 12, REG_A7 = 17 };

/* Is [addr, addr + len) inside the region?  Sets *off. */
static int buf_ok(const cairn_vm *vm, uint32_t addr, uint32_t len, uint32_t *off)
{
    uint32_t o = addr - vm->mem_base;
    if ((uint64_t)o + len > vm->mem_size)
        return 0;
    *off = o;
    return 1;
}

enum vm_sys_result vm_syscall(cairn_vm *vm, uint32_t *x, uint32_t pc, const struct vm_hooks *h,
                              cairn_error *err)
{
    uint32_t num = x[REG_A7], a0 = x[REG_A0], buf = x[REG_A1], len = x[REG_A2], off = 0;

    switch (num) {
    case SYS_EXIT:
    case SYS_EXIT_GROUP:
        vm->halt = CAIRN_VM_EXITED;
        vm->exit_code = a0;
        return VM_SYS_EXIT;
    case SYS_WRITE:
        if (a0 != 1 && a0 != 2) {
            char d[96];
            snprintf(d, sizeof d, "write to fd %u (only fd 1, output, and fd 2, diagnostics)",
                     (unsigned)a0);
            vm_fault(vm, CAIRN_FAULT_SYSCALL_ARG, pc, a0, d);
            return VM_SYS_FAULT;
        }
        vm->io_calls++;
        if (len == 0) {
            x[REG_A0] = 0;
            return VM_SYS_CONTINUE;
        }
        if (!buf_ok(vm, buf, len, &off)) {
            char d[96];
            snprintf(d, sizeof d, "write buffer 0x%08x+0x%x outside memory", (unsigned)buf,
                     (unsigned)len);
            vm_fault(vm, CAIRN_FAULT_SYSCALL_ARG, pc, buf, d);
            return VM_SYS_FAULT;
        }
        if (vm->cfg.write != NULL && vm->cfg.write(vm->cfg.write_ctx, (int)a0, vm->mem + off, len) != 0) {
            cairn_error_set(err, CAIRN_ERR_IO, "writing %u bytes of guest output (fd %u) failed",
                            (unsigned)len, (unsigned)a0);
            return VM_SYS_HOST_ERROR;
        }
        if (h != NULL && h->touched != NULL)
            vm_touch_range(h->touched, off, len);
        if (a0 == 1)
            vm->output_len += len;
        else
            vm->diag_len += len;
        x[REG_A0] = len;
        return VM_SYS_CONTINUE;
    case SYS_READ: {
        if (a0 != 0) {
            char d[96];
            snprintf(d, sizeof d, "read from fd %u (only fd 0, the input)", (unsigned)a0);
            vm_fault(vm, CAIRN_FAULT_SYSCALL_ARG, pc, a0, d);
            return VM_SYS_FAULT;
        }
        vm->io_calls++;
        uint64_t avail = vm->input_pos < vm->input_len ? vm->input_len - vm->input_pos : 0;
        uint32_t n = avail < len ? (uint32_t)avail : len;
        if (n == 0) {
            x[REG_A0] = 0;
            return VM_SYS_CONTINUE;
        }
        /* the destination must be writable memory: inside, and not text */
        if (!buf_ok(vm, buf, n, &off) ||
            ((uint64_t)off < (uint64_t)(vm->text_base - vm->mem_base) + vm->text_size &&
             (uint64_t)off + n > vm->text_base - vm->mem_base)) {
            char d[96];
            snprintf(d, sizeof d, "read buffer 0x%08x+0x%x outside writable memory",
                     (unsigned)buf, (unsigned)n);
            vm_fault(vm, CAIRN_FAULT_SYSCALL_ARG, pc, buf, d);
            return VM_SYS_FAULT;
        }
        memcpy(vm->mem + off, vm->input + vm->input_pos, n);
        if (h != NULL && h->touched != NULL)
            vm_touch_range(h->touched, off, n);
        vm->input_pos += n;
        x[REG_A0] = n;
        return VM_SYS_CONTINUE;
    }
    default:
        vm_fault(vm, CAIRN_FAULT_SYSCALL, pc, num, NULL);
        return VM_SYS_FAULT;
    }
}
