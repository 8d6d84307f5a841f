package org.patchvisor.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.patchvisor.guest.GuestChannel.ExecResult;
import org.patchvisor.guest.GuestChannel.GuestTimeoutException;
import org.patchvisor.guest.QgaSocketChannel;

/**
 * One QEMU/TCG virtual machine running a real Debian kernel on this machine's own root (read-only over 9p,
 * writable through an overlay), reached through the real qemu-ga on a UNIX socket. Booting waits for the
 * agent's first answer; closing kills QEMU and everything it started, also when the JVM exits early, so no
 * stray emulator outlives a test run.
 */
public final class KernelVm implements AutoCloseable {
    /** TCG is slow: guest programs get a generous default bound. */
    public static final Duration DEFAULT_EXEC_TIMEOUT = Duration.ofSeconds(120);
    private static final long MAX_READ_BYTES = 64L * 1024 * 1024;
    private static final int SERIAL_TAIL_LINES = 40;

    /**
     * How the VM is sized and booted. {@code userNetwork} adds a virtio NIC on QEMU's user-mode network: the guest
     * is 10.0.2.15 and reaches this machine's loopback at {@link #HOST_ADDRESS}; nothing else is routed in.
     */
    public record Options(int memoryMb, int cpus, List<String> extraKernelArgs, Duration bootTimeout,
            boolean userNetwork, List<String> hostForwards, Path disk) {
        public Options {
            extraKernelArgs = List.copyOf(extraKernelArgs);
            hostForwards = List.copyOf(hostForwards);
            if (memoryMb < 256 || cpus < 1) {
                throw new IllegalArgumentException("a VM needs at least 256 MiB and one vCPU");
            }
        }

        public Options(int memoryMb, int cpus, List<String> extraKernelArgs, Duration bootTimeout) {
            this(memoryMb, cpus, extraKernelArgs, bootTimeout, false, List.of(), null);
        }

        /** 2 GiB so a JVM runs inside; 2 vCPUs because TCG runs one host thread per vCPU. */
        public static Options defaults() {
            return new Options(2048, 2, List.of(), Duration.ofSeconds(240));
        }

        public Options withCpus(int n) {
            return new Options(memoryMb, n, extraKernelArgs, bootTimeout, userNetwork, hostForwards, disk);
        }

        public Options withKernelArgs(String... args) {
            List<String> all = new ArrayList<>(extraKernelArgs);
            all.addAll(Arrays.asList(args));
            return new Options(memoryMb, cpus, all, bootTimeout, userNetwork, hostForwards, disk);
        }

        public Options withUserNetwork() {
            return new Options(memoryMb, cpus, extraKernelArgs, bootTimeout, true, hostForwards, disk);
        }

        /** Forwards 127.0.0.1:{@code hostPort} on this machine to {@code guestPort} in the guest (user network). */
        public Options withHostForward(int hostPort, int guestPort) {
            List<String> all = new ArrayList<>(hostForwards);
            all.add("hostfwd=tcp:127.0.0.1:" + hostPort + "-:" + guestPort);
            return new Options(memoryMb, cpus, extraKernelArgs, bootTimeout, true, all, disk);
        }

        /**
         * Boots this machine's real systemd as PID 1 (see build-initramfs.sh) with the overlay's upper layer on the
         * ext4 image {@code disk}, so what the VM writes, installed packages and patchvisor's state included, is there
         * again at the next boot from that disk.
         */
        public Options withSystemd(Path disk) {
            Options booted = new Options(memoryMb, cpus, extraKernelArgs, bootTimeout, userNetwork, hostForwards, disk);
            return booted.withKernelArgs("pv.systemd", "pv.disk");
        }

        boolean systemd() {
            return disk != null;
        }
    }

    /** The tag of a spare read-only 9p share (the VM's run directory), for tests that mount 9p themselves. */
    public static final String SPARE_SHARE = "pvspare";

    /** This machine's loopback as the guest sees it on QEMU's user-mode network. */
    public static final String HOST_ADDRESS = "10.0.2.2";

    private final String release;
    private final Process qemu;
    private final Process virtiofsd;
    private final Path runDir;
    private final Path serialLog;
    private final QgaSocketChannel channel;
    private final Thread reaper;
    private final Duration bootTime;
    private boolean closed;

    private KernelVm(String release, Process qemu, Process virtiofsd, Path runDir, Path serialLog,
            QgaSocketChannel channel, Thread reaper, Duration bootTime) {
        this.release = release;
        this.qemu = qemu;
        this.virtiofsd = virtiofsd;
        this.runDir = runDir;
        this.serialLog = serialLog;
        this.channel = channel;
        this.reaper = reaper;
        this.bootTime = bootTime;
    }

