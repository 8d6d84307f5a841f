package org.patchvisor.cli;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.patchvisor.elf.ElfFormatException;
import org.patchvisor.feed.FeedException;
import org.patchvisor.fleet.SpoolDrainer;
import org.patchvisor.guest.GuestChannel.GuestTimeoutException;
import org.patchvisor.host.HostUpgrade;
import org.patchvisor.kernel.PatchException;
import org.patchvisor.model.Outcome;
import org.patchvisor.publish.BuildException;
import org.patchvisor.rollout.Report;
import org.patchvisor.spi.GuestUnreachableException;
import org.patchvisor.state.LockFileException;
import org.patchvisor.state.StateLockedException;

/**
 * The one mapping from how a command ended to the exit codes README.md documents: one outcome, the guests of a
 * rollout or of a worker pass, and every failure a command throws. Commands return what this says, so the host,
 * a guest and the fleet can never drift apart on what a code means.
 */
final class ExitPolicy {
    /** A rollout's code: the first of these any of its guests ended in; any other code counts as done. */
    private static final List<Integer> FLEET_ORDER = List.of(ExitCodes.GUEST_FAILED, ExitCodes.REFUSED,
            ExitCodes.GUEST_UNREACHABLE);
    /** A worker pass's code, likewise. A refusal is final there: retrying will not change the guest's kernel. */
    private static final List<Integer> WORKER_ORDER = List.of(ExitCodes.GUEST_FAILED, ExitCodes.GUEST_UNREACHABLE);

    private ExitPolicy() {
    }

    /**
     * A command whose job is the feed ({@code upgrade}): a feed that cannot be used, its config included, is
     * {@link ExitCodes#FEED_FAILED} there. Elsewhere the feed's config only names the state directory, and a bad
     * one is an error like any other.
     */
    interface FeedCommand {
    }

    /** The code of one operation that ended in {@code outcome}, on the host or in one guest. */
    static int code(Outcome outcome) {
        return switch (outcome) {
            case APPLIED, ALREADY_PATCHED, REVOKED_REMOVED, SKIPPED, PLANNED -> ExitCodes.OK;
            case NO_PATCH -> ExitCodes.NO_PATCHES;
            case REFUSED -> ExitCodes.REFUSED;
            case NOT_ROOT -> ExitCodes.NOT_ROOT;
            case UNSUPPORTED -> ExitCodes.UNSUPPORTED;
            case TRANSITION_TIMEOUT -> ExitCodes.TRANSITION_TIMEOUT;
            case KERNEL_REFUSED -> ExitCodes.KERNEL_REFUSED;
            case NOT_FOUND, GONE -> ExitCodes.NOT_FOUND;
            case REVERT_FAILED -> ExitCodes.REVERT_FAILED;
            case LOCKED -> ExitCodes.LOCKED;
            case IN_CONTAINER -> ExitCodes.IN_CONTAINER;
            case FAILED_REVERTED, FAILED, TIMED_OUT, HALTED -> ExitCodes.GUEST_FAILED;
            case UNREACHABLE, GAVE_UP -> ExitCodes.GUEST_UNREACHABLE;
            case ERROR -> ExitCodes.ERROR;
        };
    }

    /** {@code upgrade} on the host: the feed's newest bundle applied or already there is 0, none for this kernel 15. */
    static int code(HostUpgrade.Status status) {
        return code(switch (status) {
            case APPLIED -> Outcome.APPLIED;
            case UP_TO_DATE -> Outcome.ALREADY_PATCHED;
            case NO_PATCHES -> Outcome.NO_PATCH;
            case REVOKED_REMOVED -> Outcome.REVOKED_REMOVED;
        });
    }

    /**
     * {@code upgrade --guests}: 12 when a guest failed, timed out or the rollout halted; else 5 when one refused
     * its bundle; else 13 when one was unreachable; else 0 (applied, already patched, no patch, skipped).
     */
    static int rollout(Report report) {
        return report.halted() ? ExitCodes.GUEST_FAILED
                : first(FLEET_ORDER, report.guests().stream().map(row -> code(row.state())));
    }

    /**
     * {@code worker --once}: 12 when a guest failed, or its try ended in anything but a silent agent and is kept for
     * a retry; else 13 when one is still unreachable or was given up; else 0.
     */
    static int workerPass(Collection<SpoolDrainer.Handled> handled) {
        return first(WORKER_ORDER, handled.stream().map(SpoolDrainer.Handled::result)
                .map(r -> !r.isFinal() && r.state() != Outcome.UNREACHABLE ? ExitCodes.GUEST_FAILED : code(r.state())));
    }

    /** The code for a failure a command that is not a {@link FeedCommand} threw. */
    static int code(Throwable failure) {
        return failureCode(failure, false);
    }

    /** The code for a failure {@code command} threw, whether it caught it or not. */
    static int code(Throwable failure, Object command) {
        return failureCode(failure, command instanceof FeedCommand);
    }

    private static int failureCode(Throwable failure, boolean feedCommand) {
        if (failure instanceof PatchException p) {
            return code(p.outcome());
        }
        if (failure instanceof BuildException b) {
            return switch (b.reason()) {
                case REFUSED -> ExitCodes.BUILD_REFUSED;
                case COMPILE -> ExitCodes.BUILD_FAILED;
                case NOT_COVERED -> ExitCodes.NOT_COVERED;
            };
        }
        if (failure instanceof FeedException) {
            return feedCommand ? ExitCodes.FEED_FAILED : ExitCodes.ERROR;
        }
        if (failure instanceof StateLockedException) {
            return ExitCodes.LOCKED;
        }
        if (failure instanceof LockFileException) {
            return ExitCodes.FOREIGN_FILE;
        }
        if (failure instanceof ElfFormatException) {
            return ExitCodes.REFUSED;
        }
        if (failure instanceof GuestUnreachableException || failure instanceof GuestTimeoutException) {
            return ExitCodes.GUEST_UNREACHABLE;
        }
        return ExitCodes.ERROR;
    }

    private static int first(List<Integer> order, Stream<Integer> codes) {
        Set<Integer> seen = codes.collect(Collectors.toSet());
        return order.stream().filter(seen::contains).findFirst().orElse(ExitCodes.OK);
    }
}
