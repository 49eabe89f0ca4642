package dev.secretstore.node.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.protocol.AvailabilityStatus;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The ops listener over a real socket: health follows the cluster loop, metrics in the Prometheus text format. */
class OpsServerTest {
    private final NodeMetrics metrics = new NodeMetrics();
    private static final String A = "0x" + "a1".repeat(64), B = "0x" + "b2".repeat(64), C = "0x" + "c3".repeat(64);
    private final AtomicReference<NodeMetrics.Gauges> gauges = new AtomicReference<>(gauges(3, 2, 1, true, "ok"));

    /** Gauges of a node with {@code peers} of its {@code members - 1} peers connected (this node is A). */
    private static NodeMetrics.Gauges gauges(int members, int peers, int sessions, boolean responsive, String storage) {
        return gauges(members, peers, sessions, responsive, storage, new AvailabilityStatus().snapshot());
    }

    private static NodeMetrics.Gauges gauges(int members, int peers, int sessions, boolean responsive, String storage,
                                             AvailabilityStatus.Snapshot availability) {
        return new NodeMetrics.Gauges(members, peers, sessions, responsive, availability,
                java.util.List.of(A, B, C).subList(0, peers + 1), storage);
    }
    private final HttpClient client = HttpClient.newHttpClient();
    private OpsServer server;

    private HttpResponse<String> get(String path) throws Exception {
        if (server == null) {
            server = new OpsServer(new InetSocketAddress("127.0.0.1", 0), metrics, gauges::get);
            server.start();
        }
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    @Test
    void healthIs200WhileTheLoopAnswersAnd503Otherwise() throws Exception {
        HttpResponse<String> ok = get("/health");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("{\"status\":\"ok\",\"peers_connected\":2,\"members\":3,\"sessions_active\":1,\"keys_missing_here\":0"
                + ",\"members_connected\":[\"" + A + "\",\"" + B + "\",\"" + C + "\"],\"serving_threshold\":2,\"storage\":\"ok\""
                + ",\"version\":\"" + OpsServer.VERSION + "\"}");
        gauges.set(gauges(3, 0, 0, false, "ok"));
        HttpResponse<String> stuck = get("/health");
        assertThat(stuck.statusCode()).isEqualTo(503);
        assertThat(stuck.body()).contains("\"status\":\"unresponsive\"");
    }

    /** SEC-32: with a cluster id, /health names it, so an operator can check that every member signs for the same cluster. */
    @Test
    void healthReportsTheClusterId() throws Exception {
        dev.secretstore.crypto.H256 id = dev.secretstore.crypto.auth.ClusterId.ofName("ops-test");
        server = new OpsServer(new InetSocketAddress("127.0.0.1", 0), metrics, gauges::get, id);
        server.start();
        assertThat(get("/health").body()).startsWith("{\"status\":\"ok\",\"peers_connected\":2,\"members\":3,\"sessions_active\":1,"
                + "\"keys_missing_here\":0,").endsWith(",\"cluster_id\":\"0x" + id.toHex() + "\"}");
    }

    /** SEC-40: /health says when this member lacks keys it should hold; the counters reach /metrics. */
    @Test
    void healthSaysUnderReplicatedWhileKeysAreMissingHere() throws Exception {
        AvailabilityStatus status = new AvailabilityStatus();
        status.missingHere(3);
        status.repaired();
        status.repairFailed();
        status.refreshed(5);
        gauges.set(gauges(3, 2, 0, true, "ok", status.snapshot()));
        HttpResponse<String> health = get("/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"under_replicated\"").contains("\"keys_missing_here\":2");
        assertThat(get("/metrics").body())
                .contains("secretstore_keys_missing_here 2\n")
                .contains("secretstore_share_repairs_total{outcome=\"done\"} 1\n")
                .contains("secretstore_share_repairs_total{outcome=\"failed\"} 1\n")
                .contains("secretstore_refreshed_keys_total 5\n");
    }

    /**
     * Issue #15: up but alone in a cluster of three (no other member connected), the node cannot serve any key of
     * threshold 1 or more and cannot generate one: 503 {@code no_quorum}, with who is connected and the serving threshold.
     * One peer back: 200 with serving threshold 1. A single-member cluster serves alone.
     */
    @Test
    void issue15_healthIs503WhileNoOtherMemberIsConnected() throws Exception {
        gauges.set(gauges(3, 0, 0, true, "ok"));
        HttpResponse<String> alone = get("/health");
        assertThat(alone.statusCode()).isEqualTo(503);
        assertThat(alone.body()).startsWith("{\"status\":\"no_quorum\",\"peers_connected\":0,")
                .contains(",\"members_connected\":[\"" + A + "\"],\"serving_threshold\":0,\"storage\":\"ok\",");
        assertThat(get("/metrics").body()).contains("secretstore_cluster_members_connected 1\n")
                .contains("secretstore_serving_threshold 0\n");
        gauges.set(gauges(3, 1, 0, true, "ok"));
        HttpResponse<String> one = get("/health");
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(one.body()).contains("\"status\":\"ok\"").contains(",\"members_connected\":[\"" + A + "\",\"" + B + "\"],\"serving_threshold\":1,");
        assertThat(get("/metrics").body()).contains("secretstore_cluster_members_connected 2\n")
                .contains("secretstore_serving_threshold 1\n");
        gauges.set(gauges(1, 0, 0, true, "ok"));
        assertThat(get("/health").statusCode()).isEqualTo(200);
    }

    /** SEC-38, issue #15: a data directory that cannot take writes fails the health check (503) and says why; recovers. */
    @Test
    void sec38_healthIs503WhileStorageFails() throws Exception {
        for (String state : java.util.List.of("read_only", "missing", "full")) {
            gauges.set(gauges(3, 2, 0, true, state));
            HttpResponse<String> failing = get("/health");
            assertThat(failing.statusCode()).as(state).isEqualTo(503);
            assertThat(failing.body()).as(state).startsWith("{\"status\":\"storage_failing\",")
                    .contains(",\"serving_threshold\":2,\"storage\":\"" + state + "\",");
            assertThat(get("/metrics").body()).contains("secretstore_storage_ok 0\n");
        }
        gauges.set(gauges(3, 2, 0, true, "ok"));
        assertThat(get("/health").statusCode()).isEqualTo(200);
        assertThat(get("/metrics").body()).contains("secretstore_storage_ok 1\n");
    }

    /** The status line and body of a raw GET with the given Host header. */
    private String rawGet(String path, String host) throws Exception {
        get("/health"); // starts the server
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return answer.substring(0, answer.indexOf("\r\n")) + " | " + answer.substring(answer.indexOf("\r\n\r\n") + 4);
        }
    }