    public static KernelVm boot(String release) throws IOException {
        return boot(release, Options.defaults());
    }

    public static KernelVm boot(String release, Options options) throws IOException {
        Path initramfs = HostScripts.initramfs(release);
        Path logDir = Files.createTempDirectory(HostScripts.targetDir("vm"), release + "-");
        // UNIX socket paths are capped near 108 bytes, so the socket lives in a short /tmp directory.
        Path runDir = Files.createTempDirectory(Path.of("/tmp"), "pvvm");
        Path socket = runDir.resolve("qga.sock");
        Path serialLog = logDir.resolve("serial.log");
        List<String> command = qemuCommand(release, options, initramfs, socket, serialLog);
        Files.writeString(logDir.resolve("command"), String.join(" ", command) + "\n");

        long start = System.nanoTime();
        Process virtiofsd = rootOverVirtiofs(release, options)
                ? Virtiofsd.start(Virtiofsd.socket(runDir), logDir.resolve("virtiofsd.log")) : null;
        Process qemu;
        try {
            qemu = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(logDir.resolve("qemu.log").toFile()).start();
        } catch (IOException e) {
            kill(virtiofsd);
            throw e;
        }
        Thread reaper = new Thread(() -> {
            kill(qemu);
            kill(virtiofsd);
        }, "kill-qemu-" + qemu.pid());
        Runtime.getRuntime().addShutdownHook(reaper);
        try {
            QgaSocketChannel channel = awaitAgent(qemu, socket, start + options.bootTimeout().toNanos(), logDir);
            Duration bootTime = Duration.ofNanos(System.nanoTime() - start);
            return new KernelVm(release, qemu, virtiofsd, runDir, serialLog, channel, reaper, bootTime);
        } catch (IOException | RuntimeException | Error e) {
            kill(qemu);
            kill(virtiofsd);
            removeHook(reaper);
            deleteRunDir(runDir);
            System.err.println(tail(serialLog));
            throw e;
        }
    }

    /**
     * The root goes over 9p where the kernel has it. A kernel without 9p (the cloud flavour) gets it over virtiofs,
     * whose daemon here runs out of descriptors on a whole-tree walk (a dpkg trigger, say): fine for a boot that
     * only checks what systemd did.
     */
    static boolean rootOverVirtiofs(String release, Options options) {
        return options.systemd() && !Files.isDirectory(Path.of("/lib/modules", release, "kernel/fs/9p"));
    }

    static List<String> qemuCommand(String release, Options options, Path initramfs, Path socket, Path serialLog) {
        boolean virtiofs = rootOverVirtiofs(release, options);
        String append = String.join(" ", concat(List.of("console=ttyS0", "panic=-1", "loglevel=4"),
                options.extraKernelArgs(), virtiofs ? List.of("pv.root=virtiofs") : List.of()));
        // romfile= : no PXE option ROM is needed (direct kernel boot) and Debian ships it in another package.
        List<String> network = options.userNetwork()
                ? List.of("-netdev", String.join(",", concat(List.of("user", "id=n0"), options.hostForwards())),
                        "-device", "virtio-net-pci,netdev=n0,romfile=") : List.of();
        return concat(List.of("qemu-system-x86_64", "-accel", "tcg,thread=multi", "-cpu", "max",
                "-m", Integer.toString(options.memoryMb()), "-smp", Integer.toString(options.cpus()),
                "-nographic", "-nodefaults", "-no-reboot", "-monitor", "none",
                "-serial", "file:" + serialLog,
                "-kernel", "/boot/vmlinuz-" + release, "-initrd", initramfs.toString(), "-append", append),
                virtiofs ? virtiofsRoot(options, socket.getParent()) : List.of("-virtfs",
                        "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"),
                options.systemd() ? List.of("-drive", "file=" + options.disk() + ",format=raw,if=virtio,cache=writeback")
                        : List.of(),
                List.of(
                // A second, small 9p share a test can mount itself (one mount per device: hostroot is taken).
                "-virtfs", "local,path=" + socket.getParent() + ",mount_tag=" + SPARE_SHARE
                        + ",security_model=none,readonly=on",
                "-chardev", "socket,path=" + socket + ",server=on,wait=off,id=qga",
                "-device", "virtio-serial",
                "-device", "virtserialport,chardev=qga,name=org.qemu.guest_agent.0"), network);
    }

    /** virtiofs needs the guest's memory shared with its daemon. */
    private static List<String> virtiofsRoot(Options options, Path runDir) {
        return List.of("-object", "memory-backend-memfd,id=mem,size=" + options.memoryMb() + "M,share=on",
                "-numa", "node,memdev=mem",
                "-chardev", "socket,id=vfs,path=" + Virtiofsd.socket(runDir),
                "-device", "vhost-user-fs-pci,chardev=vfs,tag=hostroot");
    }

