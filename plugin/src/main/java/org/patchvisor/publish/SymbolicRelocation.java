package org.patchvisor.publish;

/**
 * A relocation described by what it refers to rather than where: its offset inside the function or object, its
 * type, the normalised target (a symbol name, or {@code "str:..."} for a literal in a merged string section) and
 * the addend relative to that target. Addresses of the target never enter the comparison.
 */
public record SymbolicRelocation(long offset, int type, String target, long addend) {
}
