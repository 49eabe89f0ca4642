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

    /**
     * SEC-29 on the status page: each node lists its own last audit lines, newest first, with the request id,
     * operation, key id, requester, its role and the outcome; the node that answered endpoint 4 or refused a malformed
     * request lists its sessionless line, the other members only the request they took part in.
     */
    @Test
    void theStatusListsEachNodesRecentAuditEvents() throws Exception {
        try (StatusPageCluster cluster = new StatusPageCluster(dir)) {
            dev.secretstore.crypto.KeyPair requester = dev.secretstore.crypto.KeyPair.random();
            dev.secretstore.crypto.H256 keyId = dev.secretstore.crypto.H256.keccak("status-audit".getBytes());
            String sig = dev.secretstore.crypto.Hex.encode(dev.secretstore.crypto.Ecdsa.sign(requester.secret(), keyId).toBytes());
            assertThat(cluster.api(0, "POST", "/shadow/" + keyId.toHex() + "/" + sig + "/1")).isEqualTo(200);
            assertThat(cluster.api(0, "GET", "/server/" + keyId.toHex() + "/" + sig)).isEqualTo(200);
            cluster.traffic(0, 1);
            String address = "0x" + dev.secretstore.crypto.Hex.encode(requester.address().toBytes());

            JsonNode events = new ObjectMapper().readTree(cluster.get(cluster.status(0, "/status.json")).body()).get("recent_audit");
            assertThat(events).hasSize(3);
            JsonNode invalid = events.get(0), served = events.get(1), generated = events.get(2);
            assertThat(invalid.get("outcome").asText()).isEqualTo("invalid");
            assertThat(invalid.get("operation").isNull()).isTrue();
            assertThat(invalid.get("key").isNull()).isTrue();
            assertThat(served.get("operation").asText()).isEqualTo("retrieve_server_key");
            assertThat(served.get("role").asText()).isEqualTo("entry");
            assertThat(served.get("requester").asText()).isEqualTo(address);
            assertThat(generated.get("operation").asText()).isEqualTo("generate_server_key");
            assertThat(generated.get("role").asText()).isEqualTo("master");
            assertThat(generated.get("key").asText()).isEqualTo(keyId.toHex());
            assertThat(generated.get("outcome").asText()).isEqualTo("ok");
            assertThat(generated.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
            assertThat(generated.get("seq").asLong()).isLessThan(served.get("seq").asLong());

            JsonNode member = new ObjectMapper().readTree(cluster.get(cluster.status(1, "/status.json")).body()).get("recent_audit");
            assertThat(member).hasSize(1);
            assertThat(member.get(0).get("role").asText()).isEqualTo("member");
            assertThat(member.get(0).get("request").asText()).as("the same request id as the master's line")
                    .isEqualTo(generated.get("request").asText());
        }
    }
}
