package dev.secretstore.rpc.http;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Parity's CORS rules, shared by the key server HTTP API and the JSON-RPC service (http-api.md §10.1, from {@code paritytech/jsonrpc} server-utils) as a pure
 * function: configured as {@code none} (the default), any origin ({@code *}, {@code all}, {@code any}),
 * or a list of exact origins, {@code null}, {@code *} or {@code *}-globs.
 */
public final class CorsPolicy {
    /** The outcome for one request. */
    public sealed interface Decision {
        /** No Origin, same origin, or {@code Origin: null} in any-origin mode: proceed, no ACAO header. */
        record NotCrossOrigin() implements Decision {}

        /** A permitted cross-origin request: proceed, echo this origin in ACAO. */
        record Allowed(String origin) implements Decision {}

        /** Not permitted: 404 with an empty body, nothing else happens. */
        record Rejected() implements Decision {}
    }

    private final boolean any;
    private final List<String> entries;

    private CorsPolicy(boolean any, List<String> entries) {
        this.any = any;
        this.entries = entries;
    }

    public static CorsPolicy none() {
        return new CorsPolicy(false, List.of());
    }

    public static CorsPolicy anyOrigin() {
        return new CorsPolicy(true, List.of());
    }

    /** Parses the {@code cors} option: {@code none}, {@code *}/{@code all}/{@code any}, or a comma-separated list. */
    public static CorsPolicy parse(String option) {
        String v = option == null ? "none" : option.trim();
        if (v.isEmpty() || v.equalsIgnoreCase("none")) return none();
        if (v.equals("*") || v.equalsIgnoreCase("all") || v.equalsIgnoreCase("any")) return anyOrigin();
        List<String> list = List.of(v.split(",")).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        return new CorsPolicy(false, list);
    }

    public static CorsPolicy of(List<String> origins) {
        return new CorsPolicy(false, List.copyOf(origins));
    }

    /**
     * @param origin the {@code Origin} header or null
     * @param host the {@code Host} header or null
     */
    public Decision decide(String origin, String host) {
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
    static Optional<String> normalize(String origin) {
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
}
