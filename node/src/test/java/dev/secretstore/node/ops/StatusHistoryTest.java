package dev.secretstore.node.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The status page's ring buffers: fixed memory, the last ten minutes in 10 s buckets, the last requests newest first. */
class StatusHistoryTest {
    private static final long T0 = 1_800_000_000_000L; // a bucket boundary (divisible by 10 000)
    private final AtomicLong now = new AtomicLong(T0);
    private final StatusHistory history = new StatusHistory(now::get);

    @Test
    void requestsLandInTheBucketOfTheirTimeWithErrorsAndLatencies() {
        history.request("retrieve_shadows", 200, 2_000_000);
        history.request("retrieve_shadows", 403, 4_000_000);
        now.addAndGet(9_999);
        history.request("generate", 500, 12_000_000);
        now.addAndGet(1);
        history.request("generate", 200, 1_000_000);
        StatusHistory.Series s = history.series();
        int last = StatusHistory.BUCKETS - 1;
        assertThat(s.bucketSeconds()).isEqualTo(10);
        assertThat(s.startMillis()).isEqualTo(T0 + 10_000 - (StatusHistory.BUCKETS - 1) * 10_000L);
        assertThat(s.requests()[last - 1]).isEqualTo(3);
        assertThat(s.clientErrors()[last - 1]).isEqualTo(1);
        assertThat(s.serverErrors()[last - 1]).isEqualTo(1);
        assertThat(s.meanMillis()[last - 1]).isEqualTo(6.0);
        assertThat(s.maxMillis()[last - 1]).isEqualTo(12.0);
        assertThat(s.requests()[last]).isEqualTo(1);
        assertThat(s.maxMillis()[last]).isEqualTo(1.0);
        assertThat(java.util.Arrays.stream(s.requests()).sum()).isEqualTo(4);
    }

    @Test
    void bucketsOlderThanTheWindowAreForgottenWhenTheirSlotIsReused() {
        history.request("a", 200, 1);
        now.addAndGet(StatusHistory.WINDOW_MINUTES * 60_000L - 10_000); // still the oldest bucket of the window
        assertThat(history.series().requests()[0]).isEqualTo(1);
        now.addAndGet(10_000); // same slot, one lap later: out of the window
        assertThat(java.util.Arrays.stream(history.series().requests()).sum()).isZero();
        history.request("b", 200, 5_000_000);
        StatusHistory.Series s = history.series();
        assertThat(s.requests()[StatusHistory.BUCKETS - 1]).isEqualTo(1);
        assertThat(s.meanMillis()[StatusHistory.BUCKETS - 1]).as("the old bucket's sum was cleared").isEqualTo(5.0);
    }

    @Test
    void recentKeepsTheLastFiftyNewestFirst() {
        assertThat(history.recent()).isEmpty();
        for (int i = 0; i < StatusHistory.RECENT + 7; i++) {
            now.incrementAndGet();
            history.request("op" + i, 200, i);
        }
        List<StatusHistory.Request> recent = history.recent();
        assertThat(recent).hasSize(StatusHistory.RECENT);
        assertThat(recent.get(0)).isEqualTo(new StatusHistory.Request(T0 + 57, "op56", 200, 56));
        assertThat(recent.get(StatusHistory.RECENT - 1).op()).isEqualTo("op7");
    }

    @Test
    void blamedMembersAreCountedWithTheirLastSession() {
        history.blamed("decryption", List.of("0xaa", "0xbb"));
        now.addAndGet(5);
        history.blamed("generation", List.of("0xaa"));
        assertThat(history.blamed()).containsExactly(
                new StatusHistory.Blame("0xaa", 2, T0 + 5, "generation"),
                new StatusHistory.Blame("0xbb", 1, T0, "decryption"));
    }
}
