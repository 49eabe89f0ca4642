package dev.secretstore.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** SEC-23 (rate limits per requester and per key id) and SEC-28 (bounded requests per requester). */
class RequestLimitsTest {
    private static final Address A = Address.fromBytes(bytes(20, 1));
    private static final Address B = Address.fromBytes(bytes(20, 2));
    private static final H256 K1 = H256.fromBytes(bytes(32, 1));
    private static final H256 K2 = H256.fromBytes(bytes(32, 2));
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private static byte[] bytes(int n, int v) {
        byte[] b = new byte[n];
        b[n - 1] = (byte) v;
        return b;
    }

    private RequestLimits limits(int perRequester, int perKey, int concurrent) {
        return new RequestLimits(new RequestLimits.Config(perRequester, perKey, concurrent), now::get);
    }

    private int admitted(RequestLimits l, Address a, H256 k, int tries) {
        int ok = 0;
        for (int i = 0; i < tries; i++) {
            if (l.tryAcquire(a, k).isEmpty()) {
                ok++;
                l.release(a);
            }
        }
        return ok;
    }

    @Test
    void sec23_requesterBurstIsTwiceTheRateThenTheRateRefills() {
        RequestLimits l = limits(10, 0, 0);
        assertThat(admitted(l, A, K1, 50)).isEqualTo(20);
        assertThat(l.tryAcquire(A, K2)).get().asString().contains("requester over 10 requests/s");
        now.addAndGet(500_000_000L); // half a second: 5 tokens
        assertThat(admitted(l, A, K1, 50)).isEqualTo(5);
        assertThat(admitted(l, B, K1, 50)).as("another requester has its own bucket").isEqualTo(20);
    }

    @Test
    void sec23_keyLimitCountsEveryRequester() {
        RequestLimits l = limits(0, 3, 0);
        assertThat(admitted(l, A, K1, 4)).isEqualTo(4);
        assertThat(admitted(l, B, K1, 10)).isEqualTo(2);
        assertThat(l.tryAcquire(B, K1)).get().asString().contains("key over 3 requests/s");
        assertThat(admitted(l, B, K2, 10)).as("another key").isEqualTo(6);
    }

    @Test
    void sec23_aRefusalConsumesNothing() {
        RequestLimits l = limits(100, 1, 0);
        assertThat(admitted(l, A, K1, 10)).isEqualTo(2); // key bucket empty; requester bucket 198 left
        assertThat(admitted(l, A, K2, 500)).isEqualTo(2);
        assertThat(admitted(l, A, H256.fromBytes(bytes(32, 3)), 500)).isEqualTo(2);
    }

    @Test
    void sec28_requestsInFlightPerRequesterAreBoundedAndReleased() {
        RequestLimits l = limits(0, 0, 2);
        assertThat(l.tryAcquire(A, K1)).isEmpty();
        assertThat(l.tryAcquire(A, K2)).isEmpty();
        assertThat(l.tryAcquire(A, K1)).get().asString().contains("2 requests in flight");
        assertThat(l.tryAcquire(B, K1)).isEmpty();
        l.release(A);
        assertThat(l.tryAcquire(A, K1)).isEmpty();
        l.release(A);
        l.release(A);
        l.release(B);
        assertThat(l.requestersInFlight()).isZero();
    }

    @Test
    void sec19_aClockGoingBackwardsAddsNoTokens() {
        RequestLimits l = limits(1, 0, 0);
        assertThat(admitted(l, A, K1, 5)).isEqualTo(2);
        now.addAndGet(-10_000_000_000L);
        assertThat(admitted(l, A, K1, 5)).isZero();
    }

    @Test
    void zeroMeansNoLimit() {
        assertThat(admitted(limits(0, 0, 0), A, K1, 10_000)).isEqualTo(10_000);
    }
}
