package org.patchvisor.feed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code /etc/patchvisor/patchvisor.conf}: one {@code key = value} per line, blank lines and lines starting with
 * {@code #} ignored, a key may repeat. Only the syntax is checked here; each part of patchvisor reads its own keys
 * (see {@link FeedConfig}), so other sections can add keys without touching this parser.
 */
public final class ConfigFile {
    public static final Path DEFAULT = Path.of("/etc/patchvisor/patchvisor.conf");
    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9-]*");

    private final Path source;
    private final Map<String, List<String>> values;

    private ConfigFile(Path source, Map<String, List<String>> values) {
        this.source = source;
        this.values = values;
    }

    public static ConfigFile read(Path file) throws FeedConfigException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new FeedConfigException("config file " + file + " does not exist (use --config to name another)");
        } catch (IOException e) {
            throw new FeedConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        return parse(file, lines);
    }

    public static ConfigFile parse(Path source, List<String> lines) throws FeedConfigException {
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int equals = line.indexOf('=');
            String key = equals < 0 ? "" : line.substring(0, equals).strip();
            if (!KEY.matcher(key).matches()) {
                throw new FeedConfigException(source + " line " + (i + 1) + ": expected 'key = value', got '" + line + "'");
            }
            values.computeIfAbsent(key, k -> new ArrayList<>()).add(line.substring(equals + 1).strip());
        }
        return new ConfigFile(source, values);
    }

    public List<String> all(String key) {
        return List.copyOf(values.getOrDefault(key, List.of()));
    }

    /** The single value of a key that must not repeat. */
    public java.util.Optional<String> single(String key) throws FeedConfigException {
        List<String> list = all(key);
        if (list.size() > 1) {
            throw new FeedConfigException(source + ": '" + key + "' is given " + list.size() + " times, expected once");
        }
        return list.stream().findFirst();
    }

    public Path source() {
        return source;
    }
}
