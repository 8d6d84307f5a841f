package org.patchvisor.publish;

/**
 * One function that differs between the two builds.
 *
 * @param file     the object file, relative to the compared directory (or its file name)
 * @param function the normalised name: what a live-patch manifest names
 * @param preName  the symbol in the build without the fix; empty when added
 * @param postName the symbol in the build with the fix; empty when removed
 */
public record FunctionDelta(String file, String function, String preName, String postName, boolean local) {

    /**
     * True for a {@code .cold} part ({@code foo.cold}): code gcc split off {@code foo} and reaches only by jumps
     * from it. It has no ftrace entry and is never hooked itself; it travels with its {@link #parent()}. Not a
     * record component, so the {@code diff --json} output keeps its fields.
     */
    public boolean cold() {
        return SymbolNames.isCold(function);
    }

    /** The function a live patch hooks to carry this change: {@link #function()}, or for a cold part its parent. */
    public String parent() {
        return SymbolNames.parentOf(function);
    }
}
