package org.patchvisor.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a kernel module file says about itself: its {@code .modinfo} strings and whether a module
 * signature is appended. Read from the file alone, before the kernel sees it.
 */
public record ModuleInfo(
        String name,
        String vermagic,
        boolean livepatch,
        Optional<String> license,
        Optional<String> srcversion,
        List<String> depends,
        boolean signed) {

    public ModuleInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(vermagic, "vermagic");
        Objects.requireNonNull(license, "license");
        Objects.requireNonNull(srcversion, "srcversion");
        depends = List.copyOf(depends);
    }

    /** The kernel release this module was built for: the first word of vermagic. */
    public String targetRelease() {
        int space = vermagic.indexOf(' ');
        return space < 0 ? vermagic : vermagic.substring(0, space);
    }
}
