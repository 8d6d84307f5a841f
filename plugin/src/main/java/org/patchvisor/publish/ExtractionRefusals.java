package org.patchvisor.publish;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** What a live patch cannot carry from one unit: one line each, naming the unit, in the order found. */
final class ExtractionRefusals {
    private final String unit;
    private final Set<String> lines = new LinkedHashSet<>();

    ExtractionRefusals(String unit) {
        this.unit = unit;
    }

    /** Refuses, for {@code why}. */
    void add(String why) {
        lines.add(unit + ": " + why);
    }

    /** Carried code refers to {@code what} in init {@code section}: it ran once and is gone. */
    void initGone(String what, String section) {
        add("carried code refers to " + what + " in " + section + ", init code or data that is gone once the "
                + "kernel has booted");
    }

    /** Lines that already name what they are about (the kernel's symbols). */
    void addAll(List<String> named) {
        lines.addAll(named);
    }

    List<String> list() {
        return List.copyOf(lines);
    }
}
