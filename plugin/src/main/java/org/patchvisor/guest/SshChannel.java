package org.patchvisor.guest;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.ChannelSftp;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.SftpException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.patchvisor.time.Deadline;
import org.patchvisor.time.Ticker;

/**
 * A guest reached over SSH, for guests without a guest-agent channel (Xen guests, mostly). Key authentication
 * only, and the guest's host key must already be in the given known_hosts file: an unknown or changed key is
 * refused, never accepted on first use. Commands are argv lists quoted for the remote shell ({@link ShellQuote});
 * files move over SFTP, so no shell touches a path or file content.
 */
public final class SshChannel implements GuestChannel {
    /** How often a running command is looked at. */
    private static final Duration POLL = Duration.ofMillis(10);

    private final Session session;
    private final Ticker ticker;

    private SshChannel(Session session, Ticker ticker) {
        this.session = session;
        this.ticker = ticker;
    }

    /** Where to connect and with which credentials. */
    public record Target(String host, int port, String user, Path privateKey, Path knownHosts) {
    }

    public static SshChannel connect(Target target, Duration timeout) throws IOException {
        return connect(target, timeout, Ticker.SYSTEM);
    }

    /** As {@link #connect(Target, Duration)}, a command's deadline measured on {@code ticker}. */
    public static SshChannel connect(Target target, Duration timeout, Ticker ticker) throws IOException {
        try {
            JSch jsch = new JSch();
            jsch.addIdentity(target.privateKey().toString());
            jsch.setKnownHosts(target.knownHosts().toString());
            Session session = jsch.getSession(target.user(), target.host(), target.port());
            session.setConfig("StrictHostKeyChecking", "yes");
            session.setConfig("PreferredAuthentications", "publickey");
            session.connect(millis(timeout));
            return new SshChannel(session, ticker);
        } catch (JSchException e) {
            throw new IOException("ssh " + target.user() + "@" + target.host() + ":" + target.port() + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public boolean ping(Duration timeout) {
        try {
            return session.isConnected() && exec(List.of("true"), timeout).ok();
        } catch (IOException | GuestTimeoutException e) {
            return false;
        }
    }

    @Override
    public ExecResult exec(List<String> argv, Duration timeout) throws IOException, GuestTimeoutException {
        String command = ShellQuote.join(argv);
        Deadline deadline = Deadline.after(ticker, timeout);
        ChannelExec channel = null;
        try {
            channel = (ChannelExec) session.openChannel("exec");
            channel.setCommand(command);
            channel.setInputStream(null);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            channel.setOutputStream(out);
            channel.setErrStream(err);
            channel.connect(millis(timeout));
            ChannelExec running = channel;
            if (deadline.poll(POLL, () -> running.isClosed() ? Optional.of(true) : Optional.empty()).isEmpty()) {
                throw new GuestTimeoutException(argv.get(0) + " did not finish within " + timeout.toSeconds()
                        + " s over ssh");
            }
            return new ExecResult(channel.getExitStatus(), out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8));
        } catch (JSchException e) {
            throw new IOException("ssh exec " + argv.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + argv.get(0) + " over ssh", e);
        } finally {
            if (channel != null) {
                channel.disconnect();
            }
        }
    }

    @Override
    public void writeFile(String path, byte[] content, Duration timeout) throws IOException {
        ChannelSftp sftp = sftp(timeout);
        try {
            sftp.put(new ByteArrayInputStream(content), path, ChannelSftp.OVERWRITE);
        } catch (SftpException e) {
            throw new IOException("ssh write " + path + ": " + e.getMessage(), e);
        } finally {
            sftp.disconnect();
        }
    }

    @Override
    public byte[] readFile(String path, long maxBytes, Duration timeout) throws IOException {
        ChannelSftp sftp = sftp(timeout);
        try {
            // No stat() size check: sysfs and procfs report 4096 or 0 whatever they hold; the read is capped instead.
            try (InputStream in = sftp.get(path)) {
                byte[] bytes = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
                if (bytes.length > maxBytes) {
                    throw new IOException("ssh read " + path + ": more than the " + maxBytes + " bytes allowed");
                }
                return bytes;
            }
        } catch (SftpException e) {
            if (e.id == ChannelSftp.SSH_FX_NO_SUCH_FILE) {
                throw new java.nio.file.NoSuchFileException(path, null, "ssh read: no such file");
            }
            throw new IOException("ssh read " + path + ": " + e.getMessage(), e);
        } finally {
            sftp.disconnect();
        }
    }

    private ChannelSftp sftp(Duration timeout) throws IOException {
        try {
            session.setTimeout(millis(timeout));
            ChannelSftp sftp = (ChannelSftp) session.openChannel("sftp");
            sftp.connect(millis(timeout));
            return sftp;
        } catch (JSchException e) {
            throw new IOException("ssh sftp: " + e.getMessage(), e);
        }
    }

    private static int millis(Duration timeout) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
    }

    @Override
    public void close() {
        session.disconnect();
    }
}
