package org.patchvisor.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * "90", "90s", "500ms", "2m", "1h": durations as an administrator types them. A bare number is seconds. Zero is
 * refused here, once for every option that bounds a wait or paces a loop, where it makes no sense: a zero
 * {@code --poll} would spin, a zero {@code --timeout} would give up before the kernel could answer. {@link OrZero}
 * is for the few options where zero means "do not wait".
 */
public final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern FORM = Pattern.compile("(\\d+)(ms|s|m|h|d)?");
    private static final String EXAMPLES = " (examples: 60, 90s, 500ms, 2m, 4h)";

    @Override
    public Duration convert(String value) {
        Duration duration = parse(value);
        if (duration.isZero()) {
            throw new TypeConversionException("'" + value + "' is not a positive duration" + EXAMPLES);
        }
        return duration;
    }

    /** {@code --lock-wait}, {@code --give-up-after}: zero is a choice there (try the lock once; never retry). */
    public static final class OrZero implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return parse(value);
        }
    }

    private static Duration parse(String value) {
        Matcher m = FORM.matcher(value.trim());
        if (!m.matches()) {
            throw new TypeConversionException("'" + value + "' is not a duration" + EXAMPLES);
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofSeconds(n);
        };
    }
}
