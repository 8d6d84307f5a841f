package org.patchvisor.cli;

import java.util.ArrayList;
import java.util.Arrays;
import org.patchvisor.build.KpatchBuild;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Who makes the module for {@code build}: patchvisor from the author's replacement functions, or kpatch-build. */
enum BuildBackend {
    PATCHVISOR("patchvisor"),
    KPATCH_BUILD(KpatchBuild.PROGRAM);

    private final String label;

    BuildBackend(String label) {
        this.label = label;
    }

    @Override
    public String toString() {
        return label;
    }

    /** Reads the lower-case label ("kpatch-build" is not a Java name). */
    static final class Converter implements ITypeConverter<BuildBackend> {
        @Override
        public BuildBackend convert(String value) {
            return Arrays.stream(values()).filter(b -> b.label.equals(value)).findFirst().orElseThrow(() ->
                    new TypeConversionException("'" + value + "' is not a backend (patchvisor, kpatch-build)"));
        }
    }

    /** The labels, for completion and the man page. */
    static final class Labels extends ArrayList<String> {
        Labels() {
            Arrays.stream(values()).forEach(b -> add(b.label));
        }
    }
}
