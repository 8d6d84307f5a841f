package org.patchvisor.guest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import org.patchvisor.guest.GuestChannel.GuestTimeoutException;

/**
 * How guest agent commands reach the agent: a UNIX socket, or libvirt's {@code virDomainQemuAgentCommand}.
 * {@link QgaProtocol} builds the commands and interprets the replies; a transport only carries one command
 * and brings back the agent's whole reply object, within the timeout.
 */
public interface QgaTransport extends AutoCloseable {

    /**
     * Sends {@code command} ({@code {"execute": ..., "arguments": ...}}) and returns the reply object, which
     * holds either {@code return} or {@code error}. An agent error a transport learns about in its own way
     * (libvirt reports it as an exception) is thrown as a {@link GuestAgentException}.
     */
    JsonNode send(ObjectNode command, Duration timeout) throws IOException, GuestTimeoutException;

    @Override
    void close() throws IOException;
}
