package dev.secretstore.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.http.CorsPolicy;
import dev.secretstore.http.HostAllowList;
import dev.secretstore.node.acl.AllowAllAclChecker;
import dev.secretstore.node.audit.AuditVerifier;
import dev.secretstore.node.config.NodeConfig;
import dev.secretstore.node.http.RequestLimits;
import dev.secretstore.node.transport.TransportConfig;
import dev.secretstore.protocol.Availability;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.session.admin.AdminPolicy;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SEC-29 on real nodes (loopback transport, HTTP): one request gives exactly one audit line on every member that
 * took part, all with the same request id; and fail closed: the node answering the request does not answer with the
 * result when its line cannot be written.
 */
class AuditTrailNodesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final KeyPair requester = KeyPair.random();
    private final List<KeyServerNode> nodes = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        nodes.forEach(KeyServerNode::close);
    }

    /**
     * A free port below Linux's ephemeral range (32768 and up): a port the kernel hands out with {@code bind(0)} can
     * be taken by another node's outgoing connection before this node listens on it.
     */
    private static int freePort() throws Exception {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = java.util.concurrent.ThreadLocalRandom.current().nextInt(20_000, 32_000);
            try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (java.io.IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free port between 20000 and 32000");
    }

    private void startCluster(int size) throws Exception {
        startCluster(size, Duration.ofSeconds(10));
    }

    private void startCluster(int size, Duration sessionTimeout) throws Exception {
        startCluster(size, sessionTimeout, Map.of());
    }

    /** {@code auditFiles}: where some nodes (by index) keep their audit file instead of {@code <data dir>/audit.jsonl}. */
    private void startCluster(int size, Duration sessionTimeout, Map<Integer, Path> auditFiles) throws Exception {
        List<KeyPair> keys = new ArrayList<>();
        Map<NodeId, InetSocketAddress> members = new HashMap<>();
        for (int i = 0; i < size; i++) {
            KeyPair k = KeyPair.random();
            keys.add(k);
            members.put(new NodeId(k.publicKey()), new InetSocketAddress("127.0.0.1", freePort()));
        }
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        for (int i = 0; i < size; i++) {
            NodeId id = new NodeId(keys.get(i).publicKey());
            Map<NodeId, InetSocketAddress> others = new HashMap<>(members);
            others.remove(id);
            KeyServerNode node = new KeyServerNode(new KeyServerNode.Settings(keys.get(i), members.get(id), others, i == 0 ? any : null,
                    dir.resolve("node" + i), CorsPolicy.none(), false, storage -> new AllowAllAclChecker(), true, sessionTimeout, 64,
                    AdminPolicy.NONE, RequestLimits.Config.NONE, null, TransportConfig.defaults(), Availability.DEFAULTS,
                    HostAllowList.defaults(), dev.secretstore.node.http.Admission.Config.NONE, dev.secretstore.node.http.KeyCreators.anyone(),
                    NodeConfig.RequesterAuthorization.DEFAULT, NodeConfig.HttpListeners.DEFAULT,
                    auditFiles.containsKey(i) ? new dev.secretstore.node.audit.AuditTrail.Config(auditFiles.get(i), 1000, Duration.ofSeconds(60))
                            : dev.secretstore.node.audit.AuditTrail.Config.defaults(dir.resolve("node" + i))));
            nodes.add(node);
            node.start();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        for (KeyServerNode a : nodes) {
            for (KeyServerNode b : nodes) {
                while (a != b && !a.isConnectedTo(b.id())) {
                    assertThat(System.nanoTime()).as("nodes connect").isLessThan(deadline);
                    Thread.sleep(20);
                }
            }
        }
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodes.get(0).httpPort() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String sig(H256 keyId) {
        return Hex.encode(Ecdsa.sign(requester.secret(), keyId).toBytes());
    }

    private static List<JsonNode> requests(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            JsonNode n = JSON.readTree(line);
            if (n.get("type").asText().equals("request")) out.add(n);
        }
        return out;
    }

    /** Waits until {@code file} holds {@code count} request lines matching {@code which}; returns them. */
    private static List<JsonNode> await(Path file, int count, Predicate<JsonNode> which) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            List<JsonNode> lines = requests(file).stream().filter(which).toList();
            if (lines.size() >= count || System.nanoTime() > deadline) return lines;
            Thread.sleep(20);
        }
    }

    @Test
    void sec29_oneRequestIsOneLineOnEveryMemberThatTookPartWithTheSameRequestId() throws Exception {
        startCluster(3);
        H256 keyId = H256.keccak("audit-cluster".getBytes());
        assertThat(send("POST", "/shadow/" + keyId.toHex() + "/" + sig(keyId) + "/1").statusCode()).isEqualTo(200);
        H256 message = H256.keccak("message".getBytes());
        assertThat(send("GET", "/schnorr/" + keyId.toHex() + "/" + sig(keyId) + "/" + message.toHex()).statusCode()).isEqualTo(200);

        String address = "0x" + Hex.encode(requester.address().toBytes());
        for (String op : List.of("generate_server_key", "sign_schnorr")) {
            String requestId = null;
            for (int i = 0; i < nodes.size(); i++) {
                Path file = dir.resolve("node" + i).resolve("audit.jsonl");
                assertThat(nodes.get(i).auditFile()).isEqualTo(file);
                List<JsonNode> lines = await(file, 1, n -> n.get("operation").asText().equals(op));
                assertThat(lines).as(op + " on node " + i).hasSize(1);
                JsonNode line = lines.get(0);
                if (requestId == null) requestId = line.get("request").asText();
                assertThat(line.get("request").asText()).as("the same request id on every member").isEqualTo(requestId);
                assertThat(line.get("role").asText()).isEqualTo(i == 0 ? "master" : "member");
                assertThat(line.get("key").asText()).isEqualTo(keyId.toHex());
                assertThat(line.get("requester").asText()).isEqualTo(address);
                assertThat(line.get("credential").asText()).isEqualTo("static");
                assertThat(line.get("outcome").asText()).isEqualTo("ok");
                if (op.equals("sign_schnorr")) {
                    assertThat(line.get("acl").asText()).as("each member's own ACL decision").isEqualTo("allowed");
                    assertThat(line.get("acl_block").isNull()).as("no chain: no block").isTrue();
                }
                String text = Files.readString(file);
                assertThat(text).doesNotContain(sig(keyId)).doesNotContain(Hex.encode(requester.secret().toBytes()));
            }
        }
        stop();
        for (int i = 0; i < nodes.size(); i++) {
            Path file = dir.resolve("node" + i).resolve("audit.jsonl");
            assertThat(requests(file)).as("one line per request on node " + i).hasSize(2);
            AuditVerifier.Report r = AuditVerifier.verify(file, Optional.of(nodes.get(i).id()));
            assertThat(r.ok()).as(r.reason()).isTrue();
            assertThat(r.checkpoints()).as("the checkpoint at shutdown").isEqualTo(1);
            assertThat(r.unsignedTail()).isZero();
        }
        nodes.clear();
    }

    @Test
    void sec29_endpoint3IsOneLinePerMember_endpoint4IsOneLineOnTheNodeThatAnswered() throws Exception {
        startCluster(3);
        H256 keyId = H256.keccak("audit-endpoint-3".getBytes());
        assertThat(send("POST", "/" + keyId.toHex() + "/" + sig(keyId) + "/1").statusCode()).isEqualTo(200);
        HttpResponse<String> y = send("GET", "/server/" + keyId.toHex() + "/" + sig(keyId));
        assertThat(y.statusCode()).isEqualTo(200);
        String address = "0x" + Hex.encode(requester.address().toBytes());
        for (int i = 0; i < nodes.size(); i++) {
            Path file = dir.resolve("node" + i).resolve("audit.jsonl");
            List<JsonNode> lines = await(file, 1, n -> n.get("operation").asText().equals("generate_document_key"));
            Thread.sleep(100); // a second line would be written right after the first
            lines = requests(file).stream().filter(n -> n.get("operation").asText().equals("generate_document_key")).toList();
            assertThat(lines).as("endpoint 3 on node " + i + ": one line, not a generation and a store").hasSize(1);
            assertThat(lines.get(0).get("session").asText()).isEqualTo("document_key_store");
            assertThat(lines.get(0).get("outcome").asText()).isEqualTo("ok");
        }
        List<JsonNode> served = requests(dir.resolve("node0").resolve("audit.jsonl")).stream()
                .filter(n -> n.get("operation").asText().equals("retrieve_server_key")).toList();
        assertThat(served).as("endpoint 4 answered from metadata: the answering node's own line").hasSize(1);
        assertThat(served.get(0).get("role").asText()).isEqualTo("entry");
        assertThat(served.get(0).get("requester").asText()).isEqualTo(address);
        assertThat(served.get(0).get("outcome").asText()).isEqualTo("ok");
        assertThat(served.get(0).get("status").asInt()).isEqualTo(200);
        for (int i = 1; i < nodes.size(); i++) {
            assertThat(requests(dir.resolve("node" + i).resolve("audit.jsonl"))).as("node " + i + " took no part in endpoint 4").hasSize(1);
        }
        stop();
        for (int i = 0; i < nodes.size(); i++) {
            AuditVerifier.Report r = AuditVerifier.verify(dir.resolve("node" + i).resolve("audit.jsonl"), Optional.of(nodes.get(i).id()));
            assertThat(r.ok()).as(r.reason()).isTrue();
        }
        nodes.clear();
    }

    /**
     * SEC-29, SEC-38: a member whose audit file cannot be written (here: a directory where the file was) refuses the
     * request's session at once, so the master excludes it and answers long before its 60 s stall timeout.
     */
    @Test
    void sec38_aMemberWhoseAuditFileFailedIsExcludedAtOnce() throws Exception {
        startCluster(3, Duration.ofSeconds(60));
        Path broken = nodes.get(2).auditFile();
        Files.move(broken, dir.resolve("aside.jsonl"));
        Files.createDirectory(broken);
        H256 keyId = H256.keccak("audit-broken-member".getBytes());
        long started = System.nanoTime();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodes.get(0).httpPort() + "/shadow/"
                        + keyId.toHex() + "/" + sig(keyId) + "/1")).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("well before the 60 s stall timeout").isLessThan(Duration.ofSeconds(30));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200); // t = 1: the two healthy members generate it
        List<JsonNode> master = await(nodes.get(0).auditFile(), 1, n -> n.get("operation").asText().equals("generate_server_key"));
        assertThat(master).hasSize(1);
        assertThat(master.get(0).get("blamed").asText()).as("the refusing member excluded").isEqualTo(nodes.get(2).id().toHex());
    }

    /**
     * SEC-29, SEC-38: a member whose audit file is still there but not writable (here immutable, {@code chattr +i}, which
     * stops root too, as a read-only mount does) refuses before it contributes anything, even to the first request.
     */
    @Test
    void sec38_aMemberWhoseAuditFileTurnedReadOnlyRefusesBeforeContributing() throws Exception {
        startCluster(3, Duration.ofSeconds(60));
        Path frozen = nodes.get(2).auditFile();
        long before = Files.size(frozen);
        chattr("+i", frozen);
        try {
            assertThat(Files.isWritable(frozen)).as("chattr +i took effect (root on ext4)").isFalse();
            H256 keyId = H256.keccak("audit-read-only-member".getBytes());
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodes.get(0).httpPort() + "/shadow/"
                            + keyId.toHex() + "/" + sig(keyId) + "/1")).timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            List<JsonNode> master = await(nodes.get(0).auditFile(), 1, n -> n.get("operation").asText().equals("generate_server_key"));
            assertThat(master.get(0).get("blamed").asText()).as("the read-only member took no part").isEqualTo(nodes.get(2).id().toHex());
            assertThat(Files.size(frozen)).isEqualTo(before);
        } finally {
            chattr("-i", frozen);
        }
    }

    private static void chattr(String flag, Path file) throws Exception {
        Process p = new ProcessBuilder("chattr", flag, file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("chattr " + flag + ": " + out).isZero();
    }

    @Test
    void sec29_failClosed_theAnswerIsAStorageErrorWhenTheMastersLineCannotBeWritten() throws Exception {
        startCluster(1);
        H256 first = H256.keccak("audit-first".getBytes());
        HttpResponse<String> ok = send("POST", "/shadow/" + first.toHex() + "/" + sig(first) + "/0");
        assertThat(ok.statusCode()).isEqualTo(200);
        Path file = nodes.get(0).auditFile();
        assertThat(requests(file)).hasSize(1);

        Files.move(file, dir.resolve("moved.jsonl")); // the audit file is gone: no line can be written
        H256 second = H256.keccak("audit-second".getBytes());
        HttpResponse<String> refused = send("POST", "/shadow/" + second.toHex() + "/" + sig(second) + "/0");
        assertThat(refused.statusCode()).isEqualTo(500);
        assertThat(refused.body()).contains("Database error").doesNotContain("0x");
        assertThat(Files.exists(file)).as("no new, unchained file").isFalse();

        Files.move(dir.resolve("moved.jsonl"), file); // back: the trail continues its chain
        H256 third = H256.keccak("audit-third".getBytes());
        assertThat(send("POST", "/shadow/" + third.toHex() + "/" + sig(third) + "/0").statusCode()).isEqualTo(200);
        stop();
        nodes.clear();
        AuditVerifier.Report r = AuditVerifier.verify(file, Optional.empty());
        assertThat(r.ok()).as(r.reason()).isTrue();
        assertThat(requests(file)).hasSize(2);
    }

    /**
     * SEC-29, SEC-38: a member whose audit file system is full (the file still there and writable, so {@code access(2)}
     * says yes; the write itself fails with ENOSPC) refuses instead of contributing. With a key of t = 2 on three nodes
     * every signature needs that member: each request is then answered with an error, never with a signature the member
     * has no line of; each one it took part in with a line is one more line in its file.
     */
    @Test
    void sec29_sec38_aMemberWhoseAuditDiskIsFullGivesNoShareWithoutItsLine() throws Exception {
        Path mount = Files.createDirectories(dir.resolve("audit-tmpfs"));
        run("mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", mount.toString());
        try {
            startCluster(3, Duration.ofSeconds(60), Map.of(2, mount.resolve("audit.jsonl")));
            H256 keyId = H256.keccak("audit-full-member".getBytes());
            assertThat(send("POST", "/shadow/" + keyId.toHex() + "/" + sig(keyId) + "/2").statusCode()).isEqualTo(200);
            Path full = nodes.get(2).auditFile();
            await(full, 1, n -> n.get("operation").asText().equals("generate_server_key"));
            fill(mount.resolve("filler"));
            int refused = 0;
            for (int i = 0; i < 16 && refused < 3; i++) {
                int before = requests(full).size();
                H256 message = H256.keccak(("full-" + i).getBytes());
                long started = System.nanoTime();
                HttpResponse<String> r = send("GET", "/schnorr/" + keyId.toHex() + "/" + sig(keyId) + "/" + message.toHex());
                assertThat(Duration.ofNanos(System.nanoTime() - started)).as("answered at once, not at the 60 s stall timeout")
                        .isLessThan(Duration.ofSeconds(30));
                int after = requests(full).size();
                if (r.statusCode() == 200) {
                    assertThat(after).as("request " + i + " signed: the full member wrote its line first").isEqualTo(before + 1);
                } else {
                    assertThat(after).as("request " + i + " refused: no line on the full member").isEqualTo(before);
                    assertThat(r.body()).doesNotContain("0x");
                    refused++;
                }
            }
            assertThat(refused).as("the full disk refused the member's lines (the page of the file filled up)").isEqualTo(3);
            Files.delete(mount.resolve("filler"));
            H256 healed = H256.keccak("healed".getBytes());
            assertThat(send("GET", "/schnorr/" + keyId.toHex() + "/" + sig(keyId) + "/" + healed.toHex()).statusCode())
                    .as("room again: the member takes part again").isEqualTo(200);
            stop();
            for (int i = 0; i < nodes.size(); i++) {
                AuditVerifier.Report v = AuditVerifier.verify(nodes.get(i).auditFile(), Optional.of(nodes.get(i).id()));
                assertThat(v.ok()).as("node " + i + ": " + v.reason()).isTrue();
            }
            nodes.clear();
        } finally {
            stop();
            nodes.clear();
            run("umount", "-l", mount.toString());
        }
    }

    /** Writes zeros until the file system refuses (ENOSPC). */
    private static void fill(Path filler) throws Exception {
        byte[] block = new byte[4096];
        try (java.io.OutputStream out = Files.newOutputStream(filler)) {
            while (true) out.write(block);
        } catch (java.io.IOException full) {
            assertThat(full.getMessage()).contains("No space left");
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
    }
}
