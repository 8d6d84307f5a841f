package org.patchvisor.publish;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.patchvisor.io.ProcessRunner;
import org.patchvisor.io.SystemProcessRunner;

/**
 * The real process runner for the backend tests, except where an argv starts the tool under test: there
 * {@code program} is replaced by {@code replacement} (the FAKE's settings as environment assignments for the
 * {@code env} the backend runs it through, then how to start the fake). Every argv is recorded.
 */
final class FakeToolRunner implements ProcessRunner {
    final List<List<String>> argvs = new ArrayList<>();
    private final String program;
    private final List<String> replacement;
    private final Set<String> alsoAvailable;
    private final SystemProcessRunner real = new SystemProcessRunner(System.getenv("PATH"));

    FakeToolRunner(String program, List<String> replacement, Set<String> alsoAvailable) {
        this.program = program;
        this.replacement = List.copyOf(replacement);
        this.alsoAvailable = Set.copyOf(alsoAvailable);
    }

    @Override
    public Result run(List<String> argv, Duration timeout) throws IOException {
        argvs.add(argv);
        int at = argv.indexOf(program);
        if (at < 0) {
            return real.run(argv, timeout);
        }
        List<String> wrapped = new ArrayList<>(argv.subList(0, at));
        wrapped.addAll(replacement);
        wrapped.addAll(argv.subList(at + 1, argv.size()));
        return real.run(wrapped, timeout);
    }

    @Override
    public boolean available(String name) {
        return alsoAvailable.contains(name) || real.available(name);
    }
}
