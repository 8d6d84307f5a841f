package org.patchvisor.feed;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.patchvisor.io.RegularFiles;
import org.patchvisor.io.UnsafeFileException;
import org.patchvisor.io.Utf8Text;

/**
 * {@code /etc/patchvisor/patchvisor.conf}: one {@code key = value} per line, blank lines and lines starting with
 * {@code #} ignored, a key may repeat. Only the syntax is checked here (including that every value is there: an
 * empty {@code state-dir =} must not quietly mean the current directory); each part of patchvisor reads its own
 * keys (see {@link FeedConfig}), so other sections can add keys without touching this parser.
 */
public final class ConfigFile {
    public static final Path DEFAULT = Path.of("/etc/patchvisor/patchvisor.conf");
    /** A config file is a few dozen lines; anything near this size is not one (or is /dev/zero). */
    static final long MAX_BYTES = 1L << 20;
    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9-]*");

    /** One value as written, with the line it is on, so a bad value can be pointed at. */
    public record Value(String text, int line) {
    }

    private final Path source;
    private final Map<String, List<Value>> values;

    private ConfigFile(Path source, Map<String, List<Value>> values) {
        this.source = source;
        this.values = values;
    }

    public static ConfigFile read(Path file) throws FeedConfigException {
        return parse(file, text(file).lines().toList(), key -> true, skipped -> { });
    }

    /**
     * Only the lines of {@code keys}, each checked as {@link #read} checks it, for a command that reads nothing
     * else from the file. A malformed line of any other key, or one that is no {@code key = value} at all, goes
     * to {@code skipped} instead of failing the command: a typo in a feed setting must not stop the boot reload
     * from finding its state directory.
     */
    public static ConfigFile readOnly(Path file, Collection<String> keys, Consumer<String> skipped)
            throws FeedConfigException {
        return parse(file, text(file).lines().toList(), keys::contains, skipped);
    }

    private static String text(Path file) throws FeedConfigException {
        try {
            // The administrator names this file (--config), so a link to it is theirs; its target must be regular.
            return Utf8Text.decode(file, RegularFiles.read(file, MAX_BYTES, RegularFiles.Links.FOLLOW));
        } catch (NoSuchFileException e) {
            throw new FeedConfigException("config file " + file + " does not exist (use --config to name another)");
        } catch (UnsafeFileException | Utf8Text.NotUtf8Exception e) {
            throw new FeedConfigException("config file " + e.getMessage());
        } catch (FileSystemException e) {
            throw new FeedConfigException("cannot read config file " + file + ": "
                    + (e.getReason() == null ? e.getClass().getSimpleName() : e.getReason()));
        } catch (IOException e) {
            throw new FeedConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
    }

    public static ConfigFile parse(Path source, List<String> lines) throws FeedConfigException {
        return parse(source, lines, key -> true, skipped -> { });
    }

    /** The lines whose key {@code read} accepts; a bad line of another key goes to {@code skipped}. */
    private static ConfigFile parse(Path source, List<String> lines, Predicate<String> read, Consumer<String> skipped)
            throws FeedConfigException {
        Map<String, List<Value>> values = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            Optional<Line> parsed = Line.of(source, lines.get(i), i + 1);
            if (parsed.isEmpty()) {
                continue;
            }
            Line line = parsed.get();
            if (!read.test(line.key())) {
                line.problem().ifPresent(skipped);
            } else if (line.problem().isPresent()) {
                throw new FeedConfigException(line.problem().get());
            } else {
                values.computeIfAbsent(line.key(), k -> new ArrayList<>()).add(line.value());
            }
        }
        return new ConfigFile(source, values);
    }

    /**
     * One line that is neither blank nor a comment: the key as written (perhaps no valid key), its value, and what
     * is wrong with it, if anything. The syntax rule, the same for every way of reading the file.
     */
    private record Line(String key, Value value, Optional<String> problem) {
        static Optional<Line> of(Path source, String text, int number) {
            String line = text.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                return Optional.empty();
            }
            int equals = line.indexOf('=');
            String key = equals < 0 ? "" : line.substring(0, equals).strip();
            if (!KEY.matcher(key).matches()) {
                return bad(key, source + " line " + number + ": expected 'key = value', got '" + line + "'");
            }
            String value = line.substring(equals + 1).strip();
            if (value.isEmpty()) {
                return bad(key, source + " line " + number + ": '" + key
                        + "' has no value (comment the line out to use the default)");
            }
            return Optional.of(new Line(key, new Value(value, number), Optional.empty()));
        }

        private static Optional<Line> bad(String key, String problem) {
            return Optional.of(new Line(key, null, Optional.of(problem)));
        }
    }

    public List<String> all(String key) {
        return values(key).stream().map(Value::text).toList();
    }

    /** Every value of a key with its line, in file order. */
    public List<Value> values(String key) {
        return List.copyOf(values.getOrDefault(key, List.of()));
    }

    /** The single value of a key that must not repeat. */
    public Optional<String> single(String key) throws FeedConfigException {
        return singleValue(key).map(Value::text);
    }

    /** As {@link #single}, with its line. */
    public Optional<Value> singleValue(String key) throws FeedConfigException {
        List<Value> list = values(key);
        if (list.size() > 1) {
            throw new FeedConfigException(source + ": '" + key + "' is given " + list.size() + " times (lines "
                    + String.join(", ", list.stream().map(v -> Integer.toString(v.line())).toList()) + "), expected once");
        }
        return list.stream().findFirst();
    }

    /**
     * One line per key that no part of patchvisor reads, such as a misspelt {@code repostory}: worth a warning,
     * not a refusal, so a config written for a newer patchvisor still works with an older one.
     */
    public List<String> unknownKeys(Collection<String> known) {
        List<String> warnings = new ArrayList<>();
        values.forEach((key, list) -> {
            if (!known.contains(key)) {
                for (Value value : list) {
                    warnings.add(source + " line " + value.line() + ": unknown key '" + key + "' is ignored");
                }
            }
        });
        return warnings;
    }

    /** "FILE line N: " for messages about one value. */
    public String at(Value value) {
        return source + " line " + value.line() + ": ";
    }

    public Path source() {
        return source;
    }
}
