package dev.secretstore.http.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A request's headers in arrival order; names compare case-insensitively. Immutable. */
public final class RequestHeaders {
    private final List<Map.Entry<String, String>> entries;

    private RequestHeaders(List<Map.Entry<String, String>> entries) {
        this.entries = List.copyOf(entries);
    }

    public static RequestHeaders of(List<Map.Entry<String, String>> entries) {
        return new RequestHeaders(entries);
    }

    /** Pairs of name and value: {@code of("Host", "a", "Origin", "b")}. */
    public static RequestHeaders of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) throw new IllegalArgumentException("names and values come in pairs");
        List<Map.Entry<String, String>> list = new ArrayList<>();
        for (int i = 0; i < namesAndValues.length; i += 2) list.add(Map.entry(namesAndValues[i], namesAndValues[i + 1]));
        return new RequestHeaders(list);
    }

    /** Every value of {@code name}, in order; empty when absent. */
    public List<String> all(String name) {
        List<String> out = new ArrayList<>(1);
        for (Map.Entry<String, String> e : entries) {
            if (e.getKey().equalsIgnoreCase(name)) out.add(e.getValue());
        }
        return out;
    }

    /** The first value of {@code name}, or null. */
    public String first(String name) {
        for (Map.Entry<String, String> e : entries) {
            if (e.getKey().equalsIgnoreCase(name)) return e.getValue();
        }
        return null;
    }

    public List<Map.Entry<String, String>> entries() {
        return entries;
    }

    @Override
    public String toString() {
        // names only: values may carry credentials (Secretstore-Authorization)
        return entries.stream().map(e -> e.getKey().toLowerCase(Locale.ROOT)).toList().toString();
    }
}
