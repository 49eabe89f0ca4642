package dev.secretstore.http.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** SEC-34: open-connection caps in total and per source (IPv4 address, IPv6 /64). */
class ConnectionLimiterTest {
    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void sec34PerSourceCapRefusesTheSourceNotOthers() throws Exception {
        ConnectionLimiter limiter = new ConnectionLimiter(10, 2);
        assertThat(limiter.tryOpen(ip("127.0.0.2"))).isNull();
        assertThat(limiter.tryOpen(ip("127.0.0.2"))).isNull();
        assertThat(limiter.tryOpen(ip("127.0.0.2"))).isEqualTo(ConnectionLimiter.Refusal.SOURCE);
        assertThat(limiter.tryOpen(ip("127.0.0.1"))).isNull();
        assertThat(limiter.open()).isEqualTo(3);
        assertThat(limiter.open(ip("127.0.0.2"))).isEqualTo(2);
        limiter.close(ip("127.0.0.2"));
        assertThat(limiter.tryOpen(ip("127.0.0.2"))).isNull();
    }

    @Test
    void sec34TotalCapRefusesEverySourceOnceFull() throws Exception {
        ConnectionLimiter limiter = new ConnectionLimiter(3, 2);
        assertThat(limiter.tryOpen(ip("10.0.0.1"))).isNull();
        assertThat(limiter.tryOpen(ip("10.0.0.2"))).isNull();
        assertThat(limiter.tryOpen(ip("10.0.0.3"))).isNull();
        assertThat(limiter.tryOpen(ip("10.0.0.4"))).isEqualTo(ConnectionLimiter.Refusal.TOTAL);
        limiter.close(ip("10.0.0.1"));
        assertThat(limiter.tryOpen(ip("10.0.0.4"))).isNull();
        assertThat(limiter.open()).isEqualTo(3);
    }

    @Test
    void sec34RefusalTakesNoSlot() throws Exception {
        ConnectionLimiter limiter = new ConnectionLimiter(2, 1);
        limiter.tryOpen(ip("10.0.0.1"));
        for (int i = 0; i < 5; i++) assertThat(limiter.tryOpen(ip("10.0.0.1"))).isNotNull();
        assertThat(limiter.open()).isEqualTo(1);
        limiter.close(ip("10.0.0.1"));
        assertThat(limiter.open()).isZero();
        assertThat(limiter.open(ip("10.0.0.1"))).isZero();
    }

    @Test
    void sec34ClosingASourceWithNoSlotDoesNotFreeAnotherSourcesSlot() throws Exception {
        ConnectionLimiter limiter = new ConnectionLimiter(1, 1);
        limiter.tryOpen(ip("10.0.0.1"));
        limiter.close(ip("10.0.0.9"));
        assertThat(limiter.open()).isEqualTo(1);
        assertThat(limiter.tryOpen(ip("10.0.0.2"))).isEqualTo(ConnectionLimiter.Refusal.TOTAL);
    }

    @Test
    void sec34Ipv6AddressesInOne64CountAsOneSource() throws Exception {
        ConnectionLimiter limiter = new ConnectionLimiter(100, 2);
        assertThat(limiter.tryOpen(ip("2001:db8:1:2::1"))).isNull();
        assertThat(limiter.tryOpen(ip("2001:db8:1:2:ffff:ffff:ffff:fffe"))).isNull();
        assertThat(limiter.tryOpen(ip("2001:db8:1:2:1234::77"))).isEqualTo(ConnectionLimiter.Refusal.SOURCE);
        // the neighbouring /64 is another source
        assertThat(limiter.tryOpen(ip("2001:db8:1:3::1"))).isNull();
        assertThat(limiter.open(ip("2001:db8:1:2::abcd"))).isEqualTo(2);
        limiter.close(ip("2001:db8:1:2:9::9"));
        assertThat(limiter.tryOpen(ip("2001:db8:1:2:1234::77"))).isNull();
    }

    @Test
    void sec34Ipv4MappedIpv6CountsAsItsIpv4Address() throws Exception {
        ConnectionLimiter limiter = new ConnectionLimiter(100, 1);
        InetAddress mapped = InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 7});
        assertThat(limiter.tryOpen(ip("10.0.0.7"))).isNull();
        assertThat(limiter.tryOpen(mapped)).isEqualTo(ConnectionLimiter.Refusal.SOURCE);
        assertThat(limiter.tryOpen(ip("10.0.0.8"))).isNull();
    }

    @Test
    void sec34ConcurrentOpensNeverExceedTheCaps() throws Exception {
        ConnectionLimiter limiter = new ConnectionLimiter(50, 8);
        Thread[] threads = new Thread[8];
        java.util.concurrent.atomic.AtomicInteger admitted = new java.util.concurrent.atomic.AtomicInteger();
        for (int t = 0; t < threads.length; t++) {
            int me = t;
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 1000; i++) {
                    try {
                        InetAddress a = ip("10.0." + me + "." + (i % 3));
                        if (limiter.tryOpen(a) == null) {
                            admitted.incrementAndGet();
                            if (i % 2 == 0) {
                                limiter.close(a);
                                admitted.decrementAndGet();
                            }
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) t.join();
        assertThat(limiter.open()).isEqualTo(admitted.get()).isLessThanOrEqualTo(50);
        for (int t = 0; t < 8; t++) {
            for (int i = 0; i < 3; i++) assertThat(limiter.open(ip("10.0." + t + "." + i))).isLessThanOrEqualTo(8);
        }
    }
}
