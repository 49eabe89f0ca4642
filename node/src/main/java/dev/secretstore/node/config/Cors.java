package dev.secretstore.node.config;

import java.util.List;
import java.util.Objects;

/**
 * A CORS setting (spec/http-api.md §10): {@code none} (the default: no cross-origin request is
 * allowed), any origin ({@code *}, {@code all}, {@code any}), or a list of origins, each an exact
 * origin, {@code null}, {@code *} or a glob pattern using {@code *}.
 */
public sealed interface Cors {
    /** No cross-origin request is allowed (the default). */
    record None() implements Cors {
        @Override
        public String toString() {
            return "none";
        }
    }

    /** Every origin is allowed. */
    record Any() implements Cors {
        @Override
        public String toString() {
            return "any";
        }
    }

    /** Only the listed origins (exact, {@code null}, {@code *} or glob patterns). */
    record Origins(List<String> origins) implements Cors {
        public Origins {
            origins = List.copyOf(origins);
            if (origins.isEmpty()) throw new IllegalArgumentException("an origin list is never empty; use None");
        }

        @Override
        public String toString() {
            return String.join(",", origins);
        }
    }

    static Cors none() {
        return new None();
    }

    /**
     * Interprets a list of CORS entries as Parity does: a single {@code none} → none; a single
     * {@code *}/{@code all}/{@code any} → any; otherwise origins. An empty list is none.
     *
     * @throws IllegalArgumentException with a human message when an entry is not acceptable
     */
    static Cors of(List<String> entries) {
        Objects.requireNonNull(entries, "entries");
        if (entries.isEmpty()) return new None();
        for (String e : entries) {
            if (e.isBlank()) throw new IllegalArgumentException("an empty origin is not allowed");
            if (!e.equals(e.strip())) throw new IllegalArgumentException("origin " + ConfigException.quote(e) + " has surrounding spaces");
        }
        if (entries.size() == 1) {
            String only = entries.get(0);
            if (only.equals("none")) return new None();
            if (only.equals("*") || only.equals("all") || only.equals("any")) return new Any();
        }
        for (String e : entries) {
            if (e.equals("none") || e.equals("all") || e.equals("any")) {
                throw new IllegalArgumentException(ConfigException.quote(e) + " must be the only entry, not part of a list");
            }
            if (!e.equals("null") && !e.equals("*") && !e.matches("[A-Za-z][A-Za-z0-9+.-]*://[^\\s/?#]+|[^\\s/?#:]*\\*[^\\s/?#]*")) {
                throw new IllegalArgumentException(ConfigException.quote(e) + " is not an origin; expected scheme://host[:port], \"null\", \"*\" or a pattern with *");
            }
        }
        return new Origins(entries);
    }
}
