/**
 * The small I/O rules the whole tool shares, with no knowledge of kernels or feeds: which files may be read and how
 * much of them ({@link org.patchvisor.io.RegularFiles}), crash-safe replacement ({@link org.patchvisor.io.AtomicFiles}),
 * content hashes, and the process-runner seam that commands and adapters receive instead of starting processes
 * themselves.
 */
package org.patchvisor.io;
