package org.patchvisor.feed.repo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.patchvisor.model.ModuleInfo;

/**
 * A small inspector that finds the {@code .modinfo} strings ({@code key=value}, NUL-terminated) by scanning the
 * file, without parsing ELF sections. Good enough for publishing from the command line; the section-aware reader
 * ({@code org.patchvisor.elf.ModuleFiles}) replaces it where available.
 */
public final class ModinfoStringsInspector implements ModuleInspector {
    private static final List<String> KEYS = List.of("name", "vermagic", "livepatch", "license", "srcversion", "depends");
    private static final byte[] SIGNATURE_MAGIC = "~Module signature appended~\n".getBytes(StandardCharsets.US_ASCII);

    @Override
    public ModuleInfo inspect(Path module) throws IOException {
        byte[] data = Files.readAllBytes(module);
        Map<String, String> values = new LinkedHashMap<>();
        int start = 0;
        for (int i = 0; i <= data.length; i++) {
            if (i == data.length || data[i] == 0) {
                String text = new String(data, start, i - start, StandardCharsets.ISO_8859_1);
                int equals = text.indexOf('=');
                if (equals > 0 && KEYS.contains(text.substring(0, equals))) {
                    values.putIfAbsent(text.substring(0, equals), text.substring(equals + 1));
                }
                start = i + 1;
            }
        }
        String vermagic = values.get("vermagic");
        if (vermagic == null) {
            throw new IOException(module + " is not a kernel module: no vermagic in .modinfo");
        }
        String name = values.getOrDefault("name", stem(module));
        String depends = values.getOrDefault("depends", "");
        boolean signed = data.length >= SIGNATURE_MAGIC.length && Arrays.equals(
                Arrays.copyOfRange(data, data.length - SIGNATURE_MAGIC.length, data.length), SIGNATURE_MAGIC);
        return new ModuleInfo(name, vermagic, "Y".equals(values.get("livepatch")),
                Optional.ofNullable(values.get("license")), Optional.ofNullable(values.get("srcversion")),
                depends.isEmpty() ? List.of() : List.of(depends.split(",")), signed);
    }

    private static String stem(Path module) {
        String file = module.getFileName().toString();
        return (file.endsWith(".ko") ? file.substring(0, file.length() - 3) : file).replace('-', '_');
    }
}
