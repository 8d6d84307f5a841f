package org.patchvisor.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Transient TCG guests under the real libvirtd for the libvirt lane, driven with virsh: defined from XML,
 * booted in parallel, reached through libvirt's own guest agent path, destroyed at the end (also when the
 * JVM exits early). Guests with an agent channel boot a Debian kernel into the busybox initramfs; the one
 * without boots nothing and sits in the firmware, a running guest no agent can ever answer for.
 */
final class LibvirtGuests implements AutoCloseable {
    static final String URI = "qemu:///system";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> names = new ArrayList<>();
    private final Path dir;
    private final Thread reaper = new Thread(this::destroyAll, "destroy-libvirt-guests");

    /** The two kernels of the lane and their initramfs images, with libvirtd running. */
    record Lane(String generic, String cloud, Path initGeneric, Path initCloud) {
    }

    /**
     * Checks the components (skip on a dev machine, fail under CI), starts libvirtd if needed and builds the
     * initramfs of both kernels: what every libvirt-lane test needs before it starts guests.
     */
    static Lane prepareLane() throws IOException {
        Components components = Components.onThisMachine();
        String generic = components.defaultRelease();
        components.requireVmLane(generic);
        String cloud = components.requireCloudRelease();
        components.requireVmLane(cloud);
        components.requireLibvirt();
        HostScripts.run(60, HostScripts.projectRoot().resolve("integration/vm/start-libvirtd.sh").toString());
        return new Lane(generic, cloud, HostScripts.initramfs(generic), HostScripts.initramfs(cloud));
    }

    LibvirtGuests(Path dir) {
        this.dir = dir;
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /** Starts a transient guest running {@code release} with the initramfs, with or without an agent channel. */
    void start(String name, String release, Path initramfs, boolean agentChannel) throws IOException {
        start(name, release, initramfs, agentChannel, "");
    }

    /** As {@link #start(String, String, Path, boolean)}, with more on the kernel command line (e.g. lockdown=). */
    void start(String name, String release, Path initramfs, boolean agentChannel, String extraCmdline)
            throws IOException {
        Path xml = dir.resolve(name + ".xml");
        Files.writeString(xml, domainXml(name, release, initramfs, agentChannel, dir.resolve(name + ".serial.log"),
                extraCmdline));
        names.add(name);
        virsh(60, "create", xml.toString());
    }

    static String domainXml(String name, String release, Path initramfs, boolean agentChannel, Path serial) {
        return domainXml(name, release, initramfs, agentChannel, serial, "");
    }

    static String domainXml(String name, String release, Path initramfs, boolean agentChannel, Path serial,
            String extraCmdline) {
        String os = release == null
                ? "<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>"
                : "<os><type arch='x86_64' machine='pc'>hvm</type><kernel>/boot/vmlinuz-" + release + "</kernel>"
                        + "<initrd>" + initramfs + "</initrd><cmdline>console=ttyS0 panic=-1 loglevel=4"
                        + (extraCmdline.isEmpty() ? "" : " " + extraCmdline) + "</cmdline></os>";
        String share = release == null ? "" : "<filesystem type='mount' accessmode='squash' multidevs='remap'>"
                + "<source dir='/'/><target dir='hostroot'/><readonly/></filesystem>";
        String channel = agentChannel
                ? "<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>" : "";
        // DAC label root without relabelling: libvirt must not chown the host's /boot/vmlinuz-* for the guest.
        return "<domain type='qemu'><name>" + name + "</name><memory unit='MiB'>512</memory><vcpu>1</vcpu>" + os
                + "<cpu mode='maximum'/><on_poweroff>destroy</on_poweroff><on_reboot>destroy</on_reboot>"
                + "<on_crash>destroy</on_crash><devices><emulator>/usr/bin/qemu-system-x86_64</emulator>" + share
                + "<serial type='file'><source path='" + serial + "'/><target port='0'/></serial>" + channel
                + "<memballoon model='none'/></devices>"
                + "<seclabel type='static' model='dac' relabel='no'><label>+0:+0</label></seclabel></domain>";
    }

    /** Waits until every named guest's agent answers a ping through libvirt. */
    void awaitAgents(List<String> guests, long timeoutSeconds) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        List<String> waiting = new ArrayList<>(guests);
        while (!waiting.isEmpty()) {
            waiting.removeIf(this::answers);
            if (waiting.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("guest agents of " + waiting + " did not answer within " + timeoutSeconds + " s; "
                        + "serial logs in " + dir);
            }
            sleep(1000);
        }
    }

    boolean answers(String guest) {
        try {
            agent(guest, "{\"execute\":\"guest-ping\"}", 5);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** One raw agent command through virsh; returns the reply's {@code return}. */
    JsonNode agent(String guest, String command, int timeoutSeconds) throws IOException {
        String out = virsh(timeoutSeconds + 10, "qemu-agent-command", guest, "--timeout",
                Integer.toString(timeoutSeconds), command);
        return JSON.readTree(out).path("return");
    }

    /** Runs argv in the guest (test-side helper, independent of patchvisor) and returns stdout; fails on exit != 0. */
    String exec(String guest, String... argv) throws IOException {
        var args = JSON.createObjectNode().put("path", argv[0]).put("capture-output", true);
        var list = args.putArray("arg");
        for (int i = 1; i < argv.length; i++) {
            list.add(argv[i]);
        }
        var cmd = JSON.createObjectNode().put("execute", "guest-exec");
        cmd.set("arguments", args);
        long pid = agent(guest, JSON.writeValueAsString(cmd), 30).path("pid").asLong();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            JsonNode status = agent(guest, "{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":" + pid + "}}", 30);
            if (status.path("exited").asBoolean()) {
                String out = new String(Base64.getDecoder().decode(status.path("out-data").asText("")),
                        StandardCharsets.UTF_8);
                if (status.path("exitcode").asInt(-1) != 0) {
                    throw new IOException(String.join(" ", argv) + " in " + guest + " exited with "
                            + status.path("exitcode") + ": " + out);
                }
                return out;
            }
            sleep(100);
        }
        throw new IOException(String.join(" ", argv) + " in " + guest + " did not finish");
    }

    /** Starts argv in the guest and returns at once (guest-exec without waiting). */
    void spawn(String guest, String... argv) throws IOException {
        var args = JSON.createObjectNode().put("path", argv[0]);
        var list = args.putArray("arg");
        for (int i = 1; i < argv.length; i++) {
            list.add(argv[i]);
        }
        var cmd = JSON.createObjectNode().put("execute", "guest-exec");
        cmd.set("arguments", args);
        agent(guest, JSON.writeValueAsString(cmd), 30);
    }

    static String virsh(long timeoutSeconds, String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of("virsh", "-q", "-c", URI));
        argv.addAll(List.of(args));
        return HostScripts.run(timeoutSeconds, argv.toArray(String[]::new));
    }

    /** Stops one guest now (a transient guest is gone from libvirt then, as a deleted VM is). */
    void destroy(String name) throws IOException {
        virsh(60, "destroy", name);
        names.remove(name);
    }

    private void destroyAll() {
        for (String name : names) {
            try {
                virsh(60, "destroy", name);
            } catch (IOException e) {
                // Already gone (transient guests vanish when they stop).
            }
        }
        names.clear();
    }

    @Override
    public void close() {
        destroyAll();
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException e) {
            // Shutting down already: the hook runs anyway.
        }
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
