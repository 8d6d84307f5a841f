package org.patchvisor.elf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.patchvisor.model.ModuleInfo;

/**
 * Reads what a kernel module file (.ko) says about itself, the way the kernel does before loading it: strip an
 * appended signature, parse the ELF image, read the NUL-separated {@code key=value} strings of {@code .modinfo}.
 * Lets patchvisor check a live patch's name, vermagic and livepatch flag before it ever reaches a kernel.
 */
public final class ModuleFiles {
    static final String THIS_MODULE_SECTION = ".gnu.linkonce.this_module";

    private static final byte[] XZ_MAGIC = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0};
    private static final byte[] ZSTD_MAGIC = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};
    private static final byte[] GZIP_MAGIC = {0x1f, (byte) 0x8b};

    private ModuleFiles() {
    }

    public static ModuleInfo read(Path ko) throws IOException {
        return inspect(ko).info();
    }

    public static ModuleInfo parse(byte[] ko) throws ElfFormatException {
        return inspect(ko).info();
    }

    /** Like {@link #inspect(byte[])}; a format error's message names the file. */
    public static ModuleImage inspect(Path ko) throws IOException {
        byte[] bytes = FileBytes.read(ko);
        try {
            return inspect(bytes);
        } catch (ElfFormatException e) {
            throw new ElfFormatException(ko + ": " + e.getMessage());
        }
    }

    public static ModuleImage inspect(byte[] ko) throws ElfFormatException {
        rejectCompressed(ko);
        Optional<ModuleSignature> signature = ModuleSignature.find(ko);
        int elfLength = signature.map(ModuleSignature::moduleLength).orElse(ko.length);
        ElfFile elf = new ElfHeaderParser(Arrays.copyOf(ko, elfLength)).parse();
        if (elf.type() != ElfFile.ET_REL) {
            throw new ElfFormatException("not a kernel module: ELF type " + elf.type()
                    + " is not ET_REL (a relocatable object)");
        }
        ElfSection section = elf.section(".modinfo")
                .orElseThrow(() -> new ElfFormatException("not a kernel module: no .modinfo section"));
        Map<String, List<String>> modinfo = modinfo(section.contents());
        String name = required(modinfo, "name");
        String vermagic = required(modinfo, "vermagic");
        ModuleInfo info = new ModuleInfo(
                name,
                vermagic,
                first(modinfo, "livepatch").filter("Y"::equals).isPresent(),
                first(modinfo, "license"),
                first(modinfo, "srcversion"),
                depends(first(modinfo, "depends").orElse("")),
                signature.isPresent());
        return new ModuleImage(info, modinfo, signature, elf);
    }

    /** Splits .modinfo into key → values in file order; strings without '=' (padding, junk) are skipped. */
    static Map<String, List<String>> modinfo(byte[] section) {
        Map<String, List<String>> entries = new LinkedHashMap<>();
        int start = 0;
        for (int i = 0; i <= section.length; i++) {
            if (i == section.length || section[i] == 0) {
                if (i > start) {
                    String entry = new String(section, start, i - start, StandardCharsets.UTF_8);
                    int eq = entry.indexOf('=');
                    if (eq > 0) {
                        entries.computeIfAbsent(entry.substring(0, eq), k -> new ArrayList<>())
                                .add(entry.substring(eq + 1));
                    }
                }
                start = i + 1;
            }
        }
        entries.replaceAll((k, v) -> List.copyOf(v));
        return entries;
    }

    private static List<String> depends(String value) {
        return Arrays.stream(value.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    private static Optional<String> first(Map<String, List<String>> modinfo, String key) {
        return modinfo.getOrDefault(key, List.of()).stream().findFirst();
    }

    private static String required(Map<String, List<String>> modinfo, String key) throws ElfFormatException {
        Optional<String> value = first(modinfo, key);
        if (value.isEmpty() || value.get().isBlank()) {
            throw new ElfFormatException("not a kernel module: .modinfo has no " + key + "= entry");
        }
        return value.get();
    }

    private static void rejectCompressed(byte[] ko) throws ElfFormatException {
        String tool = startsWith(ko, XZ_MAGIC) ? "xz" : startsWith(ko, ZSTD_MAGIC) ? "zstd"
                : startsWith(ko, GZIP_MAGIC) ? "gzip" : null;
        if (tool != null) {
            throw new ElfFormatException("compressed kernel module (" + tool
                    + ") is not supported: decompress it first (" + tool + " -d)");
        }
    }

    private static boolean startsWith(byte[] data, byte[] prefix) {
        if (data.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (data[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
