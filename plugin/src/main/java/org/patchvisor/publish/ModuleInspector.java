package org.patchvisor.publish;

import java.io.IOException;
import java.nio.file.Path;
import org.patchvisor.model.ModuleInfo;

/**
 * Reads what a module file says about itself. Publishing takes it as a seam so the shared ELF reader
 * ({@code org.patchvisor.elf.ModuleFiles::read}) plugs straight in and tests can hand in a fake.
 */
@FunctionalInterface
public interface ModuleInspector {

    ModuleInfo inspect(Path module) throws IOException;
}
