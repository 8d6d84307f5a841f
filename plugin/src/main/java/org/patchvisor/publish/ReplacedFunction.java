package org.patchvisor.publish;

/**
 * A kernel function a generated live patch replaces: its name and {@code old_sympos} in the running kernel (0 when
 * the name is unique), the patch's global symbol for the new code, and the unit it was extracted from.
 */
public record ReplacedFunction(String oldName, int sympos, String newSymbol, String unit) {
}
