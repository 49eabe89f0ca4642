package dev.secretstore.node.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #16 over HTTP in the default build (the browser test, {@code -Pbrowser}, renders the same page): a real
 * three-node cluster, node 2 stopped; node 0's page is the self-contained page and its data shows node 2's link down,
 * the requests node 0 served in the current bucket, and those requests in the recent list without key ids (SEC-07).
 */
class StatusPageClusterTest {
    @TempDir
    Path dir;

    @Test
    void theStatusOfARealClusterShowsAStoppedMemberDownAndTheRequestsServed() throws Exception {
        try (StatusPageCluster cluster = new StatusPageCluster(dir)) {
            cluster.traffic(5, 3);
            cluster.stop(2);
            HttpResponse<String> page = cluster.get(cluster.status(0, "/status"));
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).isEqualTo(StatusPage.HTML);
            assertThat(page.headers().firstValue("Content-Security-Policy")).contains(StatusPage.CONTENT_SECURITY_POLICY);

            HttpResponse<String> data = cluster.get(cluster.status(0, "/status.json"));
            assertThat(data.statusCode()).isEqualTo(200);
            JsonNode s = new ObjectMapper().readTree(data.body());
            assertThat(s.get("self").asText()).isEqualTo(cluster.id(0));
            assertThat(s.get("members_configured").asInt()).isEqualTo(3);
            assertThat(s.get("serving_threshold").asInt()).isEqualTo(1);
            assertThat(s.get("members")).hasSize(3);
            for (JsonNode m : s.get("members")) {
                boolean stopped = m.get("id").asText().equals(cluster.id(2));
                assertThat(m.get("connected").asBoolean()).as(m.toString()).isEqualTo(!stopped);
                assertThat(m.get("self").asBoolean()).isEqualTo(m.get("id").asText().equals(cluster.id(0)));
            }
            assertThat(s.get("keys").get("held").asLong()).isZero();
            long total = 0, errors = 0;
            for (JsonNode n : s.get("requests").get("count")) total += n.asLong();
            for (JsonNode n : s.get("requests").get("client_errors")) errors += n.asLong();
            assertThat(total).isEqualTo(8);
            assertThat(errors).isEqualTo(3);
            assertThat(s.get("recent_requests")).hasSize(8);
            assertThat(s.get("recent_requests").get(0).get("status").asInt()).isBetween(400, 499);
            assertThat(s.get("recent_requests").get(7).get("status").asInt()).isEqualTo(200);
            assertThat(data.body()).doesNotContain("not-a-key").doesNotContain("127.0.0.1");
        }
    }
}
