package dev.secretstore.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SEC-33 in the client: every decrypt shadow is checked against the point its key server proved, a wrong one names
 * its key server (as data), and the retrieval is repeated without it; without check data (a Parity node) the client
 * works as before. Against a scripted key server whose answers are consistent sharings of a known document key.
 */
class ShadowCheckClientTest {
    private static final H256 ID = SecretStoreClient.keyId("00".repeat(31) + "01");
    private final Credentials requester = Credentials.fromSecretHex("4d5db4107d237df6a3d58ee5f70ae63d73d7658d4026f2eefd2f204c81682cb7");
    private final PublicPoint documentKey = SecretScalar.random().mulG();
    private final PublicPoint commonPoint = SecretScalar.random().mulG();
    private final List<PublicPoint> nodes = new ArrayList<>();
    private final Deque<String[]> answers = new ArrayDeque<>();
    /** Per request: its SEC-33 headers (absent ones as null). */
    private final List<List<String>> headersSeen = new ArrayList<>();
    private HttpServer server;

    ShadowCheckClientTest() {
        for (int i = 0; i < 4; i++) nodes.add(SecretScalar.random().mulG());
    }

    @AfterEach
    void stop() {
        if (server != null) server.stop(0);
    }

    private SecretStoreClient client() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.createContext("/", ex -> {
            if (ex.getRequestURI().getPath().equals("/cluster")) { // no fresh authorizations here (docs/auth.md §6): static signatures
                ex.sendResponseHeaders(400, -1);
                ex.close();
                return;
            }
            synchronized (headersSeen) {
                headersSeen.add(java.util.Arrays.asList(ex.getRequestHeaders().getFirst(SecretStoreClient.SHADOW_CHECK_HEADER),
                        ex.getRequestHeaders().getFirst(SecretStoreClient.EXCLUDE_NODES_HEADER)));
            }
            String[] answer = answers.poll();
            byte[] b = answer[1].getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(Integer.parseInt(answer[0]), b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        return SecretStoreClient.create(List.of("http://127.0.0.1:" + server.getAddress().getPort()), requester);
    }

    /**
     * An endpoint 6 body for a group of {@code members} (indexes into {@link #nodes}) whose shadows combine to the
     * document key; the members in {@code liars} encrypt another shadow than the one whose point they proved.
     */
    private String body(boolean withChecks, List<Integer> members, List<Integer> liars) {
        Map<Integer, SecretScalar> d = new LinkedHashMap<>();
        SecretScalar sum = SecretScalar.random();
        sum = sum.sub(sum); // zero
        for (int m : members) {
            d.put(m, SecretScalar.random());
            sum = sum.add(d.get(m));
        }
        PublicPoint decryptedSecret = documentKey.subtract(sum.mul(commonPoint));
        List<String> shadows = new ArrayList<>();
        for (int m : members) {
            SecretScalar sent = liars.contains(m) ? SecretScalar.random() : d.get(m);
            shadows.add(hex(Ecies.encryptToClient(requester.publicKey(), sent.toBytes())));
        }
        String json = "{\"decrypted_secret\":\"0x" + decryptedSecret.toHex() + "\",\"common_point\":\"0x" + commonPoint.toHex()
                + "\",\"decrypt_shadows\":[" + quoted(shadows) + "]";
        if (withChecks) {
            json += ",\"decrypt_shadow_nodes\":[" + quoted(members.stream().map(m -> hex(nodes.get(m).toBytes())).toList())
                    + "],\"decrypt_shadow_points\":[" + quoted(members.stream().map(m -> "0x" + d.get(m).mulG().toHex()).toList()) + "]";
        }
        return json + "}";
    }

    private static String hex(byte[] b) {
        return dev.secretstore.crypto.Hex.encodePrefixed(b);
    }

    private static String quoted(List<String> items) {
        return items.stream().map(s -> "\"" + s + "\"").collect(Collectors.joining(","));
    }

    private void answer(int status, String body) {
        answers.add(new String[] {Integer.toString(status), body});
    }

    @Test
    void aWrongShadowNamesItsKeyServerAndTheRetryWithoutItGivesTheKey_SEC33() throws Exception {
        answer(200, body(true, List.of(0, 1, 2), List.of(1)));
        answer(200, body(true, List.of(0, 2, 3), List.of()));
        assertThat(client().retrieveDocumentKeyFromShadows(ID)).isEqualTo(documentKey);
        assertThat(headersSeen).containsExactly(java.util.Arrays.asList("1", null), List.of("1", "0x" + nodes.get(1).toHex()));
    }

    @Test
    void theCheckNamesExactlyTheLyingKeyServersAsData_SEC33() throws Exception {
        answer(200, body(true, List.of(0, 1, 2), List.of(0, 2)));
        SecretStoreClient c = client();
        ShadowResponse r = c.retrieveShadows(ID);
        assertThat(r.checks()).extracting(ShadowResponse.Check::node).containsExactly(nodes.get(0), nodes.get(1), nodes.get(2));
        assertThatThrownBy(() -> c.documentKeyFromShadows(r)).isInstanceOfSatisfying(SecretStoreException.WrongDecryptShadow.class,
                e -> assertThat(e.culprits()).containsExactly(nodes.get(0), nodes.get(2)));
    }

    @Test
    void twoLiarsWhoseErrorsCancelInTheSumAreBothNamed_SEC33() {
        SecretScalar d0 = SecretScalar.random();
        SecretScalar d1 = SecretScalar.random();
        SecretScalar d2 = SecretScalar.random();
        SecretScalar delta = SecretScalar.random();
        List<byte[]> sent = List.of(Ecies.encryptToClient(requester.publicKey(), d0.add(delta).toBytes()),
                Ecies.encryptToClient(requester.publicKey(), d1.sub(delta).toBytes()), Ecies.encryptToClient(requester.publicKey(), d2.toBytes()));
        List<ShadowResponse.Check> checks = List.of(new ShadowResponse.Check(nodes.get(0), d0.mulG()),
                new ShadowResponse.Check(nodes.get(1), d1.mulG()), new ShadowResponse.Check(nodes.get(2), d2.mulG()));
        ShadowResponse r = new ShadowResponse(documentKey, commonPoint, sent, checks);
        SecretStoreClient c = SecretStoreClient.create(List.of("http://127.0.0.1:9"), requester);
        assertThatThrownBy(() -> c.documentKeyFromShadows(r)).isInstanceOfSatisfying(SecretStoreException.WrongDecryptShadow.class,
                e -> assertThat(e.culprits()).containsExactly(nodes.get(0), nodes.get(1)));
    }

    @Test
    void aShadowThatDoesNotDecryptNamesItsKeyServer_SEC33() throws Exception {
        String good = body(true, List.of(0, 1), List.of());
        String garbage = hex(new byte[145]);
        int at = good.indexOf("\"decrypt_shadows\":[\"") + "\"decrypt_shadows\":[\"".length();
        answer(200, good.substring(0, at) + garbage + good.substring(good.indexOf('"', at)));
        SecretStoreClient c = client();
        ShadowResponse r = c.retrieveShadows(ID);
        assertThatThrownBy(() -> c.documentKeyFromShadows(r)).isInstanceOfSatisfying(SecretStoreException.WrongDecryptShadow.class,
                e -> assertThat(e.culprits()).containsExactly(nodes.get(0)));
    }

    @Test
    void whenTooFewKeyServersRemainTheCaughtOnesAreNamedWithTheServersAnswer_SEC33() throws Exception {
        answer(200, body(true, List.of(0, 1), List.of(1)));
        answer(403, "\"\\\"Consensus unreachable\\\"\"");
        assertThatThrownBy(() -> client().retrieveDocumentKeyFromShadows(ID))
                .isInstanceOfSatisfying(SecretStoreException.WrongDecryptShadow.class, e -> {
                    assertThat(e.culprits()).containsExactly(nodes.get(1));
                    assertThat(e.getCause()).isInstanceOf(SecretStoreException.ConsensusUnreachable.class);
                });
    }

    @Test
    void theRetriesAreBoundedAndNameEveryKeyServerCaught_SEC33() throws Exception {
        answer(200, body(true, List.of(0, 1), List.of(0)));
        answer(200, body(true, List.of(1, 2), List.of(1)));
        answer(200, body(true, List.of(2, 3), List.of(2)));
        answer(200, body(true, List.of(3, 0), List.of()));
        assertThatThrownBy(() -> client().retrieveDocumentKeyFromShadows(ID))
                .isInstanceOfSatisfying(SecretStoreException.WrongDecryptShadow.class,
                        e -> assertThat(e.culprits()).containsExactly(nodes.get(0), nodes.get(1), nodes.get(2)));
        assertThat(headersSeen).hasSize(SecretStoreClient.MAX_SHADOW_ATTEMPTS);
        assertThat(headersSeen.get(2).get(1)).isEqualTo("0x" + nodes.get(0).toHex() + ",0x" + nodes.get(1).toHex());
    }

    @Test
    void withoutCheckDataTheClientWorksAsBefore() throws Exception {
        answer(200, body(false, List.of(0, 1, 2), List.of()));
        SecretStoreClient c = client();
        assertThat(c.retrieveDocumentKeyFromShadows(ID)).isEqualTo(documentKey);
        assertThat(headersSeen).hasSize(1);
    }

    @Test
    void checkDataWithoutOnePointPerShadowIsAnUnexpectedResponse() throws Exception {
        String good = body(true, List.of(0, 1), List.of());
        answer(200, good.substring(0, good.indexOf(",\"decrypt_shadow_points\"")) + "}");
        assertThatThrownBy(() -> client().retrieveShadows(ID)).isExactlyInstanceOf(SecretStoreException.class)
                .hasMessageContaining("unexpected shadow retrieval response");
    }
}
