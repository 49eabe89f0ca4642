package dev.secretstore.node.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** SEC-36: refusals become one summary line per interval, with counts per reason and source. */
class RefusalLogTest {
    @Test
    void manyRefusalsMakeOneLineWithCountsPerReasonAndSource_SEC36() throws Exception {
        RefusalLog log = new RefusalLog();
        assertThat(log.drain()).isEmpty();
        InetAddress attacker = InetAddress.getByName("127.0.0.2");
        for (int i = 0; i < 1000; i++) log.record(Refusal.SOURCE_RATE, attacker);
        for (int i = 0; i < 30; i++) log.record(Refusal.UNKNOWN_KEY, attacker);
        log.record(Refusal.HANDSHAKE_TIMEOUT, InetAddress.getByName("10.0.0.1"));
        assertThat(log.count(Refusal.SOURCE_RATE)).isEqualTo(1000);
        String line = log.drain().orElseThrow();
        assertThat(line).startsWith("1031 connection(s)")
                .contains("source_rate_limit=1000", "unknown_key=30", "handshake_timeout=1")
                .contains("127.0.0.2=1030, 10.0.0.1=1")
                .doesNotContain("more sources");
        assertThat(log.drain()).as("drained").isEmpty();
    }

    @Test
    void distinctSourcesAreBoundedAndTheRestCounted_SEC36() throws Exception {
        RefusalLog log = new RefusalLog();
        for (int i = 0; i < 2 * RefusalLog.MAX_SOURCES; i++) {
            log.record(Refusal.PENDING, InetAddress.getByName("10.0." + (i / 256) + "." + (i % 256)));
        }
        String line = log.drain().orElseThrow();
        assertThat(line).startsWith((2 * RefusalLog.MAX_SOURCES) + " connection(s)")
                .contains("pending_limit=" + 2 * RefusalLog.MAX_SOURCES)
                .contains("and " + (RefusalLog.MAX_SOURCES - 5) + "+ more sources");
    }
}