    private static QgaSocketChannel awaitAgent(Process qemu, Path socket, long deadline, Path logDir)
            throws IOException {
        QgaSocketChannel channel = null;
        while (System.nanoTime() < deadline) {
            if (!qemu.isAlive()) {
                throw new IOException("qemu exited with code " + qemu.exitValue() + " before the guest agent "
                        + "answered; see " + logDir + ":\n" + Files.readString(logDir.resolve("qemu.log")));
            }
            if (channel == null && Files.exists(socket)) {
                try {
                    channel = QgaSocketChannel.connect(socket);
                } catch (IOException notYetListening) {
                    channel = null;
                }
            }
            if (channel != null && channel.ping(Duration.ofSeconds(1))) {
                return channel;
            }
            if (channel == null) {
                sleep(50);
            }
        }
        if (channel != null) {
            channel.close();
        }
        throw new IOException("guest agent did not answer within the boot timeout; see " + logDir);
    }

    public String release() {
        return release;
    }

    /** From starting QEMU to the agent's first answer. */
    public Duration bootTime() {
        return bootTime;
    }

    /** The real agent channel, for tests of the channel itself. */
    public QgaSocketChannel channel() {
        return channel;
    }

    public ExecResult exec(String... argv) throws IOException {
        return exec(DEFAULT_EXEC_TIMEOUT, argv);
    }

    /** The checkout's bin/patchvisor run inside the VM as root, as an administrator of that kernel would. */
    public ExecResult patchvisor(String... args) throws IOException {
        List<String> argv = new ArrayList<>();
        argv.add(HostScripts.projectRoot().resolve("bin/patchvisor").toString());
        argv.addAll(List.of(args));
        return exec(Duration.ofSeconds(300), argv.toArray(String[]::new));
    }

    public ExecResult exec(Duration timeout, String... argv) throws IOException {
        try {
            return channel.exec(List.of(argv), timeout);
        } catch (GuestTimeoutException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Runs {@code script} with /bin/sh -c in the guest: for test set-up and probing only. */
    public ExecResult sh(String script) throws IOException {
        return exec("/bin/sh", "-c", script);
    }

    /** Like {@link #sh} but fails unless the script exits 0; returns its stdout. */
    public String shOk(String script) throws IOException {
        ExecResult result = sh(script);
        if (!result.ok()) {
            throw new IOException("guest script failed with " + result.exitCode() + ":\n" + script
                    + "\nstdout: " + result.stdout() + "\nstderr: " + result.stderr());
        }
        return result.stdout();
    }

    public byte[] readFile(String path) throws IOException {
        try {
            return channel.readFile(path, MAX_READ_BYTES, DEFAULT_EXEC_TIMEOUT);
        } catch (GuestTimeoutException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    public void writeFile(String path, byte[] content) throws IOException {
        try {
            channel.writeFile(path, content, DEFAULT_EXEC_TIMEOUT);
        } catch (GuestTimeoutException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Everything the guest kernel and init printed on the serial console so far. */
    public String serialLog() {
        try {
            return Files.readString(serialLog, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "(no serial log: " + e.getMessage() + ")";
        }
    }

    /** The last lines of the serial console, for failure reports. */
    public String serialTail() {
        return tail(serialLog);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // The socket dies with QEMU anyway.
        }
        kill(qemu);
        kill(virtiofsd);
        removeHook(reaper);
        deleteRunDir(runDir);
    }

    /**
     * Waits until the guest powers itself off or reboots (QEMU runs with -no-reboot, so both end it), then releases
     * everything as {@link #close} does; false when it is still running after {@code timeout}.
     */
    public boolean awaitShutdown(Duration timeout) throws IOException {
        try {
            if (!qemu.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the VM to shut down", e);
        }
        close();
        return true;
    }

    /** Kills QEMU and every process it started; waits until they are gone. */
    static void kill(Process process) {
        if (process == null) {
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception stillAlive) {
                handle.destroyForcibly();
            }
        }
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or about to: it does the same work.
        }
    }

    private static void deleteRunDir(Path runDir) {
        try {
            Files.deleteIfExists(runDir.resolve("qga.sock"));
            Files.deleteIfExists(Virtiofsd.socket(runDir));
            Files.deleteIfExists(runDir);
        } catch (IOException ignored) {
            // A leftover empty directory in /tmp is harmless.
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
            return "--- serial console (last lines) ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - SERIAL_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(no serial log at " + log + ")";
        }
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        List<String> all = new ArrayList<>();
        for (List<String> part : parts) {
            all.addAll(part);
        }
        return all;
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while booting", e);
        }
    }
}
