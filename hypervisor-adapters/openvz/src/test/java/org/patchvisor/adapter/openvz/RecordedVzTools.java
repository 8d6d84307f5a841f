package org.patchvisor.adapter.openvz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.patchvisor.io.ProcessRunner;

/**
 * A fake of the OpenVZ/Virtuozzo tools, which cannot run on this machine: it answers an exact argv with a
 * recorded output from the fixtures and remembers what was run. Programs not recorded are "not installed".
 */
final class RecordedVzTools implements ProcessRunner {
    private final Map<List<String>, Result> answers = new HashMap<>();
    final List<List<String>> ran = new ArrayList<>();

    RecordedVzTools answer(List<String> argv, Result result) {
        answers.put(argv, result);
        return this;
    }

    RecordedVzTools answerFromFixture(List<String> argv, String fixture) throws IOException {
        return answer(argv, new Result(0, Files.readString(fixture(fixture)), ""));
    }

    static Path fixture(String name) {
        return Path.of("src/test/resources/openvz", name);
    }

    @Override
    public Result run(List<String> argv, Duration timeout) throws IOException {
        ran.add(argv);
        Result result = answers.get(argv);
        if (result == null) {
            throw new IOException("not recorded: " + argv);
        }
        return result;
    }

    @Override
    public boolean available(String program) {
        return answers.keySet().stream().anyMatch(argv -> argv.get(0).equals(program));
    }
}
