package org.patchvisor.cli;

import java.util.ArrayList;
import java.util.Arrays;
import org.patchvisor.publish.KlpBuild;
import org.patchvisor.publish.KpatchBuild;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Who makes the module for {@code build}: patchvisor from the author's replacement functions, or a tool that makes it
 * from the fix itself (kpatch-build, or the kernel source's own klp-build).
 */
enum BuildBackend {
    PATCHVISOR("patchvisor"),
    KPATCH_BUILD(KpatchBuild.PROGRAM),
    KLP_BUILD(KlpBuild.PROGRAM);

    private final String label;

    BuildBackend(String label) {
        this.label = label;
    }

    @Override
    public String toString() {
        return label;
    }

    /** Whether the module is made from the fix by another tool rather than from the author's functions. */
    boolean fromFix() {
        return this != PATCHVISOR;
    }

    /** Reads the lower-case label ("kpatch-build" is not a Java name). */
    static final class Converter implements ITypeConverter<BuildBackend> {
        @Override
        public BuildBackend convert(String value) {
            return Arrays.stream(values()).filter(b -> b.label.equals(value)).findFirst().orElseThrow(() ->
                    new TypeConversionException("'" + value + "' is not a backend ("
                            + String.join(", ", new Labels()) + ")"));
        }
    }

    /** The labels, for completion and the man page. */
    static final class Labels extends ArrayList<String> {
        Labels() {
            Arrays.stream(values()).forEach(b -> add(b.label));
        }
    }
}
