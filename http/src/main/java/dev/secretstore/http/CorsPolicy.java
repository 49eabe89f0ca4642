package dev.secretstore.http;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Parity's CORS setting and rules, the one CORS type of the key server HTTP API and the JSON-RPC
 * service (http-api.md §10, from {@code paritytech/jsonrpc} server-utils): {@code none} (the
 * default: no cross-origin request is allowed), any origin ({@code *}, {@code all}, {@code any}), or
 * a list of origins, each an exact origin, {@code null}, {@code *} or a glob pattern using {@code *}.
 * {@link #decide} is a pure function of the setting and two request headers.
 */
public sealed interface CorsPolicy {
    /** The outcome for one request. */
    sealed interface Decision {
        /** No Origin, same origin, or {@code Origin: null} in any-origin mode: proceed, no ACAO header. */
        record NotCrossOrigin() implements Decision {}

        /** A permitted cross-origin request: proceed, echo this origin in ACAO. */
        record Allowed(String origin) implements Decision {}

        /** Not permitted: 404 with an empty body, nothing else happens. */
        record Rejected() implements Decision {}
    }

    /** No cross-origin request is allowed (the default). */
    record None() implements CorsPolicy {
        @Override
        public String toString() {
            return "none";
        }
    }

    /** Every origin is allowed. */
    record Any() implements CorsPolicy {
        @Override
        public String toString() {
            return "any";
        }
    }

    /** Only the listed origins (exact, {@code null}, {@code *} or glob patterns). */
    record Origins(List<String> origins) implements CorsPolicy {
        public Origins {
            origins = List.copyOf(origins);
            if (origins.isEmpty()) throw new IllegalArgumentException("an origin list is never empty; use None");
        }

        @Override
        public String toString() {
            return String.join(",", origins);
        }
    }

    static CorsPolicy none() {
        return new None();
    }

    static CorsPolicy anyOrigin() {
        return new Any();
    }

    /**
     * Interprets a list of CORS entries as Parity does (the node configuration's {@code cors}): a
     * single {@code none} → none; a single {@code *}/{@code all}/{@code any} → any; otherwise origins.
     * An empty list is none.
     *
     * @throws IllegalArgumentException with a human message when an entry is not acceptable
     */
    static CorsPolicy of(List<String> entries) {
        Objects.requireNonNull(entries, "entries");
        if (entries.isEmpty()) return new None();
        for (String e : entries) {
            if (e.isBlank()) throw new IllegalArgumentException("an empty origin is not allowed");
            if (!e.equals(e.strip())) throw new IllegalArgumentException("origin " + quote(e) + " has surrounding spaces");
        }
        if (entries.size() == 1) {
            String only = entries.get(0);
            if (only.equals("none")) return new None();
            if (only.equals("*") || only.equals("all") || only.equals("any")) return new Any();
        }
        for (String e : entries) {
            if (e.equals("none") || e.equals("all") || e.equals("any")) {
                throw new IllegalArgumentException(quote(e) + " must be the only entry, not part of a list");
            }
            if (!e.equals("null") && !e.equals("*") && !e.matches("[A-Za-z][A-Za-z0-9+.-]*://[^\\s/?#]+|[^\\s/?#:]*\\*[^\\s/?#]*")) {
                throw new IllegalArgumentException(quote(e) + " is not an origin; expected scheme://host[:port], \"null\", \"*\" or a pattern with *");
            }
        }
        return new Origins(entries);
    }

    /**
     * Parses the JSON-RPC service's {@code --cors} option leniently: {@code none} (any case, or
     * absent or empty), {@code *}/{@code all}/{@code any} (any case), or a comma-separated list whose
     * entries are trimmed and whose empty entries are dropped.
     */
    static CorsPolicy parse(String option) {
        String v = option == null ? "none" : option.trim();
        if (v.isEmpty() || v.equalsIgnoreCase("none")) return none();
        if (v.equals("*") || v.equalsIgnoreCase("all") || v.equalsIgnoreCase("any")) return anyOrigin();
        List<String> list = List.of(v.split(",")).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        return list.isEmpty() ? none() : new Origins(list);
    }

    /**
     * @param origin the {@code Origin} header or null
     * @param host the {@code Host} header or null
     */
    default Decision decide(String origin, String host) {
        boolean any = this instanceof Any;
        List<String> entries = this instanceof Origins o ? o.origins() : List.of();
        if (origin == null) return new Decision.NotCrossOrigin();
        Optional<String> normalized = normalize(origin);
        if (normalized.isPresent() && host != null && sameHost(origin, host)) return new Decision.NotCrossOrigin();
        if (origin.equals("null")) {
            if (any) return new Decision.NotCrossOrigin();
            return entries.contains("null") ? new Decision.Allowed("null") : new Decision.Rejected();
        }
        if (normalized.isEmpty()) return new Decision.Rejected();
        if (any) return new Decision.Allowed(normalized.get());
        for (String entry : entries) {
            if (entry.equals("*") || matches(entry, normalized.get())) return new Decision.Allowed(normalized.get());
        }
        return new Decision.Rejected();
    }

    /** {@code scheme://host[:port]} of an origin, or empty if it is not one. */
    private static Optional<String> normalize(String origin) {
        try {
            URI uri = new URI(origin);
            if (uri.getScheme() == null || uri.getHost() == null) return Optional.empty();
            String s = uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getHost().toLowerCase(Locale.ROOT);
            return Optional.of(uri.getPort() >= 0 ? s + ":" + uri.getPort() : s);
        } catch (java.net.URISyntaxException e) {
            return Optional.empty();
        }
    }

    private static boolean sameHost(String origin, String host) {
        try {
            URI uri = new URI(origin);
            String hostPort = uri.getPort() >= 0 ? uri.getHost() + ":" + uri.getPort() : uri.getHost();
            return host.equalsIgnoreCase(hostPort);
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    /** An entry without {@code *} matches its normalized origin exactly; {@code *} matches any run of characters. */
    private static boolean matches(String entry, String origin) {
        if (!entry.contains("*")) {
            return normalize(entry).map(origin::equals).orElse(false);
        }
        String regex = Arrays.stream(entry.toLowerCase(Locale.ROOT).split("\\*", -1))
                .map(Pattern::quote)
                .collect(Collectors.joining(".*"));
        return Pattern.matches(regex, origin);
    }

    private static String quote(String value) {
        return "\"" + value + "\"";
    }
}
