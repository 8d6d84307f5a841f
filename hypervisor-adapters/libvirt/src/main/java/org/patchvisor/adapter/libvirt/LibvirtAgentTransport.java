package org.patchvisor.adapter.libvirt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import org.libvirt.Domain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.patchvisor.guest.GuestAgentException;
import org.patchvisor.guest.GuestChannel.GuestTimeoutException;
import org.patchvisor.guest.QgaTransport;
import org.patchvisor.spi.GuestUnreachableException;

/**
 * Guest agent commands through libvirt ({@code virDomainQemuAgentCommand}): libvirt owns the agent socket,
 * synchronises with the agent itself and reports an agent error reply as an error of its own, which is mapped
 * back here: agent errors to {@link GuestAgentException}, a silent agent to a timeout, a stopped domain or one
 * without an agent channel to {@link GuestUnreachableException}. Frees the domain on close.
 */
final class LibvirtAgentTransport implements QgaTransport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Domain domain;
    private final String guestName;

    LibvirtAgentTransport(Domain domain, String guestName) {
        this.domain = domain;
        this.guestName = guestName;
    }

    @Override
    public JsonNode send(ObjectNode command, Duration timeout) throws IOException, GuestTimeoutException {
        String name = command.path("execute").asText();
        String reply;
        try {
            reply = domain.qemuAgentCommand(JSON.writeValueAsString(command), seconds(timeout), 0);
        } catch (LibvirtException e) {
            Exception translated = translate(e, name);
            if (translated instanceof GuestTimeoutException timeoutException) {
                throw timeoutException;
            }
            throw (IOException) translated;
        }
        if (reply == null) {
            throw new IOException(guestName + ": libvirt returned no reply to " + name);
        }
        try {
            return JSON.readTree(reply);
        } catch (JsonProcessingException e) {
            throw new IOException(guestName + ": malformed reply to " + name + ": " + e.getOriginalMessage());
        }
    }

    /** libvirt counts agent timeouts in whole seconds; 0 would mean "do not wait". */
    static int seconds(Duration timeout) {
        long seconds = (timeout.toMillis() + 999) / 1000;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, seconds));
    }

    /** An {@link IOException} (or subclass) or a {@link GuestTimeoutException}. */
    private Exception translate(LibvirtException e, String command) {
        ErrorNumber code = e.getError() == null ? null : e.getError().getCode();
        String message = e.getMessage() == null ? String.valueOf(code) : e.getMessage().strip();
        if (code == ErrorNumber.VIR_ERR_AGENT_UNRESPONSIVE || code == ErrorNumber.VIR_ERR_OPERATION_TIMEOUT
                || code == ErrorNumber.VIR_ERR_AGENT_UNSYNCED) {
            return new GuestTimeoutException(guestName + ": " + message);
        }
        if (code == ErrorNumber.VIR_ERR_OPERATION_INVALID || code == ErrorNumber.VIR_ERR_NO_DOMAIN) {
            return new GuestUnreachableException(guestName + ": " + message, e);
        }
        if (message.contains("unable to execute QEMU agent command")) {
            return new GuestAgentException(command, code == null ? "" : code.name(), message);
        }
        return new IOException(guestName + ": " + message, e);
    }

    @Override
    public void close() throws IOException {
        try {
            domain.free();
        } catch (LibvirtException e) {
            throw new IOException(guestName + ": freeing the libvirt domain failed: " + e.getMessage(), e);
        }
    }
}
