package dev.secretstore.node.transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The addresses the member list's hosts resolve to: the member sources of {@link HandshakeGate}
 * (SEC-36). An IP literal is its own address; a host name is resolved when the transport starts
 * (from the already resolved address, if any) and again by {@link #resolve()}, which keeps a
 * name's previous addresses when it does not resolve (a DNS failure never turns a member away).
 * {@link #resolve()} blocks on DNS, so callers run it off the event loops; the scheduling
 * decision ({@link #tryBegin}) is pure and bounds how often it runs. Thread-safe.
 */
final class MemberAddresses {
    /** Name resolution, replaceable in tests. */
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final System.Logger LOG = System.getLogger(MemberAddresses.class.getName());

    private final List<String> hosts;
    private final List<List<InetAddress>> addresses;
    private final Resolver resolver;
    private final long minSpacingNanos;
    private boolean inFlight;
    private long lastBegin;
    private boolean begun;

    MemberAddresses(Collection<InetSocketAddress> members, Resolver resolver, long minSpacingNanos) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.minSpacingNanos = minSpacingNanos;
        List<String> h = new ArrayList<>();
        List<List<InetAddress>> a = new ArrayList<>();
        for (InetSocketAddress m : members) {
            h.add(m.getHostString());
            a.add(m.isUnresolved() ? List.of() : List.of(m.getAddress()));
        }
        this.hosts = List.copyOf(h);
        this.addresses = a;
    }

    /** True when some member is given by a host name (so re-resolving can change anything). */
    boolean hasNames() {
        return hosts.stream().anyMatch(h -> !isLiteral(h));
    }

    /** The current addresses, one collection per member. */
    synchronized List<List<InetAddress>> current() {
        return List.copyOf(addresses);
    }

    /**
     * Whether a resolution may start now: none is running and the last began at least the minimum
     * spacing ago (a refusal-triggered resolution can therefore run at most once per spacing).
     * When true, the caller must run {@link #resolve()}.
     */
    synchronized boolean tryBegin(long now) {
        if (inFlight || (begun && now - lastBegin < minSpacingNanos)) return false;
        inFlight = true;
        begun = true;
        lastBegin = now;
        return true;
    }

    /** Ends a resolution begun by {@link #tryBegin} that will not run. */
    synchronized void abandon() {
        inFlight = false;
    }

    /** Resolves every host name again (blocking) and returns the addresses, one collection per member. */
    List<List<InetAddress>> resolve() {
        try {
            for (int i = 0; i < hosts.size(); i++) {
                String host = hosts.get(i);
                if (isLiteral(host)) continue;
                try {
                    List<InetAddress> found = List.of(resolver.resolve(host));
                    synchronized (this) {
                        addresses.set(i, found);
                    }
                } catch (UnknownHostException | SecurityException e) {
                    LOG.log(System.Logger.Level.WARNING, "member host {0} does not resolve; keeping its previous addresses", host);
                }
            }
            return current();
        } finally {
            synchronized (this) {
                inFlight = false;
            }
        }
    }

    static boolean isLiteral(String host) {
        return IPV4.matcher(host).matches() || host.indexOf(':') >= 0;
    }
}
