package dev.secretstore.node.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.node.audit.AuditTrail;
import dev.secretstore.protocol.AvailabilityStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The status page's audit events (SEC-29) cannot inject markup: every value is a JSON string with {@code <}, {@code >}
 * and {@code &} escaped, and the page renders them as text (status.html sets {@code textContent}, never HTML).
 */
class StatusPageAuditTest {
    @Test
    void auditEventsAreEscapedInStatusJson() throws Exception {
        NodeMetrics metrics = new NodeMetrics();
        String hostile = "</script><img src=x onerror=alert(1)>&\"\\";
        metrics.history().audit(() -> List.of(new AuditTrail.Event(7, "2026-12-07T01:00:00.000Z", "ab", "sign_schnorr", hostile, null,
                "entry", hostile)));
        NodeMetrics.Gauges g = new NodeMetrics.Gauges(3, 2, 0, true, new AvailabilityStatus().snapshot(), List.of(), "ok");
        String json = StatusPage.json(g, "ok", metrics, "test", null, 0);
        assertThat(json).doesNotContain("<").doesNotContain(">").doesNotContain("&");
        JsonNode event = new ObjectMapper().readTree(json).get("recent_audit").get(0);
        assertThat(event.get("key").asText()).isEqualTo(hostile);
        assertThat(event.get("outcome").asText()).isEqualTo(hostile);
        assertThat(event.get("requester").isNull()).isTrue();
        assertThat(event.get("seq").asLong()).isEqualTo(7);
        assertThat(StatusPage.HTML).doesNotContain("innerHTML").doesNotContain("insertAdjacentHTML").doesNotContain("document.write");
    }
}
