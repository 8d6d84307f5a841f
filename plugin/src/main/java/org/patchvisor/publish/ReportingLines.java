package org.patchvisor.publish;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Tells a function whose code differs only in the {@code __LINE__} it passes to a kernel reporting call: a fix
 * that adds lines above {@code might_sleep()} shifts the number {@code __might_sleep(__FILE__, __LINE__)} is
 * given, which changes no behaviour a live patch would have to carry. The reporting functions are those of
 * include/linux that take {@code (const char *file, int line, ...)}; in the x86-64 psABI their second argument
 * travels in {@code %esi}, which gcc loads with {@code mov $imm32, %esi} (opcode BE) shortly before the call.
 *
 * <p>Conservative by design: every differing byte must be inside the immediate of such a {@code mov} whose
 * register is the one carrying the line, and the next instruction after it that leaves the straight line must be
 * the {@code call} to a reporting function (relocation R_X86_64_PC32 or R_X86_64_PLT32 to it). Anything else, or
 * code this class cannot decode, keeps the function changed. {@code WARN()}'s line is not in the code at all (it
 * lives in {@code __bug_table}), so WARN needs no rule here.
 */
final class ReportingLines {
    private static final int R_X86_64_PC32 = 2;
    private static final int R_X86_64_PLT32 = 4;
    private static final int MOV_IMM32 = 0xb8;
    private static final int CALL_REL32 = 0xe8;

    /** x86-64 integer argument registers in order (psABI 3.2.3), as register numbers: rdi, rsi, rdx, rcx, r8, r9. */
    private static final int[] ARGUMENT_REGISTERS = {7, 6, 2, 1, 8, 9};

    /**
     * The reporting functions and the zero-based index of their line argument, from include/linux/kernel.h
     * ({@code __might_resched}, {@code __might_sleep}, {@code __cant_sleep}, {@code __cant_migrate},
     * {@code __might_fault}) and include/linux/lockdep.h ({@code lockdep_rcu_suspicious}).
     */
    static final Map<String, Integer> LINE_ARGUMENT = Map.of(
            "__might_resched", 1,
            "__might_sleep", 1,
            "__cant_sleep", 1,
            "__cant_migrate", 1,
            "__might_fault", 1,
            "lockdep_rcu_suspicious", 1);

    private ReportingLines() {
    }

    /**
     * True when {@code pre} and {@code post} (x86-64 code) have the same size and relocations and their masked
     * bytes differ, but only in line numbers passed to reporting calls.
     */
    static boolean onlyLinesDiffer(CodeItem pre, CodeItem post) {
        byte[] a = pre.maskedBytes();
        byte[] b = post.maskedBytes();
        if (a.length != b.length || pre.size() != post.size() || !pre.relocations().equals(post.relocations())) {
            return false;
        }
        Optional<List<X86Instructions.Instruction>> decoded = X86Instructions.decode(a);
        if (decoded.isEmpty() || !decoded.equals(X86Instructions.decode(b))) {
            return false;
        }
        List<X86Instructions.Instruction> code = decoded.get();
        boolean differs = false;
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b[i]) {
                continue;
            }
            differs = true;
            while (!code.get(n).contains(i)) {
                n++;
            }
            if (!isLineLoad(a, code, n, pre.relocations(), i)) {
                return false;
            }
        }
        return differs;
    }

    /** True when instruction {@code n} is {@code mov $imm32, %reg} holding the line, {@code at} in its immediate. */
    private static boolean isLineLoad(byte[] bytes, List<X86Instructions.Instruction> code, int n,
                                      List<SymbolicRelocation> relocations, int at) {
        X86Instructions.Instruction mov = code.get(n);
        int op = bytes[mov.opcodeAt()] & 0xff;
        boolean plainOrRexB = mov.rex() == 0 || mov.rex() == 0x41;
        boolean noLegacyPrefix = mov.opcodeAt() == mov.start() + (mov.rex() == 0 ? 0 : 1);
        boolean imm32 = mov.immediateAt() == mov.opcodeAt() + 1 && mov.length() == mov.immediateAt() + 4 - mov.start();
        if (op < MOV_IMM32 || op > MOV_IMM32 + 7 || !plainOrRexB || !noLegacyPrefix || !imm32
                || at < mov.immediateAt() || at >= mov.immediateAt() + 4) {
            return false;
        }
        int register = (op - MOV_IMM32) + (mov.rex() == 0x41 ? 8 : 0);
        for (int k = n + 1; k < code.size(); k++) {
            X86Instructions.Instruction next = code.get(k);
            if (next.flow() == X86Instructions.Flow.NEXT) {
                continue;
            }
            if (next.flow() != X86Instructions.Flow.CALL || next.length() != 5
                    || (bytes[next.start()] & 0xff) != CALL_REL32) {
                return false;
            }
            Optional<String> callee = relocations.stream()
                    .filter(r -> r.offset() == next.start() + 1)
                    .filter(r -> r.type() == R_X86_64_PLT32 || r.type() == R_X86_64_PC32)
                    .map(SymbolicRelocation::target)
                    .findFirst();
            Integer argument = callee.map(LINE_ARGUMENT::get).orElse(null);
            return argument != null && ARGUMENT_REGISTERS[argument] == register;
        }
        return false;
    }
}
