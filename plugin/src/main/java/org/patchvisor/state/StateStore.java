package org.patchvisor.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.patchvisor.io.AtomicFiles;
import org.patchvisor.io.RegularFiles;
import org.patchvisor.io.Sha256;
import org.patchvisor.io.UnsafeFileException;
import org.patchvisor.model.KernelId;

/**
 * The patches installed on each kernel, so the boot service can load them again after a reboot into the same
 * kernel. Layout under the state directory:
 * <pre>
 *   kernels/&lt;build-id or release&gt;/installed.json   kernel identity + patches in load order
 *   modules/&lt;sha256&gt;.ko                             module copies, content-addressed
 * </pre>
 * Modules are copied in, so a reload never depends on the operator's file still being there or unchanged.
 * Every write is atomic ({@link AtomicFiles}); callers serialise runs with {@link RunLock}. Records are read as
 * regular files only, bounded, never through a link ({@link RegularFiles}): a planted FIFO must not hang
 * {@code status}.
 */
public final class StateStore {

    static final String KERNELS = "kernels";
    static final String MODULES = "modules";
    static final String INSTALLED = "installed.json";
    /**
     * An installed.json lists a kernel's patches at a few hundred bytes each; 4 MiB is thousands of patches, so
     * anything larger is not one of ours (a link to {@code /dev/zero} is refused before that, see {@link RegularFiles}).
     */
    static final long INSTALLED_MAX_BYTES = 4L << 20;

    private final Path stateDir;

    public StateStore(Path stateDir) {
        this.stateDir = Objects.requireNonNull(stateDir, "stateDir");
    }

    /** The directory name a kernel's records live under: its build-id, or its release when that is unknown. */
    public static String key(KernelId kernel) {
        String raw = kernel.buildId().orElse(kernel.release());
        return raw.replaceAll("[^A-Za-z0-9._+-]", "_").replaceAll("^\\.+", "_");
    }

    /** Patches recorded as installed on {@code kernel}, in load order; empty when none were ever recorded. */
    public synchronized List<InstalledPatch> installed(KernelId kernel) throws IOException {
        return read(existingFile(kernel)).patches();
    }

    /** Every kernel that has a record, e.g. for a status listing. */
    public synchronized List<KernelId> kernels() throws IOException {
        List<KernelId> kernels = new ArrayList<>();
        for (Path file : installedFiles()) {
            InstalledFile content = read(Optional.of(file));
            if (content.kernel() != null) {
                kernels.add(content.kernel().toKernelId());
            }
        }
        return kernels;
    }

    /**
     * Copies {@code moduleFile} into the store and records {@code patch} as the last one loaded on
     * {@code kernel}. A record of the same name is replaced; patches named in {@code replaces} are dropped.
     */
    public synchronized void recordInstalled(KernelId kernel, InstalledPatch patch, Path moduleFile)
            throws IOException {
        String actual = Sha256.of(moduleFile);
        if (!actual.equals(patch.sha256())) {
            throw new IllegalArgumentException("module file " + moduleFile + " has sha256 " + actual
                    + " but patch " + patch.patchName() + " was recorded with " + patch.sha256());
        }
        storeModule(moduleFile, patch.sha256());

        Optional<Path> existing = existingFile(kernel);
        List<InstalledPatch> patches = new ArrayList<>(read(existing).patches());
        patches.removeIf(p -> p.patchName().equals(patch.patchName()) || patch.replaces().contains(p.patchName()));
        patches.add(patch);
        write(kernel, patches, existing);
        pruneModules();
    }

    /** Drops {@code patchName} from {@code kernel}'s record. Returns false when it was not recorded. */
    public synchronized boolean recordRemoved(KernelId kernel, String patchName) throws IOException {
        Optional<Path> existing = existingFile(kernel);
        List<InstalledPatch> patches = new ArrayList<>(read(existing).patches());
        if (!patches.removeIf(p -> p.patchName().equals(patchName))) {
            return false;
        }
        write(kernel, patches, existing);
        pruneModules();
        return true;
    }

    /**
     * Copies a module into the store before it is loaded, so the bytes loaded are the bytes recorded and a
     * run killed mid-apply leaves its successor the module to record. Returns the stored copy.
     */
    public synchronized Path stage(Path moduleFile) throws IOException {
        String sha256 = Sha256.of(moduleFile);
        storeModule(moduleFile, sha256);
        return stagedModule(sha256);
    }

    /** The stored copy of the module with this sha256 (see {@link #stage}). */
    public Path stagedModule(String sha256) {
        return modulesDir().resolve(sha256 + ".ko");
    }

    /** Where the stored copy of a recorded patch's module lives. */
    public Path modulePath(InstalledPatch patch) {
        return modulesDir().resolve(patch.sha256() + ".ko");
    }

