package dev.secretstore.http;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code Host} header allow-list of the key server HTTP API and the JSON-RPC service (security.md
 * SEC-37, DNS rebinding). A request is served only when its {@code Host} names this server:
 * <ul>
 *   <li>always: {@code localhost}, a loopback literal ({@code 127.0.0.0/8}, {@code [::1]}) or the bound
 *       IP literal, each without a port or with the bound port; when bound to a wildcard address
 *       ({@code 0.0.0.0}, {@code ::}) every IP literal counts as the bound address, since a rebinding
 *       attack needs a host name;</li>
 *   <li>in addition, the configured entries: a host name or IP literal, with an optional port
 *       ({@code name} matches any port, {@code name:port} that port only);</li>
 *   <li>or every host, when the setting is {@code "*"}.</li>
 * </ul>
 * Names compare case-insensitively and without one trailing dot; IP literals compare as addresses
 * ({@code [0:0:0:0:0:0:0:1]} is {@code [::1]}). No name is ever resolved. A missing {@code Host} is
 * refused on HTTP/1.1 and later (RFC 9112 §3.2) and accepted on HTTP/1.0; several {@code Host}
 * headers are refused. A refused request gets {@link #REFUSED_STATUS} with {@link #REFUSED_BODY}
 * before any other processing.
 */
public final class HostAllowList {
    /** Status of a refused request. */
    public static final int REFUSED_STATUS = 403;
    /** Content type of a refused request's body: plain text, unlike every JSON answer of both services. */
    public static final String REFUSED_CONTENT_TYPE = "text/plain; charset=utf-8";
    private static final String REFUSED_TEXT = "Host not allowed\n";
    /** Body of a refused request ({@code Host not allowed} and a newline). */
    public static final byte[] REFUSED_BODY = REFUSED_TEXT.getBytes(StandardCharsets.US_ASCII);

    private final boolean any;
    private final List<Entry> entries;

    private HostAllowList(boolean any, List<Entry> entries) {
        this.any = any;
        this.entries = List.copyOf(entries);
    }

    /** Only the defaults: localhost, loopback literals and the bound address. */
    public static HostAllowList defaults() {
        return new HostAllowList(false, List.of());
    }

    /** Every host ({@code "*"}): turns the check off. */
    public static HostAllowList anyHost() {
        return new HostAllowList(true, List.of());
    }

    /**
     * The configuration's list: empty → {@link #defaults()}; {@code ["*"]} → {@link #anyHost()};
     * otherwise host names or IP literals (IPv6 in brackets), each with an optional port, added to
     * the defaults.
     *
     * @throws IllegalArgumentException with a human message naming the first bad entry
     */
    public static HostAllowList of(List<String> values) {
        Objects.requireNonNull(values, "values");
        if (values.size() == 1 && values.get(0).equals("*")) return anyHost();
        List<Entry> parsed = new ArrayList<>();
        for (String v : values) {
            if (v.equals("*")) throw new IllegalArgumentException("\"*\" must be the only entry, not part of a list");
            Entry e = Entry.parse(v).orElseThrow(() -> new IllegalArgumentException("\"" + v
                    + "\" is not a host; expected a host name or an IP literal (IPv6 in brackets), optionally with :port, or \"*\" alone"));
            parsed.add(e);
        }
        return new HostAllowList(false, parsed);
    }

    /** A command-line option: a comma-separated list (entries trimmed, empty ones dropped); see {@link #of}. */
    public static HostAllowList parse(String option) {
        if (option == null) return defaults();
        List<String> list = List.of(option.split(",")).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        return of(list);
    }

    /** True when every host is allowed. */
    public boolean isAny() {
        return any;
    }

    /**
     * Whether a request may be served.
     *
     * @param hostHeaders every {@code Host} header value of the request (null or empty when none)
     * @param protocol    the request line's protocol, e.g. {@code HTTP/1.1}
     * @param bound       the listener's bound address
     */
    public boolean admits(List<String> hostHeaders, String protocol, InetSocketAddress bound) {
        if (any) return true;
        if (hostHeaders == null || hostHeaders.isEmpty()) return "HTTP/1.0".equalsIgnoreCase(protocol);
        return hostHeaders.size() == 1 && allows(hostHeaders.get(0), bound);
    }

    /** Whether one {@code Host} header value names this server (bound to {@code bound}). */
    public boolean allows(String host, InetSocketAddress bound) {
        if (any) return true;
        if (host == null) return false;
        Optional<Entry> parsed = Entry.parse(host.strip());
        if (parsed.isEmpty()) return false;
        Entry h = parsed.get();
        if (h.port < 0 || h.port == bound.getPort()) {
            if (h.address == null ? h.name.equals("localhost") : isThisServer(h.address, bound.getAddress())) return true;
        }
        for (Entry e : entries) {
            if (e.matches(h)) return true;
        }
        return false;
    }

    private static boolean isThisServer(InetAddress host, InetAddress bound) {
        if (host.isLoopbackAddress()) return true;
        if (bound == null) return false;
        return bound.isAnyLocalAddress() || bound.equals(host);
    }

    @Override
    public String toString() {
        if (any) return "*";
        return entries.isEmpty() ? "defaults" : "defaults," + String.join(",", entries.stream().map(Entry::toString).toList());
    }

    /** A host (a lower-case name without trailing dot, or an IP literal) and a port, -1 for none. */
    private record Entry(String name, InetAddress address, int port) {
        boolean matches(Entry h) {
            if (port >= 0 && port != h.port) return false;
            return address == null ? h.address == null && name.equals(h.name) : address.equals(h.address);
        }

        @Override
        public String toString() {
            String host = address == null ? name : address instanceof Inet4Address ? name : "[" + name + "]";
            return port < 0 ? host : host + ":" + port;
        }

        /** {@code host[:port]}, {@code [v6][:port]}; empty when it is not one. */
        static Optional<Entry> parse(String value) {
            if (value.startsWith("[")) {
                int close = value.indexOf(']');
                if (close < 0) return Optional.empty();
                String literal = value.substring(1, close);
                String rest = value.substring(close + 1);
                if (!rest.isEmpty() && !rest.startsWith(":")) return Optional.empty();
                Optional<Integer> p = port(rest.isEmpty() ? null : rest.substring(1));
                Optional<InetAddress> a = ipv6(literal);
                if (a.isEmpty() || p.isEmpty()) return Optional.empty();
                return Optional.of(new Entry(literal.toLowerCase(Locale.ROOT), a.get(), p.get()));
            }
            String host;
            String port = null;
            int colon = value.indexOf(':');
            if (colon >= 0) {
                if (value.indexOf(':', colon + 1) >= 0) return Optional.empty(); // a bare IPv6 literal is not a Host
                host = value.substring(0, colon);
                port = value.substring(colon + 1);
            } else {
                host = value;
            }
            Optional<Integer> p = port(port);
            if (p.isEmpty()) return Optional.empty();
            Optional<InetAddress> v4 = ipv4(host);
            if (v4.isPresent()) return Optional.of(new Entry(host, v4.get(), p.get()));
            String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
            name = name.toLowerCase(Locale.ROOT);
            if (!isName(name)) return Optional.empty();
            return Optional.of(new Entry(name, null, p.get()));
        }

        /** -1 for no port; empty when {@code digits} is present but not a port number. */
        private static Optional<Integer> port(String digits) {
            if (digits == null) return Optional.of(-1);
            if (!digits.matches("[0-9]{1,5}")) return Optional.empty();
            int p = Integer.parseInt(digits);
            return p <= 65535 ? Optional.of(p) : Optional.empty();
        }

        private static Optional<InetAddress> ipv4(String s) {
            if (!s.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) return Optional.empty();
            String[] parts = s.split("\\.");
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                int v = Integer.parseInt(parts[i]);
                if (v > 255) return Optional.empty();
                b[i] = (byte) v;
            }
            try {
                return Optional.of(InetAddress.getByAddress(b));
            } catch (UnknownHostException e) {
                return Optional.empty();
            }
        }

        /** An IPv6 literal (no zone); the JDK parses a string holding ':' as a literal and never resolves it. */
        private static Optional<InetAddress> ipv6(String s) {
            if (s.indexOf(':') < 0 || !s.matches("[0-9A-Fa-f:.]+")) return Optional.empty();
            try {
                return Optional.of(InetAddress.getByName(s));
            } catch (UnknownHostException e) {
                return Optional.empty();
            }
        }

        /** DNS labels of letters, digits and hyphens (not at a label's ends), at most 253 characters. */
        private static boolean isName(String s) {
            return !s.isEmpty() && s.length() <= 253
                    && s.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
        }
    }
}
