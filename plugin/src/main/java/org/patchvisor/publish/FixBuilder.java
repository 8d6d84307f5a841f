package org.patchvisor.publish;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A tool that makes the live patch from the upstream fix itself, building the kernel twice in the prepared source
 * tree (kpatch-build, or the kernel's own klp-build): the alternative to compiling the author's replacement
 * functions. The caller holds the tree for the comparison and the build together; what the tool hands back is
 * checked like any module before it is published ({@link ForeignBuilds}).
 */
public interface FixBuilder {

    /** The tool's name, for messages and as the operation that holds the tree. */
    String program();

    /** What can be refused before the tree is touched: the module name, the tool and its inputs. */
    void preflight(String name) throws BuildException;

    /** What can be refused once the tree is held, before hours of building: by default nothing. */
    default void checkTree(KernelSourceTree tree, KernelSource source) throws IOException {
    }

    /** Builds module {@code name} from {@code fix} in {@code tree}, which the caller holds; copies it to out. */
    Path build(KernelSourceTree tree, FixPatch fix, KernelSource source, String name, boolean replace, Path out)
            throws IOException;
}
