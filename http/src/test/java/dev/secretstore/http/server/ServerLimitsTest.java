package dev.secretstore.http.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** SEC-34: the documented defaults, and limits that would disable a protection are refused. */
class ServerLimitsTest {
    private static final ServerLimits D = ServerLimits.defaults(1 << 20);

    @Test
    void sec34DefaultsAreTheDocumentedOnes() {
        assertThat(D.headerTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(D.bodyTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(D.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(D.maxHeaderBytes()).isEqualTo(16384);
        assertThat(D.maxBodyBytes()).isEqualTo(1 << 20);
        assertThat(D.maxConnections()).isEqualTo(1024);
        assertThat(D.maxConnectionsPerSource()).isEqualTo(64);
        assertThat(D.handlerThreads()).isEqualTo(4);
        assertThat(D.handlerQueue()).isEqualTo(256);
        assertThat(ServerLimits.MAX_REQUEST_LINE).isEqualTo(8192);
    }

    @Test
    void withersChangeOnlyTheirFields() {
        ServerLimits t = D.withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3));
        assertThat(t).isEqualTo(new ServerLimits(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3), 16384, 1 << 20,
                1024, 64, 4, 256));
        assertThat(D.withConnections(5, 2)).isEqualTo(new ServerLimits(D.headerTimeout(), D.bodyTimeout(), D.idleTimeout(), 16384,
                1 << 20, 5, 2, 4, 256));
        assertThat(D.withSizes(2048, 7)).isEqualTo(new ServerLimits(D.headerTimeout(), D.bodyTimeout(), D.idleTimeout(), 2048, 7,
                1024, 64, 4, 256));
        assertThat(D.withHandlers(1, 0)).isEqualTo(new ServerLimits(D.headerTimeout(), D.bodyTimeout(), D.idleTimeout(), 16384,
                1 << 20, 1024, 64, 1, 0));
    }

    @Test
    void sec34TimeoutsMustBePositive() {
        for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofSeconds(-1)}) {
            assertThatThrownBy(() -> D.withTimeouts(bad, Duration.ofSeconds(1), Duration.ofSeconds(1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("header timeout");
            assertThatThrownBy(() -> D.withTimeouts(Duration.ofSeconds(1), bad, Duration.ofSeconds(1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("body timeout");
            assertThatThrownBy(() -> D.withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1), bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idle timeout");
        }
        assertThatThrownBy(() -> D.withTimeouts(null, Duration.ofSeconds(1), Duration.ofSeconds(1))).isInstanceOf(NullPointerException.class);
    }

    @Test
    void sec34SizesAndCapsMustBeUsable() {
        assertThatThrownBy(() -> D.withSizes(1023, 10)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("header");
        assertThat(D.withSizes(1024, 0).maxBodyBytes()).isZero();
        assertThatThrownBy(() -> D.withSizes(2048, -1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("body");
        assertThatThrownBy(() -> D.withConnections(0, 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connections");
        assertThatThrownBy(() -> D.withConnections(1, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("per address");
        assertThatThrownBy(() -> D.withHandlers(0, 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threads");
        assertThatThrownBy(() -> D.withHandlers(1, -1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("queue");
    }
}
