package org.patchvisor.publish;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Splits x86-64 machine code into instructions, by length only, from the one- and two-byte opcode maps of the
 * Intel SDM (volume 2, appendix A). It knows enough to walk the integer code gcc emits for the kernel, which keeps
 * no data inside a function's section; anything it does not know (VEX/EVEX, 3DNow!, opcodes invalid in 64-bit
 * mode) ends the walk with no answer, so a caller that needs the instructions treats the code as opaque.
 */
final class X86Instructions {

    /** How an instruction affects the straight-line flow that follows it. */
    enum Flow {
        /** Falls through to the next instruction. */
        NEXT,
        /** A call, direct or indirect. */
        CALL,
        /** A jump, return, trap or anything else that may not fall through. */
        TRANSFER
    }

    /**
     * One decoded instruction.
     *
     * @param start       offset of its first byte (prefixes included)
     * @param length      its length in bytes
     * @param opcodeAt    offset of the opcode byte (after legacy and REX prefixes)
     * @param rex         the REX prefix, or 0
     * @param operandSize true when a 0x66 prefix is present
     * @param immediateAt offset of its immediate, or -1
     * @param flow        what it does to the flow
     */
    record Instruction(int start, int length, int opcodeAt, int rex, boolean operandSize, int immediateAt,
                       Flow flow) {
        boolean contains(int offset) {
            return offset >= start && offset < start + length;
        }
    }

    private X86Instructions() {
    }

    /** The instructions of {@code code} in order, or empty when some byte sequence is not one this class knows. */
    static Optional<List<Instruction>> decode(byte[] code) {
        List<Instruction> all = new ArrayList<>();
        int at = 0;
        while (at < code.length) {
            Instruction i = one(code, at);
            if (i == null) {
                return Optional.empty();
            }
            all.add(i);
            at += i.length();
        }
        return Optional.of(all);
    }

    private static Instruction one(byte[] code, int start) {
        int at = start;
        boolean operandSize = false;
        boolean addressSize = false;
        while (at < code.length && isLegacyPrefix(code[at] & 0xff)) {
            operandSize |= (code[at] & 0xff) == 0x66;
            addressSize |= (code[at] & 0xff) == 0x67;
            at++;
            if (at - start > 14) {
                return null;
            }
        }
        int rex = 0;
        if (at < code.length && (code[at] & 0xf0) == 0x40) {
            rex = code[at] & 0xff;
            at++;
        }
        if (at >= code.length) {
            return null;
        }
        int opcodeAt = at;
        int op = code[at++] & 0xff;
        boolean wide = (rex & 0x08) != 0;
        int immz = operandSize && !wide ? 2 : 4;
        Shape shape;
        if (op == 0x0f) {
            if (at >= code.length) {
                return null;
            }
            shape = twoByte(code[at++] & 0xff);
            if (shape == null) {
                return null;
            }
            if (shape.escape != 0) {
                if (at >= code.length) {
                    return null;
                }
                at++; // the third opcode byte of 0F 38 xx / 0F 3A xx
            }
        } else {
            shape = oneByte(op, wide, operandSize, addressSize);
            if (shape == null) {
                return null;
            }
        }
        int reg = -1;
        if (shape.modrm) {
            if (at >= code.length) {
                return null;
            }
            int modrm = code[at++] & 0xff;
            int mod = modrm >> 6;
            int rm = modrm & 7;
            reg = (modrm >> 3) & 7;
            if (mod != 3) {
                if (rm == 4) {
                    if (at >= code.length) {
                        return null;
                    }
                    int sib = code[at++] & 0xff;
                    if (mod == 0 && (sib & 7) == 5) {
                        at += 4;
                    }
                }
                if (mod == 0 && rm == 5) {
                    at += 4;
                } else if (mod == 1) {
                    at += 1;
                } else if (mod == 2) {
                    at += 4;
                }
            }
        }
        int immediate = shape.immediate == IMMZ ? immz : shape.immediate;
        if (op == 0xf6 && reg <= 1) {
            immediate = 1;
        } else if (op == 0xf7 && reg <= 1) {
            immediate = immz;
        }
        int immediateAt = immediate > 0 ? at : -1;
        at += immediate;
        if (at > code.length || at - start > 15) {
            return null;
        }
        Flow flow = shape.flow;
        if (op == 0xff) {
            flow = reg == 2 || reg == 3 ? Flow.CALL : reg == 4 || reg == 5 ? Flow.TRANSFER : Flow.NEXT;
        }
        return new Instruction(start, at - start, opcodeAt, rex, operandSize, immediateAt, flow);
    }

    private static boolean isLegacyPrefix(int b) {
        return b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 || b == 0xf3
                || b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65;
    }

    /** An immediate of 4 bytes, or 2 under an operand-size prefix without REX.W. */
    private static final int IMMZ = -1;

    private record Shape(boolean modrm, int immediate, Flow flow, int escape) {
    }

    private static Shape plain(int immediate) {
        return new Shape(false, immediate, Flow.NEXT, 0);
    }

