package dev.secretstore.node.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** Typed, checked access to one TOML table; every error names the file, section and option. */
final class Section {
    private final Path file;
    private final String name;
    private final ObjectNode table;

    Section(Path file, String name, ObjectNode table) {
        this.file = file;
        this.name = name;
        this.table = table;
    }

    String name() {
        return name;
    }

    boolean has(String key) {
        return table.has(key);
    }

    Iterator<String> keys() {
        return table.fieldNames();
    }

    ConfigException error(String option, String problem) {
        return new ConfigException(file, name, option, problem);
    }

    private static String typeOf(JsonNode n) {
        if (n.isTextual()) return "a string";
        if (n.isBoolean()) return "a boolean";
        if (n.isIntegralNumber()) return "an integer";
        if (n.isNumber()) return "a number";
        if (n.isArray()) return "an array";
        if (n.isObject()) return "a table";
        return "a " + n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    Optional<String> string(String key) throws ConfigException {
        JsonNode n = table.get(key);
        if (n == null) return Optional.empty();
        if (!n.isTextual()) throw error(key, "expected a string, got " + typeOf(n));
        return Optional.of(n.textValue());
    }

    boolean isString(String key) {
        JsonNode n = table.get(key);
        return n != null && n.isTextual();
    }

    boolean bool(String key, boolean dflt) throws ConfigException {
        JsonNode n = table.get(key);
        if (n == null) return dflt;
        if (!n.isBoolean()) throw error(key, "expected true or false, got " + typeOf(n));
        return n.booleanValue();
    }

    OptionalInt integer(String key, long min, long max, String what) throws ConfigException {
        JsonNode n = table.get(key);
        if (n == null) return OptionalInt.empty();
        if (!n.isIntegralNumber()) throw error(key, "expected " + what + ", got " + typeOf(n));
        if (!n.canConvertToLong() || n.longValue() < min || n.longValue() > max) {
            throw error(key, n.asText() + " is out of range; expected " + what);
        }
        return OptionalInt.of((int) n.longValue());
    }

    int port(String key, int dflt) throws ConfigException {
        return integer(key, 1, 65535, "a port number from 1 to 65535").orElse(dflt);
    }

    /** An array of strings; when {@code singleStringAllowed}, a lone string counts as a one-element list. */
    Optional<List<String>> strings(String key, boolean singleStringAllowed) throws ConfigException {
        JsonNode n = table.get(key);
        if (n == null) return Optional.empty();
        if (n.isTextual() && singleStringAllowed) return Optional.of(List.of(n.textValue()));
        if (!n.isArray()) {
            throw error(key, "expected an array of strings" + (singleStringAllowed ? " or a string" : "") + ", got " + typeOf(n));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            JsonNode e = n.get(i);
            if (!e.isTextual()) throw error(key, "entry " + (i + 1) + " is " + typeOf(e) + "; expected a string");
            out.add(e.textValue());
        }
        return Optional.of(out);
    }
}
