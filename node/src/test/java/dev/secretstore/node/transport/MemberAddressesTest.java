package dev.secretstore.node.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SEC-36: member host names are resolved again, bounded in frequency, keeping old addresses on failure. */
class MemberAddressesTest {
    private static final long SECOND = 1_000_000_000L;
    private final Map<String, InetAddress[]> dns = new HashMap<>();
    private int lookups;

    private InetAddress[] resolve(String host) throws UnknownHostException {
        lookups++;
        InetAddress[] a = dns.get(host);
        if (a == null) throw new UnknownHostException(host);
        return a;
    }

    @Test
    void namesAreResolvedAgainLiteralsNever_SEC36() throws Exception {
        InetAddress a1 = InetAddress.getByName("10.0.0.1");
        InetAddress a2 = InetAddress.getByName("10.0.0.2");
        MemberAddresses m = new MemberAddresses(List.of(
                new InetSocketAddress(InetAddress.getByAddress("node1.example", a1.getAddress()), 8083),
                new InetSocketAddress(InetAddress.getByName("10.9.9.9"), 8083),
                InetSocketAddress.createUnresolved("node3.example", 8083)), this::resolve, 10 * SECOND);
        assertThat(m.hasNames()).isTrue();
        assertThat(m.current()).containsExactly(List.of(a1), List.of(InetAddress.getByName("10.9.9.9")), List.of());

        dns.put("node1.example", new InetAddress[] {a2});
        dns.put("node3.example", new InetAddress[] {a1});
        assertThat(m.tryBegin(0)).isTrue();
        assertThat(m.tryBegin(0)).as("one at a time").isFalse();
        assertThat(m.resolve()).containsExactly(List.of(a2), List.of(InetAddress.getByName("10.9.9.9")), List.of(a1));
        assertThat(lookups).isEqualTo(2);

        assertThat(m.tryBegin(9 * SECOND)).as("within the minimum spacing").isFalse();
        assertThat(m.tryBegin(10 * SECOND)).isTrue();
        dns.clear(); // DNS down: the previous addresses stay
        assertThat(m.resolve()).containsExactly(List.of(a2), List.of(InetAddress.getByName("10.9.9.9")), List.of(a1));
    }

    @Test
    void literalsOnlyNeedNoResolution_SEC36() throws Exception {
        MemberAddresses m = new MemberAddresses(List.of(new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 1),
                new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 1)), this::resolve, SECOND);
        assertThat(m.hasNames()).isFalse();
        assertThat(m.tryBegin(0)).isTrue();
        m.resolve();
        assertThat(lookups).isZero();
    }
}