    private void storeModule(Path moduleFile, String sha256) throws IOException {
        Path target = modulesDir().resolve(sha256 + ".ko");
        if (Files.isRegularFile(target) && Sha256.of(target).equals(sha256)) {
            return; // the same content is already stored
        }
        AtomicFiles.copy(moduleFile, target);
        String copied = Sha256.of(target);
        if (!copied.equals(sha256)) {
            Files.deleteIfExists(target);
            throw new IOException("module file " + moduleFile + " changed while it was being copied into "
                    + modulesDir());
        }
    }

    /** Deletes stored modules no kernel refers to any more; skipped when some record cannot be read. */
    private void pruneModules() throws IOException {
        Set<String> referenced = new HashSet<>();
        try {
            for (Path file : installedFiles()) {
                read(Optional.of(file)).patches().forEach(p -> referenced.add(p.sha256() + ".ko"));
            }
        } catch (StateCorruptException | UnsafeFileException e) {
            return; // cannot tell what is still needed; keeping extra files is harmless
        }
        if (!Files.isDirectory(modulesDir())) {
            return;
        }
        try (DirectoryStream<Path> modules = Files.newDirectoryStream(modulesDir(), "*.ko")) {
            for (Path module : modules) {
                if (!referenced.contains(module.getFileName().toString())) {
                    Files.deleteIfExists(module);
                }
            }
        }
    }

    /**
     * The record file for a kernel. A kernel known by build-id also finds a record made when only its release
     * was known, the same rule as {@link KernelId#matches}.
     */
    private Optional<Path> existingFile(KernelId kernel) {
        Path primary = fileFor(key(kernel));
        if (Files.exists(primary, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.of(primary);
        }
        if (kernel.buildId().isPresent()) {
            Path byRelease = fileFor(key(new KernelId(kernel.release(), kernel.version(), kernel.machine(),
                    Optional.empty())));
            if (Files.exists(byRelease, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.of(byRelease);
            }
        }
        return Optional.empty();
    }

    private void write(KernelId kernel, List<InstalledPatch> patches, Optional<Path> previous) throws IOException {
        Path target = fileFor(key(kernel));
        byte[] json = StateJson.MAPPER.writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(new InstalledFile(KernelRecord.of(kernel), patches));
        AtomicFiles.write(target, json);
        if (previous.isPresent() && !previous.get().equals(target)) {
            // migrated from the release-keyed record to the build-id one
            Files.deleteIfExists(previous.get());
            try {
                Files.deleteIfExists(previous.get().getParent());
            } catch (DirectoryNotEmptyException e) {
                // something else lives there (a stale temp file); the record itself is gone, which is what counts
            }
        }
    }

    private InstalledFile read(Optional<Path> file) throws IOException {
        if (file.isEmpty()) {
            return new InstalledFile(null, List.of());
        }
        Optional<byte[]> read = RegularFiles.readIfPresent(file.get(), INSTALLED_MAX_BYTES, RegularFiles.Links.REFUSE);
        if (read.isEmpty()) {
            return new InstalledFile(null, List.of());
        }
        byte[] bytes = read.get();
        try {
            InstalledFile content = StateJson.MAPPER.readValue(bytes, InstalledFile.class);
            if (content == null || content.patches() == null) {
                throw new StateCorruptException(file.get(), "no \"patches\" list");
            }
            return content;
        } catch (JsonProcessingException e) {
            throw new StateCorruptException(file.get(), rootMessage(e));
        }
    }

    static String rootMessage(JsonProcessingException e) {
        Throwable cause = e.getCause();
        String what = cause instanceof IllegalArgumentException || cause instanceof NullPointerException
                ? cause.getMessage() : e.getOriginalMessage();
        var location = e.getLocation();
        return location == null ? what : what + ", at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    private List<Path> installedFiles() throws IOException {
        Path kernels = stateDir.resolve(KERNELS);
        List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(kernels)) {
            return files;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(kernels, Files::isDirectory)) {
            for (Path dir : dirs) {
                Path file = dir.resolve(INSTALLED);
                // anything there is read, so a planted link or FIFO is reported rather than silently skipped
                if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                    files.add(file);
                }
            }
        }
        files.sort(null);
        return files;
    }

    private Path fileFor(String key) {
        return stateDir.resolve(KERNELS).resolve(key).resolve(INSTALLED);
    }

    private Path modulesDir() {
        return stateDir.resolve(MODULES);
    }

    /** The JSON shape of one installed.json. */
    record InstalledFile(KernelRecord kernel, List<InstalledPatch> patches) {
        InstalledFile {
            if (patches != null && patches.stream().anyMatch(Objects::isNull)) {
                throw new IllegalArgumentException("the patches list has an empty (null) entry");
            }
            patches = patches == null ? null : List.copyOf(patches);
        }
    }
}
