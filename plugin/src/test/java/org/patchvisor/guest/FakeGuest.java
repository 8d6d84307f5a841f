package org.patchvisor.guest;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A fake {@link GuestChannel}: a guest as a map of files (its sysfs included), a few programs (mkdir, rm, find,
 * test) and a scripted stand-in for the per-guest agent. Records every call so tests can say what was never done,
 * and counts closes so they can say every channel handed out was closed again. Public for the CLI's tests, which
 * hand it out from a fake hypervisor adapter.
 */
public final class FakeGuest implements GuestChannel {
    public final Map<String, byte[]> files = new LinkedHashMap<>();
    public final List<List<String>> execs = new ArrayList<>();
    /** The paths written, in order. */
    public final List<String> writes = new ArrayList<>();
    public GuestOs os;
    public boolean silent;
    /** Whether /sys/kernel/livepatch exists (CONFIG_LIVEPATCH), with or without patches in it. */
    public boolean livepatch = true;
    public String failWritesTo;
    /** Paths whose read fails with a bare I/O error, as an SFTP server answers some sysfs reads. */
    public final java.util.Set<String> unreadable = new java.util.HashSet<>();
    /** Runs in place of "/bin/sh pv-guest-agent.sh ...": gets the argv after the script, returns its stdout. */
    public Function<List<String>, String> agent = args -> "{\"result\":\"failed\",\"reason\":\"no script\",\"ms\":0}";
    /** How often it was closed: an adapter hands out this one object each time a channel is opened. */
    public final AtomicInteger closes = new AtomicInteger();

    /** A guest on the Debian generic kernel. */
    public FakeGuest() {
        this(new GuestOs("6.1.0-56-amd64", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.140-1", "x86_64"));
    }

    /** A guest running {@code os}, with no files, no live patches and an agent that fails. */
    public FakeGuest(GuestOs os) {
        this.os = os;
    }

    public void loadPatch(String name, boolean enabled, boolean transition) {
        String dir = GuestPatcher.LIVEPATCH + "/" + name;
        files.put(dir + "/enabled", (enabled ? "1\n" : "0\n").getBytes());
        files.put(dir + "/transition", (transition ? "1\n" : "0\n").getBytes());
        files.put(dir + "/vmlinux/cmdline_proc_show,1/", new byte[0]);
    }

    public void unloadPatch(String name) {
        files.keySet().removeIf(k -> k.startsWith(GuestPatcher.LIVEPATCH + "/" + name + "/"));
    }

    private void checkAlive() throws GuestTimeoutException {
        if (silent) {
            throw new GuestTimeoutException("guest agent did not answer in time");
        }
    }

    @Override
    public boolean ping(Duration timeout) {
        return !silent;
    }

    @Override
    public GuestOs os(Duration timeout) throws GuestTimeoutException {
        checkAlive();
        return os;
    }

    @Override
    public ExecResult exec(List<String> argv, Duration timeout) throws IOException, GuestTimeoutException {
        checkAlive();
        execs.add(List.copyOf(argv));
        switch (argv.get(0)) {
            case "mkdir", "test" -> {
                String path = argv.get(argv.size() - 1);
                boolean any = files.keySet().stream().anyMatch(k -> k.startsWith(path + "/"))
                        || (livepatch && path.equals(GuestPatcher.LIVEPATCH));
                return new ExecResult(argv.get(0).equals("mkdir") || any ? 0 : 1, "", "");
            }
            case "cat" -> {
                byte[] content = files.get(argv.get(1));
                return content == null ? new ExecResult(1, "", "cat: " + argv.get(1) + ": No such file or directory")
                        : new ExecResult(0, new String(content, java.nio.charset.StandardCharsets.UTF_8), "");
            }
            case "rm" -> {
                argv.subList(2, argv.size()).forEach(files::remove);
                return new ExecResult(0, "", "");
            }
            case "find" -> {
                String root = argv.get(1);
                List<String> dirs = new ArrayList<>();
                for (String key : files.keySet()) {
                    if (!key.startsWith(root + "/")) {
                        continue;
                    }
                    String[] parts = key.substring(root.length() + 1).split("/");
                    for (int depth = 1; depth < parts.length || (depth == parts.length && key.endsWith("/")); depth++) {
                        String dir = root + "/" + String.join("/", List.of(parts).subList(0, depth));
                        if (depth <= 3 && !dirs.contains(dir)) {
                            dirs.add(dir);
                        }
                    }
                }
                boolean exists = !dirs.isEmpty() || (livepatch && root.equals(GuestPatcher.LIVEPATCH));
                return !exists ? new ExecResult(1, "", "find: " + root + ": No such file or directory")
                        : new ExecResult(0, String.join("\n", dirs) + "\n", "");
            }
            case "/bin/sh" -> {
                if (!files.containsKey(argv.get(1))) {
                    return new ExecResult(127, "", "sh: can't open " + argv.get(1));
                }
                return new ExecResult(0, agent.apply(argv.subList(2, argv.size())), "");
            }
            default -> throw new GuestAgentException("guest-exec", "GenericError", "no program " + argv.get(0));
        }
    }

    @Override
    public void writeFile(String path, byte[] content, Duration timeout) throws IOException, GuestTimeoutException {
        checkAlive();
        writes.add(path);
        if (path.equals(failWritesTo)) {
            files.put(path, new byte[1]);
            throw new GuestTimeoutException("guest agent did not answer guest-file-write in time");
        }
        files.put(path, content.clone());
    }

    @Override
    public byte[] readFile(String path, long maxBytes, Duration timeout) throws IOException, GuestTimeoutException {
        checkAlive();
        if (unreadable.contains(path)) {
            throw new IOException("error");
        }
        byte[] content = files.get(path);
        if (content == null) {
            throw new GuestAgentException("guest-file-open", "GenericError", "failed to open file '" + path
                    + "': No such file or directory");
        }
        return content.clone();
    }

    @Override
    public void close() {
        closes.incrementAndGet();
    }
}
