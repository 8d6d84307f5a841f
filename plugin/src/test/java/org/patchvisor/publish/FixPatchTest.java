package org.patchvisor.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class FixPatchTest {
    private static final Path FILE = Path.of("fix.patch");

    @Test
    void diffUAndGitDiffNameTheSameFiles() throws Exception {
        String diffU = """
                --- a/fs/proc/version.c\t2025-11-16 10:17:00.000000000 +0000
                +++ b/fs/proc/version.c\t2025-11-25 03:00:00.000000000 +0000
                @@ -1 +1 @@
                -old
                +new
                """;
        String git = """
                diff --git a/fs/proc/version.c b/fs/proc/version.c
                index 1111111..2222222 100644
                --- a/fs/proc/version.c
                +++ b/fs/proc/version.c
                @@ -1 +1 @@
                -old
                +new
                """;
        for (String text : List.of(diffU, git)) {
            FixPatch fix = FixPatch.parse(FILE, text);
            assertEquals(List.of(new FixPatch.Touched("fs/proc/version.c", true, true)), fix.touched());
            assertEquals("fs/proc/version.o", fix.units().get(0).object());
        }
    }

    @Test
    void headersAndNewAndDeletedFilesAreSorted() throws Exception {
        FixPatch fix = FixPatch.parse(FILE, """
                --- a/include/linux/x.h
                +++ b/include/linux/x.h
                @@ -1 +1 @@
                -a
                +b
                --- /dev/null
                +++ b/lib/new.c
                @@ -0,0 +1 @@
                +int f(void) { return 1; }
                --- a/lib/gone.c
                +++ /dev/null
                @@ -1 +0,0 @@
                -int g(void) { return 1; }
                """);
        assertEquals(List.of(new FixPatch.Touched("lib/new.c", false, true),
                new FixPatch.Touched("lib/gone.c", true, false)), fix.units());
        assertEquals(List.of(new FixPatch.Touched("include/linux/x.h", true, true)), fix.others());
    }

    @Test
    void hunkLinesThatLookLikeHeadersAreNotFiles() throws Exception {
        // A removed line "-- x" shows as "--- x" inside a hunk; without a +++ line right after it names no file.
        FixPatch fix = FixPatch.parse(FILE, """
                --- a/lib/a.c
                +++ b/lib/a.c
                @@ -1,2 +1,1 @@
                --- a comment line
                 keep
                """);
        assertEquals(1, fix.touched().size());
    }

    @Test
    void pathsOutsideTheTreeAreRefused() {
        for (String path : List.of("a/../etc/passwd", "a//x.c", "x.c", "a/./x.c")) {
            BuildException e = assertThrows(BuildException.class, () -> FixPatch.parse(FILE,
                    "--- " + path + "\n+++ " + path + "\n@@ -1 +1 @@\n-a\n+b\n"));
            assertEquals(BuildException.Reason.REFUSED, e.reason());
            assertTrue(e.getMessage().contains(path), e.getMessage());
        }
    }

    @Test
    void somethingElseIsNotAFix() {
        BuildException e = assertThrows(BuildException.class, () -> FixPatch.parse(FILE, "just some text\n"));
        assertTrue(e.getMessage().contains("not a unified diff"), e.getMessage());
    }
}