    /** SEC-37: a DNS-rebinding page cannot read the metrics through a name that resolves to loopback. */
    @Test
    void sec37_aForeignHostIsRefusedAndLoopbackIsServed() throws Exception {
        assertThat(rawGet("/metrics", "evil.example")).isEqualTo("HTTP/1.1 403 Forbidden | Host not allowed\n");
        assertThat(rawGet("/health", "evil.example:" + server.port())).startsWith("HTTP/1.1 403 ");
        assertThat(rawGet("/health", "127.0.0.1:" + server.port())).startsWith("HTTP/1.1 200 ").contains("\"status\":\"ok\"");
        assertThat(rawGet("/health", "localhost")).startsWith("HTTP/1.1 200 ");
    }

    @Test
    void metricsCountRequestsByOperationAndStatus() throws Exception {
        metrics.request("retrieve_shadows", 200, 2_000_000);
        metrics.request("retrieve_shadows", 200, 4_000_000);
        metrics.request("retrieve_shadows", 403, 1_000_000);
        metrics.session("decryption", true, "ok", 1);
        metrics.session("decryption", false, "ok", 0);
        metrics.session("decryption", true, "CONSENSUS_UNREACHABLE", 2);
        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
        assertThat(r.body())
                .contains("# TYPE secretstore_http_requests_total counter\n")
                .contains("secretstore_http_requests_total{op=\"retrieve_shadows\",status=\"200\"} 2\n")
                .contains("secretstore_http_requests_total{op=\"retrieve_shadows\",status=\"403\"} 1\n")
                .contains("secretstore_http_request_duration_seconds_count{op=\"retrieve_shadows\"} 3\n")
                .contains("secretstore_http_request_duration_seconds_sum{op=\"retrieve_shadows\"} 0.007\n")
                .contains("secretstore_sessions_total{type=\"decryption\",role=\"master\",outcome=\"ok\"} 1\n")
                .contains("secretstore_sessions_total{type=\"decryption\",role=\"member\",outcome=\"ok\"} 1\n")
                .contains("secretstore_sessions_total{type=\"decryption\",role=\"master\",outcome=\"CONSENSUS_UNREACHABLE\"} 1\n")
                .contains("secretstore_blamed_nodes_total{type=\"decryption\"} 3\n")
                .contains("secretstore_cluster_peers_connected 2\n")
                .contains("secretstore_sessions_active 1\n")
                .contains("secretstore_cluster_loop_responsive 1\n");
    }

    /** Issue #18: member round trips per key-use request mastered here, a summary per session type (sum / count = mean). */
    @Test
    void metricsCountRoundTripsPerKeyUseRequest() throws Exception {
        metrics.roundTrips("decryption", 1);
        metrics.roundTrips("decryption", 1);
        metrics.roundTrips("decryption", 2);
        metrics.roundTrips("schnorr_signing", 5);
        assertThat(get("/metrics").body())
                .contains("# TYPE secretstore_session_round_trips summary\n")
                .contains("secretstore_session_round_trips_sum{type=\"decryption\"} 4\n")
                .contains("secretstore_session_round_trips_count{type=\"decryption\"} 3\n")
                .contains("secretstore_session_round_trips_sum{type=\"schnorr_signing\"} 5\n")
                .contains("secretstore_session_round_trips_count{type=\"schnorr_signing\"} 1\n");
    }

