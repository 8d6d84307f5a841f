package org.patchvisor.publish;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code livepatch.json} in a live-patch source directory: the module name (optional; {@code --name} overrides
 * it), a description, whether it atomically replaces earlier patches, and the list of {@link Replacement}s.
 * <pre>
 * {"name": "fix_cmdline", "description": "...", "replace": false,
 *  "replacements": [{"function": "cmdline_proc_show", "object": "vmlinux",
 *                    "replacement": "fixed_cmdline_proc_show", "sympos": 0}],
 *  "symbols": {"some_static_helper": 2}}
 * </pre>
 * {@code symbols} gives the position of an unexported kernel symbol the replacements use whose name the kernel
 * has more than once (see {@link UnexportedSymbols}).
 */
public record LivePatchManifest(Optional<String> name, String description, boolean replace,
                                List<Replacement> replacements, Map<String, Integer> symbols) {
    public static final String FILE = "livepatch.json";
    private static final Pattern MODULE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,54}");
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @JsonCreator
    static LivePatchManifest json(@JsonProperty("name") String name, @JsonProperty("description") String description,
                                  @JsonProperty("replace") Boolean replace,
                                  @JsonProperty(value = "replacements", required = true) List<Replacement> replacements,
                                  @JsonProperty("symbols") Map<String, Integer> symbols) {
        return new LivePatchManifest(Optional.ofNullable(name), description == null ? "" : description,
                replace != null && replace, replacements == null ? List.of() : replacements,
                symbols == null ? Map.of() : symbols);
    }

    /** A manifest without unexported-symbol positions. */
    public LivePatchManifest(Optional<String> name, String description, boolean replace,
                             List<Replacement> replacements) {
        this(name, description, replace, replacements, Map.of());
    }

    public LivePatchManifest {
        name.ifPresent(LivePatchManifest::requireModuleName);
        replacements = List.copyOf(replacements);
        symbols.forEach((symbol, position) -> {
            if (position == null || position < 0) {
                throw new IllegalArgumentException("symbols: position of " + symbol + " must be >= 0");
            }
        });
        symbols = Map.copyOf(symbols);
        if (replacements.isEmpty()) {
            throw new IllegalArgumentException("the manifest lists no replacements");
        }
        Set<String> seen = new HashSet<>();
        for (Replacement r : replacements) {
            if (!seen.add(r.object() + ":" + r.function() + ":" + r.sympos())) {
                throw new IllegalArgumentException("the manifest replaces " + r.object() + ":" + r.function()
                        + " twice");
            }
        }
        if (description.contains("\"") || description.contains("\\") || description.contains("\n")) {
            throw new IllegalArgumentException("description must not contain quotes, backslashes or newlines");
        }
    }

    public static void requireModuleName(String name) {
        if (!MODULE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a module name (letters, digits, _; at most 55)");
        }
    }

    public static LivePatchManifest parse(String json) {
        try {
            return MAPPER.readValue(json, LivePatchManifest.class);
        } catch (MismatchedInputException e) {
            throw new IllegalArgumentException(FILE + ": " + e.getOriginalMessage());
        } catch (com.fasterxml.jackson.databind.exc.ValueInstantiationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalArgumentException(FILE + ": " + cause.getMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException(FILE + ": not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    public static LivePatchManifest read(Path sourceDir) throws IOException {
        Path file = sourceDir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new BuildException(BuildException.Reason.REFUSED, "no " + FILE + " in " + sourceDir);
        }
        try {
            return parse(Files.readString(file));
        } catch (IllegalArgumentException e) {
            throw new BuildException(BuildException.Reason.REFUSED, sourceDir + "/" + e.getMessage());
        }
    }

    /** Normalised names of every replaced function: what a coverage check compares with a build diff. */
    public Set<String> replacedFunctions() {
        Set<String> names = new HashSet<>();
        replacements.forEach(r -> names.add(SymbolNames.normalise(r.function())));
        return names;
    }
}