    private static Shape modrm(int immediate) {
        return new Shape(true, immediate, Flow.NEXT, 0);
    }

    private static Shape transfer(int immediate) {
        return new Shape(false, immediate, Flow.TRANSFER, 0);
    }

    private static Shape oneByte(int op, boolean wide, boolean operandSize, boolean addressSize) {
        if (op < 0x40 && (op & 7) <= 3) {
            return modrm(0);                                  // ALU r/m forms: add, or, adc, sbb, and, sub, xor, cmp
        }
        if (op < 0x40 && (op & 7) == 4) {
            return plain(1);                                  // ALU al, imm8
        }
        if (op < 0x40 && (op & 7) == 5) {
            return plain(IMMZ);                               // ALU eax, imm32
        }
        if (op >= 0x50 && op <= 0x5f) {
            return plain(0);                                  // push/pop reg
        }
        if (op >= 0x70 && op <= 0x7f) {
            return transfer(1);                               // jcc rel8
        }
        if (op >= 0x84 && op <= 0x8f) {
            return modrm(0);                                  // test, xchg, mov, lea, pop r/m
        }
        if (op >= 0x90 && op <= 0x99) {
            return plain(0);                                  // xchg/nop, cwde, cdq
        }
        if (op >= 0xa4 && op <= 0xa7 || op >= 0xaa && op <= 0xaf) {
            return plain(0);                                  // string instructions
        }
        if (op >= 0xb0 && op <= 0xb7) {
            return plain(1);                                  // mov r8, imm8
        }
        if (op >= 0xb8 && op <= 0xbf) {
            return plain(wide ? 8 : operandSize ? 2 : 4);     // mov r, imm32 (imm64 with REX.W)
        }
        if (op >= 0xd8 && op <= 0xdf) {
            return modrm(0);                                  // x87
        }
        if (op >= 0xe0 && op <= 0xe3) {
            return transfer(1);                               // loop, jrcxz
        }
        if (op >= 0xe4 && op <= 0xe7) {
            return plain(1);                                  // in/out imm8
        }
        if (op >= 0xec && op <= 0xef) {
            return plain(0);                                  // in/out dx
        }
        return switch (op) {
            case 0x63 -> modrm(0);                            // movsxd
            case 0x68 -> plain(IMMZ);
            case 0x69 -> modrm(IMMZ);
            case 0x6a -> plain(1);
            case 0x6b -> modrm(1);
            case 0x6c, 0x6d, 0x6e, 0x6f -> plain(0);
            case 0x80, 0x83, 0xc0, 0xc1, 0xc6 -> modrm(1);
            case 0x81, 0xc7 -> modrm(IMMZ);
            case 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xc9, 0xf5, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xd7 -> plain(0);
            case 0xa0, 0xa1, 0xa2, 0xa3 -> plain(addressSize ? 4 : 8); // mov with a full-width address
            case 0xa8 -> plain(1);
            case 0xa9 -> plain(IMMZ);
            case 0xc2, 0xca -> transfer(2);                   // ret imm16
            case 0xc3, 0xcb, 0xcc, 0xcf, 0xf1, 0xf4 -> transfer(0); // ret, int3, iret, int1, hlt
            case 0xc8 -> plain(3);                            // enter imm16, imm8
            case 0xcd -> transfer(1);                         // int imm8
            case 0xd0, 0xd1, 0xd2, 0xd3, 0xf6, 0xf7, 0xfe, 0xff -> modrm(0); // f6/f7/ff refined by reg
            case 0xe8 -> new Shape(false, 4, Flow.CALL, 0);
            case 0xe9 -> transfer(4);
            case 0xeb -> transfer(1);
            default -> null;                                  // VEX/EVEX, invalid in 64-bit mode, or a prefix
        };
    }

    private static Shape twoByte(int op) {
        if (op >= 0x80 && op <= 0x8f) {
            return transfer(4);                               // jcc rel32
        }
        if (op >= 0xc8 && op <= 0xcf) {
            return plain(0);                                  // bswap
        }
        return switch (op) {
            case 0x05, 0x07, 0x0b, 0x34, 0x35 -> transfer(0); // syscall, sysret, ud2, sysenter, sysexit
            case 0x06, 0x08, 0x09, 0x0e, 0x30, 0x31, 0x32, 0x33, 0x37, 0x77, 0xa0, 0xa1, 0xa2, 0xa8, 0xa9, 0xaa ->
                    plain(0);
            case 0x38 -> new Shape(true, 0, Flow.NEXT, 0x38);
            case 0x3a -> new Shape(true, 1, Flow.NEXT, 0x3a);
            case 0x70, 0x71, 0x72, 0x73, 0xa4, 0xac, 0xba, 0xc2, 0xc4, 0xc5, 0xc6 -> modrm(1);
            case 0x04, 0x0a, 0x0c, 0x0f, 0x24, 0x25, 0x26, 0x27, 0x36, 0x39, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f -> null;
            default -> modrm(0);
        };
    }
}
