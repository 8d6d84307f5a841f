package org.patchvisor.elf;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.patchvisor.model.ModuleInfo;

/**
 * Everything read from one kernel module file: the summary {@link ModuleInfo}, every {@code .modinfo} entry
 * (keys such as alias repeat, so each maps to a list), the appended signature if any, and the ELF image
 * without the signature.
 */
public record ModuleImage(ModuleInfo info, Map<String, List<String>> modinfo, Optional<ModuleSignature> signature,
                          ElfFile elf) {

    public ModuleImage {
        Objects.requireNonNull(info, "info");
        Objects.requireNonNull(signature, "signature");
        Objects.requireNonNull(elf, "elf");
        modinfo = Map.copyOf(modinfo);
    }

    /** The first value of a {@code .modinfo} key. */
    public Optional<String> first(String key) {
        return modinfo.getOrDefault(key, List.of()).stream().findFirst();
    }

    /**
     * True when the image has the {@code struct module} section the kernel needs to load it; modpost adds it
     * to every real module, so its absence means a bare object file renamed to .ko.
     */
    public boolean hasThisModuleSection() {
        return elf.section(ModuleFiles.THIS_MODULE_SECTION).isPresent();
    }
}
