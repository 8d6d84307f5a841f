package org.patchvisor.detect;

import java.io.IOException;
import java.util.Optional;
import java.util.Set;

/**
 * One way of telling what this machine is. The {@link Detector} runs every strategy, highest priority
 * first, and keeps each one's {@link Attempt} so a surprising answer can be traced to the file behind it.
 */
public interface DetectionStrategy {

    /** A short stable name, e.g. "dmi". */
    String name();

    /** One line: what this strategy looks at. */
    String description();

    /** Higher runs first. Only affects the order of the report; precedence between answers is {@link Finding#rank()}. */
    int priority();

    /** The roles this strategy can report; a VM-guest strategy that finds nothing is evidence of bare metal. */
    Set<Role> roles();

    /** Why this strategy cannot run here (e.g. no DMI on this platform), or empty when it can. */
    default Optional<String> skipReason(HostFiles files) {
        return Optional.empty();
    }

    Examination examine(HostFiles files) throws IOException;
}
