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
}
