package org.patchvisor.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class X86InstructionsTest {
    private static List<X86Instructions.Instruction> decode(String hex) {
        return X86Instructions.decode(HexFormat.of().parseHex(hex.replace(" ", ""))).orElseThrow();
    }

    @Test
    void splitsTheStartOfAKernelFunction() {
        // endbr64; call __fentry__; push %rbx; mov $0x8,%esi; mov %edi,%ebx; mov $0,%rdi; call; nopw; ret
        List<X86Instructions.Instruction> code = decode("f30f1efa e800000000 53 be08000000 89fb 48c7c700000000"
                + " e800000000 660f1f440000 c3");
        assertEquals(List.of(0, 4, 9, 10, 15, 17, 24, 29, 35),
                code.stream().map(X86Instructions.Instruction::start).toList());
        assertEquals(X86Instructions.Flow.CALL, code.get(1).flow());
        assertEquals(11, code.get(3).immediateAt());
        assertEquals(X86Instructions.Flow.TRANSFER, code.get(8).flow());
    }

    @Test
    void knowsImmediatesThatDependOnTheOpcodeExtension() {
        // test $0x1,%al via f6 /0 ib; not via f6 /2 (no immediate); movabs $imm64,%rax; mov 0x0(%rip),%eax
        assertEquals(List.of(3, 2, 10, 6), decode("f6c001 f6d0 48b80000000000000000 8b0500000000").stream()
                .map(X86Instructions.Instruction::length).toList());
        assertEquals(X86Instructions.Flow.CALL, decode("ffd0").get(0).flow());
        assertEquals(X86Instructions.Flow.TRANSFER, decode("ffe0").get(0).flow());
    }

    @Test
    void givesUpOnWhatItDoesNotKnow() {
        assertTrue(X86Instructions.decode(HexFormat.of().parseHex("c5f877")).isEmpty(), "VEX vzeroupper");
        assertTrue(X86Instructions.decode(HexFormat.of().parseHex("be0800")).isEmpty(), "cut short");
    }
}
