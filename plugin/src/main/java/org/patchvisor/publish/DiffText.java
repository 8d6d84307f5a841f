package org.patchvisor.publish;

import java.io.PrintWriter;

/** The plain-text form of a {@link DiffReport}: one line per finding, a grep-friendly first word. */
public final class DiffText {

    private DiffText() {
    }

    public static void print(DiffReport report, PrintWriter out) {
        for (FunctionDelta d : report.changed()) {
            String renamed = d.preName().equals(d.postName()) ? "" : " (" + d.preName() + " -> " + d.postName() + ")";
            out.println("changed   " + d.file() + " " + d.function() + renamed);
        }
        for (FunctionDelta d : report.added()) {
            out.println("added     " + d.file() + " " + d.function());
        }
        for (FunctionDelta d : report.removed()) {
            out.println("removed   " + d.file() + " " + d.function());
        }
        for (String d : report.addedData()) {
            out.println("new-data  " + d);
        }
        for (String d : report.removedData()) {
            out.println("gone-data " + d);
        }
        for (Uncarriable u : report.uncarriable()) {
            out.println("WARNING   " + u.file() + " " + u.symbol() + ": " + kind(u.kind()) + ": " + u.detail());
        }
        if (!report.hasChanges()) {
            out.println("no function changes");
        }
        out.flush();
    }

    private static String kind(Uncarriable.Kind kind) {
        return switch (kind) {
            case DATA_LAYOUT -> "data layout changed, a live patch cannot carry it";
            case STATIC_DATA -> "static data changed, a live patch cannot carry it";
            case INIT_CODE -> "init code changed, a live patch cannot carry it";
            case NOTRACE -> "function without an ftrace entry changed, a live patch cannot hook it";
            case STATIC_LOCAL -> "changed function no longer refers to its static, whose value would be lost";
            case INTERFACE -> "parameter or export added, a live patch cannot carry it";
        };
    }
}