    /**
     * Issue #16: /status.json is what the page renders: members with their links (B down), keys by replication state,
     * the request series, blamed members and the last requests; no key ids or requester addresses (SEC-07).
     */
    @Test
    void statusJsonHasMembersKeysSeriesBlamedAndRecentRequests() throws Exception {
        metrics.cluster(A, java.util.List.of(A, B, C), () -> 7);
        AvailabilityStatus availability = new AvailabilityStatus();
        availability.missingHere(2);
        gauges.set(new NodeMetrics.Gauges(3, 1, 0, true, availability.snapshot(), java.util.List.of(A, C), "ok"));
        metrics.request("retrieve_shadows", 200, 2_000_000);
        metrics.request("generate", 403, 4_000_000);
        metrics.session("decryption", true, "ok", java.util.List.of(B));
        HttpResponse<String> r = get("/status.json");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
        com.fasterxml.jackson.databind.JsonNode s = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
        assertThat(s.get("status").asText()).isEqualTo("under_replicated");
        assertThat(s.get("self").asText()).isEqualTo(A);
        assertThat(s.get("members").toString()).isEqualTo("[{\"id\":\"" + A + "\",\"self\":true,\"connected\":true},"
                + "{\"id\":\"" + B + "\",\"self\":false,\"connected\":false},{\"id\":\"" + C + "\",\"self\":false,\"connected\":true}]");
        assertThat(s.get("keys").get("held").asLong()).isEqualTo(7);
        assertThat(s.get("keys").get("missing_here").asLong()).isEqualTo(2);
        assertThat(s.get("keys").get("under_replicated").asBoolean()).isTrue();
        com.fasterxml.jackson.databind.JsonNode requests = s.get("requests");
        assertThat(requests.get("bucket_seconds").asInt()).isEqualTo(StatusHistory.BUCKET_SECONDS);
        assertThat(requests.get("count")).hasSize(StatusHistory.BUCKETS);
        long total = 0, clientErrors = 0;
        for (var n : requests.get("count")) total += n.asLong();
        for (var n : requests.get("client_errors")) clientErrors += n.asLong();
        assertThat(total).isEqualTo(2);
        assertThat(clientErrors).isEqualTo(1);
        assertThat(s.get("blamed").get(0).get("id").asText()).isEqualTo(B);
        assertThat(s.get("blamed").get(0).get("session").asText()).isEqualTo("decryption");
        assertThat(s.get("recent_requests").get(0).get("op").asText()).isEqualTo("generate");
        assertThat(s.get("recent_requests").get(0).get("status").asInt()).isEqualTo(403);
        assertThat(s.get("recent_requests").get(1).get("ms").asDouble()).isEqualTo(2.0);
    }

    /** Issue #16: the page is self-contained: a CSP that allows its own inline script and style by hash and nothing else. */
    @Test
    void statusPageIsSelfContainedUnderAStrictContentSecurityPolicy() throws Exception {
        for (String path : java.util.List.of("/status", "/")) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
            String csp = r.headers().firstValue("Content-Security-Policy").orElseThrow();
            assertThat(csp).startsWith("default-src 'none'; script-src 'sha256-").contains("; style-src 'sha256-")
                    .contains("connect-src 'self'").contains("frame-ancestors 'none'").doesNotContain("unsafe");
            assertThat(r.headers().firstValue("X-Frame-Options")).contains("DENY");
            String page = r.body();
            assertThat(page).contains("<table id=\"members\"").contains("<svg id=\"rate-plot\"").contains("<svg id=\"latency-plot\"")
                    .contains("<table id=\"blamed\"").contains("<table id=\"recent\"").contains("fetch(\"status.json\"");
            assertThat(page).as("no external assets").doesNotContainPattern("(src|href)\\s*=\\s*[\"']?(https?:)?//")
                    .doesNotContain("<link").doesNotContain("<img").doesNotContain("@import").doesNotContain("url(")
                    .doesNotContain("innerHTML").doesNotContain(" on" + "click=");
            String script = StatusPage.inner(page, "script");
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(script.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(csp).contains("script-src 'sha256-" + java.util.Base64.getEncoder().encodeToString(digest) + "'");
        }
    }

    /** SEC-37: the status page and its data follow the ops listener's Host allow-list. */
    @Test
    void sec37_statusPageRefusesAForeignHost() throws Exception {
        assertThat(rawGet("/status.json", "evil.example")).startsWith("HTTP/1.1 403 ");
        assertThat(rawGet("/status", "evil.example")).startsWith("HTTP/1.1 403 ");
        assertThat(rawGet("/status.json", "localhost")).startsWith("HTTP/1.1 200 ").contains("\"members\":[");
    }

    @Test
    void nothingElseIsServed() throws Exception {
        assertThat(get("/index.html").statusCode()).isEqualTo(404);
        assertThat(get("/status/").statusCode()).isEqualTo(404);
        assertThat(get("/metrics/../health").statusCode()).isIn(404, 200);
        assertThat(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
    }
}
