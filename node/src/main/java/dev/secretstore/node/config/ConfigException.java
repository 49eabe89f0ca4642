package dev.secretstore.node.config;

import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one error of configuration loading: which file, which section and option, what is wrong and
 * what is expected, as one human sentence. Messages never contain the node secret or any part of
 * it (security.md SEC-07): a malformed {@code self_secret} is described by its length only.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String section;
    private final String option;

    public ConfigException(Path file, String section, String option, String problem) {
        super(format(file, section, option, problem));
        this.file = file;
        this.section = section;
        this.option = option;
    }

    /** Any run of 32 or more hex digits: a key, or part of one, that must not reach a message. */
    private static final Pattern LONG_HEX = Pattern.compile("(?<![0-9A-Fa-f])[0-9A-Fa-f]{32,}(?![0-9A-Fa-f])");

    /**
     * Quotes a value from the file for a message; runs of 32 or more hex digits are replaced by their
     * length, so that a node secret pasted into the wrong option is never echoed (SEC-07).
     */
    static String quote(String value) {
        return "\"" + redact(value) + "\"";
    }

    /**
     * Replaces runs of 32 or more hex digits by their length, except an account address written {@code 0x} + exactly
     * 40 digits (public; the messages about a keystore account name it). A key is 64 digits and never spared.
     */
    static String redact(String text) {
        return LONG_HEX.matcher(text).replaceAll(m -> {
            boolean address = m.group().length() == 40 && m.start() >= 2 && text.startsWith("0x", m.start() - 2);
            return address ? m.group() : "<" + m.group().length() + " hex digits>";
        });
    }

    private static String format(Path file, String section, String option, String problem) {
        StringBuilder sb = new StringBuilder();
        if (file != null) sb.append(file).append(": ");
        if (section != null) sb.append('[').append(section).append("] ");
        if (option != null) sb.append(option).append(": ");
        sb.append(redact(problem)); // last line of defence; callers already quote values with quote()
        return sb.toString();
    }

    /** The configuration file, when the error is tied to one. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** The TOML section ({@code secretstore}, {@code secretstore_ext}, ...), when known. */
    public Optional<String> section() {
        return Optional.ofNullable(section);
    }

    /** The option (TOML key) at fault, when the error is about one. */
    public Optional<String> option() {
        return Optional.ofNullable(option);
    }
}
