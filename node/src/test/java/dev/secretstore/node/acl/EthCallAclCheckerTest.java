package dev.secretstore.node.acl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.node.eth.EthRpc;
import dev.secretstore.protocol.acl.AclChecker.Decision;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The on-chain checker against a tiny fake JSON-RPC server: only 0…0 / 0…1 decide, everything else denies (SEC-21). */
class EthCallAclCheckerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Address USER = Address.fromHex("00a329c0648769a73afac7f9381e08fb43dbea72");
    private static final H256 DOC = H256.fromHex("45ce99addb0f8385bd24f30da619ddcc0cadadab73e2a4ffb7801083086b3fc2");
    private static final Address CONTRACT = Address.fromHex("5fbdb2315678afecb367f032d93f642f64180aa3");
    private static final String ZERO32 = "0x" + "00".repeat(32);
    private static final String ONE32 = "0x" + "00".repeat(31) + "01";

    private HttpServer server;
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();

    /** {@code answer} maps a request to the whole JSON response body, or null to never answer. */
    private EthCallAclChecker serve(Function<JsonNode, String> answer, Duration timeout) throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            JsonNode req = JSON.readTree(ex.getRequestBody());
            requests.add(req);
            String body = answer.apply(req);
            if (body == null) {
                try {
                    Thread.sleep(3000);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
                body = result(req, "\"" + ONE32 + "\"");
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
        return new EthCallAclChecker(new EthRpc(url, timeout), CONTRACT);
    }

    @AfterEach
    void stop() {
        if (server != null) server.stop(0);
    }

    private static String result(JsonNode req, String rawResult) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + req.get("id") + ",\"result\":" + rawResult + "}";
    }

    /** A chain that is not syncing, is at block 0x10, and answers eth_call with {@code callResult}. */
    private static Function<JsonNode, String> chain(String rawCallResult) {
        return req -> switch (req.get("method").asText()) {
            case "eth_syncing" -> result(req, "false");
            case "eth_blockNumber" -> result(req, "\"0x10\"");
            default -> rawCallResult == null ? null : rawCallResult.startsWith("{") ? rawCallResult.replace("ID", req.get("id").toString())
                    : result(req, rawCallResult);
        };
    }

    private static Decision decide(EthCallAclChecker checker, OptionalLong block) throws Exception {
        return checker.check(USER, DOC, block).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void callDataIsTheSpecExample() {
        assertThat(Hex.encodePrefixed(EthCallAclChecker.callData(USER, DOC))).isEqualTo(
                "0xb36a9a7c00000000000000000000000000a329c0648769a73afac7f9381e08fb43dbea7245ce99addb0f8385bd24f30da619ddcc0cadadab73e2a4ffb7801083086b3fc2");
    }

    @Test
    void trueAllowsAtThePinnedBlockAndSendsTheCall() throws Exception {
        var checker = serve(chain("\"" + ONE32 + "\""), Duration.ofSeconds(2));
        Decision d = decide(checker, OptionalLong.of(7));
        assertThat(d.allowed()).isTrue();
        assertThat(d.evaluatedAt()).contains("block 7");
        JsonNode call = requests.stream().filter(r -> r.get("method").asText().equals("eth_call")).findFirst().orElseThrow();
        assertThat(call.get("params").get(0).get("to").asText()).isEqualTo("0x" + CONTRACT.toHex().replace("0x", ""));
        assertThat(call.get("params").get(0).get("data").asText()).startsWith("0xb36a9a7c");
        assertThat(call.get("params").get(1).asText()).isEqualTo("0x7");
    }

    @Test
    void withoutABlockItAsksLatest() throws Exception {
        var checker = serve(chain("\"" + ONE32 + "\""), Duration.ofSeconds(2));
        assertThat(checker.check(USER, DOC).toCompletableFuture().get(10, TimeUnit.SECONDS).allowed()).isTrue();
        JsonNode call = requests.stream().filter(r -> r.get("method").asText().equals("eth_call")).findFirst().orElseThrow();
        assertThat(call.get("params").get(1).asText()).isEqualTo("latest");
    }

    @Test
    void falseDenies() throws Exception {
        var checker = serve(chain("\"" + ZERO32 + "\""), Duration.ofSeconds(2));
        assertThat(decide(checker, OptionalLong.empty()).allowed()).isFalse();
    }

    @Test
    void everyMalformedAnswerDenies() throws Exception {
        List<String> answers = List.of(
                "\"0x0001\"",                                  // 2 bytes
                "\"0x" + "00".repeat(30) + "01\"",            // 31 bytes
                "\"0x" + "00".repeat(32) + "01\"",            // 33 bytes
                "\"0x\"",                                      // empty: no code at the address
                "\"0x" + "00".repeat(31) + "02\"",            // 32 bytes, not a boolean
                "\"0x" + "ff".repeat(32) + "\"",              // 32 bytes, not a boolean
                "\"zz\"", "null", "true", "1", "{}",           // not a hex string
                "{\"jsonrpc\":\"2.0\",\"id\":ID,\"error\":{\"code\":3,\"message\":\"execution reverted\",\"data\":\"0x08c379a0\"}}",
                "{\"jsonrpc\":\"2.0\",\"id\":ID}",            // neither result nor error
                "{not json");
        for (String a : answers) {
            requests.clear();
            var checker = serve(chain(a.equals("{}") ? "{}" : a), Duration.ofSeconds(2));
            Decision d = decide(checker, OptionalLong.of(16));
            assertThat(d.allowed()).as(a).isFalse();
            assertThat(d.evaluatedAt()).as(a).contains("error");
            stop();
        }
    }

    @Test
    void syncingDeniesWithoutCallingTheContract() throws Exception {
        var checker = serve(req -> req.get("method").asText().equals("eth_syncing")
                ? result(req, "{\"startingBlock\":\"0x0\",\"currentBlock\":\"0x1\",\"highestBlock\":\"0x9\"}")
                : result(req, "\"" + ONE32 + "\""), Duration.ofSeconds(2));
        Decision d = decide(checker, OptionalLong.empty());
        assertThat(d.allowed()).isFalse();
        assertThat(d.evaluatedAt()).contains("trusted blockchain client");
        assertThat(requests).noneMatch(r -> r.get("method").asText().equals("eth_call"));
        assertThat(checker.chainHead().toCompletableFuture()).failsWithin(Duration.ofSeconds(5));
    }

    @Test
    void timeoutDenies() throws Exception {
        var checker = serve(chain(null), Duration.ofMillis(300));
        Decision d = decide(checker, OptionalLong.empty());
        assertThat(d.allowed()).isFalse();
        assertThat(d.evaluatedAt()).contains("timeout");
    }

    @Test
    void unreachableEndpointDenies() throws Exception {
        var checker = serve(chain("\"" + ONE32 + "\""), Duration.ofSeconds(1));
        stop();
        server = null;
        assertThat(decide(checker, OptionalLong.empty()).allowed()).isFalse();
    }

    @Test
    void aPinnedBlockFarBehindThisNodesHeadDenies() throws Exception {
        var checker = serve(chain("\"" + ONE32 + "\""), Duration.ofSeconds(2)); // head 0x10 = 16
        var strict = new EthCallAclChecker(new EthRpc(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"),
                Duration.ofSeconds(2)), CONTRACT, 4);
        assertThat(decide(strict, OptionalLong.of(12)).allowed()).isTrue();
        Decision d = decide(strict, OptionalLong.of(11));
        assertThat(d.allowed()).isFalse();
        assertThat(d.evaluatedAt()).contains("behind this node's head 16");
        assertThat(decide(checker, OptionalLong.of(1)).allowed()).isTrue(); // default lag 64
    }

    @Test
    void chainHeadIsTheLatestBlockNumber() throws Exception {
        var checker = serve(chain("\"" + ONE32 + "\""), Duration.ofSeconds(2));
        assertThat(checker.chainHead().toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(OptionalLong.of(16));
    }

    // SEC-35: key_creators = "contract" asks canCreateKeys(address) by eth_call; everything but a 32-byte true denies

    @Test
    void canCreateKeysCallDataIsTheSelectorAndThePaddedAddress() {
        assertThat(EthCallAclChecker.CAN_CREATE_KEYS).isEqualTo(java.util.Arrays.copyOf(
                dev.secretstore.crypto.Keccak256.selector("canCreateKeys(address)"), 4));
        assertThat(Hex.encodePrefixed(EthCallAclChecker.canCreateKeysCallData(USER)))
                .isEqualTo("0xbbba429a00000000000000000000000000a329c0648769a73afac7f9381e08fb43dbea72");
    }

    @Test
    void canCreateKeysTrueAllowsAndAsksTheContractAtLatest() throws Exception {
        var checker = serve(chain("\"" + ONE32 + "\""), Duration.ofSeconds(2));
        assertThat(checker.mayCreateKeys(USER)).isTrue();
        JsonNode call = requests.stream().filter(r -> r.get("method").asText().equals("eth_call")).findFirst().orElseThrow();
        assertThat(call.get("params").get(0).get("to").asText()).isEqualTo("0x" + CONTRACT.toHex().replace("0x", ""));
        assertThat(call.get("params").get(0).get("data").asText())
                .isEqualTo("0xbbba429a00000000000000000000000000a329c0648769a73afac7f9381e08fb43dbea72");
        assertThat(call.get("params").get(1).asText()).isEqualTo("latest");
    }

    @Test
    void canCreateKeysFalseDenies() throws Exception {
        var checker = serve(chain("\"" + ZERO32 + "\""), Duration.ofSeconds(2));
        assertThat(checker.mayCreateKeys(USER)).isFalse();
    }

    @Test
    void canCreateKeysFailsClosedOnEveryOtherAnswer() throws Exception {
        List<String> answers = List.of(
                "\"0x\"",                                      // a contract without the function answers nothing (or reverts)
                "{\"jsonrpc\":\"2.0\",\"id\":ID,\"error\":{\"code\":3,\"message\":\"execution reverted\"}}",
                "\"0x" + "00".repeat(31) + "02\"",            // 32 bytes, not a boolean
                "\"0x" + "00".repeat(32) + "01\"",            // 33 bytes
                "null", "{not json");
        for (String a : answers) {
            var checker = serve(chain(a), Duration.ofSeconds(2));
            assertThat(checker.mayCreateKeys(USER)).as(a).isFalse();
            stop();
        }
    }

    @Test
    void canCreateKeysDeniesWhenSyncingOrTimedOut() throws Exception {
        var syncing = serve(req -> req.get("method").asText().equals("eth_syncing")
                ? result(req, "{\"startingBlock\":\"0x0\",\"currentBlock\":\"0x1\",\"highestBlock\":\"0x9\"}")
                : result(req, "\"" + ONE32 + "\""), Duration.ofSeconds(2));
        assertThat(syncing.mayCreateKeys(USER)).isFalse();
        assertThat(requests).noneMatch(r -> r.get("method").asText().equals("eth_call"));
        stop();
        var slow = serve(chain(null), Duration.ofMillis(300));
        assertThat(slow.mayCreateKeys(USER)).isFalse();
    }
}
