package org.patchvisor.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.patchvisor.elf.ElfNotes;
import org.patchvisor.model.Blocker;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.LivePatch;

/**
 * The kernel this JVM runs on, seen through sysfs and procfs under {@code root} (normally "/") and changed
 * through the module syscalls. Holds no policy: {@link PatchEngine} decides what to do with it.
 */
public final class LocalKernel implements KernelPort {
    private static final String LIVEPATCH = "sys/kernel/livepatch";

    private final Path root;
    private final Supplier<ModuleSyscalls> syscalls;

    /** The syscalls come from a supplier: reading state should not pay for loading libc through JNA. */
    public LocalKernel(Path root, Supplier<ModuleSyscalls> syscalls) {
        this.root = root;
        this.syscalls = syscalls;
    }

    @Override
    public KernelId identify() throws IOException {
        String release = read("proc/sys/kernel/osrelease");
        String version = read("proc/sys/kernel/version");
        Optional<String> buildId = Optional.empty();
        Path notes = root.resolve("sys/kernel/notes");
        if (Files.isReadable(notes)) {
            buildId = ElfNotes.gnuBuildId(KernelFiles.readBytes(notes), ByteOrder.nativeOrder());
        }
        return new KernelId(release, version, machine(), buildId);
    }

    @Override
    public Optional<String> moduleBuildId(String moduleName) throws IOException {
        if (!moduleName.matches("[A-Za-z0-9_-]{1,64}")) {
            return Optional.empty();
        }
        Path note = root.resolve("sys/module").resolve(moduleName).resolve("notes/.note.gnu.build-id");
        if (!Files.isReadable(note)) {
            return Optional.empty();
        }
        return ElfNotes.gnuBuildId(KernelFiles.readBytes(note), ByteOrder.nativeOrder());
    }

    /** uname -m, from the JVM's architecture name (the JVM runs natively, so they agree). */
    static String machine() {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64" -> "x86_64";
            case "arm64" -> "aarch64";
            default -> arch;
        };
    }

    @Override
    public KernelSupport support() throws IOException {
        return KernelFacts.read(new KernelFacts.Source() {
            @Override
            public boolean isDirectory(String path) {
                return Files.isDirectory(root.resolve(path.substring(1)));
            }

            @Override
            public Optional<String> firstLine(String path) throws IOException {
                return readOptional(path.substring(1)).map(text -> text.lines().findFirst().orElse("").strip());
            }
        });
    }

    @Override
    public List<LivePatch> patches() throws IOException {
        Path dir = root.resolve(LIVEPATCH);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<String> loadOrder = moduleLoadOrder();
        List<LivePatch> patches = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                readPatch(entry).ifPresent(patches::add);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        patches.sort(Comparator.comparingInt((LivePatch p) -> {
            int index = loadOrder.indexOf(p.name());
            return index < 0 ? Integer.MAX_VALUE : index;
        }).thenComparing(LivePatch::name));
        return patches;
    }

    @Override
    public Optional<LivePatch> patch(String name) throws IOException {
        return readPatch(root.resolve(LIVEPATCH).resolve(name));
    }

    /** A patch directory may vanish between listing and reading (it is freed asynchronously): that is "absent". */
    private Optional<LivePatch> readPatch(Path dir) throws IOException {
        try {
            return Optional.of(LivePatchSysfs.patch(dir.getFileName().toString(),
                    KernelFiles.read(dir.resolve("enabled")), KernelFiles.read(dir.resolve("transition")),
                    functions(dir)));
        } catch (DirectoryIteratorException e) {
            if (gone(e.getCause())) {
                return Optional.empty();
            }
            throw e.getCause();
        } catch (IOException e) {
            if (gone(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * A sysfs or procfs entry being torn down answers ENOENT, or ENODEV while the kernel still lists it:
     * either way the patch (or task) is gone.
     */
    static boolean gone(IOException e) {
        if (e instanceof NoSuchFileException) {
            return true;
        }
        // open() failing is a FileSystemException with the reason; read() failing is a plain IOException.
        String reason = e instanceof FileSystemException f ? f.getReason() : e.getMessage();
        return "No such device".equals(reason) || "No such process".equals(reason);
    }

    /** Object directories (vmlinux or a module name) hold one directory per function, named "func,sympos". */
    private static Map<String, List<String>> functions(Path patchDir) throws IOException {
        Map<String, List<String>> byObject = new LinkedHashMap<>();
        try (DirectoryStream<Path> objects = Files.newDirectoryStream(patchDir, Files::isDirectory)) {
            for (Path object : objects) {
                List<String> functions = new ArrayList<>();
                try (DirectoryStream<Path> funcs = Files.newDirectoryStream(object, Files::isDirectory)) {
                    for (Path func : funcs) {
                        functions.add(func.getFileName().toString());
                    }
                }
                functions.sort(null);
                byObject.put(object.getFileName().toString(), functions);
            }
        }
        return byObject;
    }

    /** /proc/modules lists the newest module first; reversed, it is the load order. */
    private List<String> moduleLoadOrder() throws IOException {
        List<String> names = new ArrayList<>();
        for (String line : readOptional("proc/modules").map(String::lines).orElse(Stream.empty()).toList()) {
            int space = line.indexOf(' ');
            names.add(0, space < 0 ? line : line.substring(0, space));
        }
        return names;
    }

    @Override
    public void prepareLoad() {
        syscalls.get();
    }

    @Override
    public void load(Path module) throws IOException {
        syscalls.get().finitModule(module);
    }

    @Override
    public void setEnabled(String patchName, boolean enabled) throws IOException {
        // WRITE only: never create a file in sysfs if the patch vanished meanwhile.
        try {
            Files.writeString(root.resolve(LIVEPATCH).resolve(patchName).resolve("enabled"), enabled ? "1\n" : "0\n",
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            if (enabled || !gone(e)) {
                throw e;
            }
            // Disabling a patch the kernel is freeing right now: it is disabled already.
        }
    }

    @Override
    public List<Blocker> blockers(int targetState) throws IOException {
        List<Blocker> blockers = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(root.resolve("proc"), p -> isNumber(p.getFileName().toString()))) {
            for (Path proc : procs) {
                Path tasks = proc.resolve("task");
                try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
                    for (Path task : threads) {
                        String state = KernelFiles.read(task.resolve("patch_state"));
                        if (!state.equals("-1") && !state.equals(Integer.toString(targetState))) {
                            String comm = KernelFiles.read(task.resolve("comm"));
                            blockers.add(new Blocker(Integer.parseInt(task.getFileName().toString()), comm));
                        }
                    }
                } catch (IOException e) {
                    if (!gone(e)) {
                        throw e;
                    }
                    // The process exited while we looked: it blocks nothing any more.
                }
            }
        }
        return blockers;
    }

    @Override
    public void unload(String moduleName) throws IOException {
        syscalls.get().deleteModule(moduleName);
    }

    @Override
    public boolean moduleLoaded(String moduleName) throws IOException {
        return Files.isDirectory(root.resolve("sys/module").resolve(moduleName));
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }

    private String read(String relative) throws IOException {
        return KernelFiles.read(root.resolve(relative));
    }

    private Optional<String> readOptional(String relative) throws IOException {
        try {
            return Optional.of(read(relative));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }
}
