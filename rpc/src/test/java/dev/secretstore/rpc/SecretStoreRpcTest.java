package dev.secretstore.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.keystore.Keystore;
import dev.secretstore.keystore.KeystoreFile;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The six methods against test-vectors.md A.1, A.2, A.4, A.5, and every error of jsonrpc.md §5. */
class SecretStoreRpcTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** A.2 Parity dev-chain account. */
    static final String DEV_SECRET = "4d5db4107d237df6a3d58ee5f70ae63d73d7658d4026f2eefd2f204c81682cb7";
    static final String DEV = "0x00a329c0648769a73afac7f9381e08fb43dbea72";
    /** A.4 account. */
    static final String A4_SECRET = "c1f1cfe279a5c350d13795bce162941967340c8a228e6ba175489afc564a5bef";
    static final String A4 = "0x5c2f3b4ec0c2234f8358697edc8b82a62e3ac995";
    static final String A4_BLOB = "0x0440262acc06f1e13cb11b34e792cdf698673a16bb812163cb52689ac34c94ae47047b58f58d8b596d21ac7b03a55896132d07a7dc028b2dad88f6c5a90623fa5b30ff4b1ba385a98c970432d13417cf6d7facd62f86faaef15ca993735890da0cb3e417e2740fc72de7501eef083a12dd5a9ebe513b592b1740848576a936a1eb88fc553fc624b1cae41a0a4e074e34e2aaae686709f08d70e505c5acba12ef96017e89be675a2adb07c72c4e95814fbf";
    static final String P1 = "843645726384530ffb0c52f175278143b5a93959af7864460f5a4fec9afd1450cfb8aef63dec90657f43f55b13e0a73c7524d4e9a13c051b4e5f1e53f39ecd91";
    static final String P2 = "07230e34ebfe41337d3ed53b186b3861751f2401ee74b988bba55694e2a6f60c757677e194be2e53c3523cc8548694e636e6acb35c4e8fdc5e29d28679b9b2f3";

    @TempDir
    static Path dir;
    static SecretStoreRpc rpc;
    static KeyPair a4;

    @BeforeAll
    static void keystore() throws Exception {
        Keystore ks = new Keystore(dir);
        ks.store(KeyPair.fromSecretBytes(Hex.decode(DEV_SECRET)), "dev-pw", KeystoreFile.ScryptParams.LIGHT);
        a4 = KeyPair.fromSecretBytes(Hex.decode(A4_SECRET));
        ks.store(a4, "a4-pw", KeystoreFile.ScryptParams.LIGHT);
        rpc = new SecretStoreRpc(ks);
    }

    static String call(String method, String paramsJson) {
        return rpc.handle("{\"jsonrpc\":\"2.0\",\"method\":\"" + method + "\",\"params\":" + paramsJson + ",\"id\":1}");
    }

    static String result(String method, String paramsJson) throws Exception {
        JsonNode r = JSON.readTree(call(method, paramsJson));
        assertThat(r.has("error")).as("error: %s", r).isFalse();
        return r.get("result").asText();
    }

    static void assertError(String response, int code, String message) throws Exception {
        JsonNode r = JSON.readTree(response);
        assertThat(r.path("error").path("code").asInt()).as(response).isEqualTo(code);
        if (message != null) assertThat(r.path("error").path("message").asText()).isEqualTo(message);
        assertThat(response).doesNotContain("dev-pw").doesNotContain("a4-pw");
    }

    static String q(String s) {
        return "\"" + s + "\"";
    }

    // ------------------------------------------------------------------ signRawHash (A.2)

    @Test
    void signRawHashVectorsA2() throws Exception {
        String h1 = "0x" + "00".repeat(31) + "01";
        String h3 = "0x" + "00".repeat(31) + "03";
        assertThat(call("secretstore_signRawHash", "[" + q(DEV) + ",\"dev-pw\"," + q(h1) + "]")).isEqualTo(
                "{\"jsonrpc\":\"2.0\",\"result\":\"0x7e11e1023d77135d6f395656fc66eeeffe7795824f1a5b2ffc78b1c5e8c84d5503de758f549a1372f797e124c0bd7b9f351bd8d6a8fa7cb4f173e8b431912aa300\",\"id\":1}");
        assertThat(result("secretstore_signRawHash", "[" + q(DEV.toUpperCase(Locale.ROOT).replace("0X", "0x")) + ",\"dev-pw\"," + q(h3) + "]"))
                .isEqualTo("0xbd22d48735e5d711fffa03d9a987366acd50359a7a27f2fb0480e5339a44bf155b36ee1f2f860f4fcbb1171cf68dd59ac5f95d407137cafec4898f3e562fa9d700");
    }

    @Test
    void signRawHashErrors() throws Exception {
        String h = q("0x" + "00".repeat(32));
        assertError(call("secretstore_signRawHash", "[" + q(DEV) + ",\"wrong\"," + h + "]"), -32023, "Could not sign raw hash.");
        assertError(call("secretstore_signRawHash", "[" + q("0x" + "11".repeat(20)) + ",\"dev-pw\"," + h + "]"), -32023, "Could not sign raw hash.");
        assertError(call("secretstore_signRawHash", "[" + q(DEV) + ",\"dev-pw\",\"0x" + "00".repeat(31) + "\"]"), -32602, null);
        assertError(call("secretstore_signRawHash", "[" + q(DEV.substring(2)) + ",\"dev-pw\"," + h + "]"), -32602, null);
        // Python prepends 0x to an id that already has it
        assertError(call("secretstore_signRawHash", "[" + q(DEV) + ",\"dev-pw\",\"0x0x" + "00".repeat(32) + "\"]"), -32602, null);
        assertError(call("secretstore_signRawHash", "[" + q(DEV) + ",\"dev-pw\"]"), -32602, null);
        assertError(call("secretstore_signRawHash", "{\"a\":1}"), -32602, null);
        assertError(call("secretstore_signRawHash", "[" + q(DEV) + ",1," + h + "]"), -32602, null);
    }

    // ------------------------------------------------------------------ generateDocumentKey

    @Test
    void generateDocumentKeyEncryptsToServerKeyAndAccount() throws Exception {
        SecretScalar y = SecretScalar.random();
        PublicPoint serverKey = y.mulG();
        String resp = call("secretstore_generateDocumentKey", "[" + q(A4) + ",\"a4-pw\"," + q("0x" + serverKey.toHex().replace("0x", "")) + "]");
        JsonNode r = JSON.readTree(resp).get("result");
        assertThat(resp).matches("\\{\"jsonrpc\":\"2.0\",\"result\":\\{\"common_point\":\"0x[0-9a-f]{128}\",\"encrypted_point\":\"0x[0-9a-f]{128}\",\"encrypted_key\":\"0x[0-9a-f]{354}\"},\"id\":1}");
        PublicPoint c = PublicPoint.fromHex(r.get("common_point").asText());
        PublicPoint e = PublicPoint.fromHex(r.get("encrypted_point").asText());
        byte[] m = Ecies.decryptFromServer(a4.secret(), Hex.decodeLenient(r.get("encrypted_key").asText()));
        assertThat(e.subtract(y.mul(c))).isEqualTo(PublicPoint.fromBytes(m));
    }

    @Test
    void generateDocumentKeyErrors() throws Exception {
        assertError(call("secretstore_generateDocumentKey", "[" + q(A4) + ",\"no\"," + q("0x" + P1) + "]"), -32023, "Could not read account public.");
        assertError(call("secretstore_generateDocumentKey", "[" + q(A4) + ",\"a4-pw\"," + q("0x" + "00".repeat(63) + "01") + "]"), -32055, "Encryption error.");
        assertError(call("secretstore_generateDocumentKey", "[" + q(A4) + ",\"a4-pw\"," + q("0x" + P1.substring(2)) + "]"), -32602, null);
    }

    // ------------------------------------------------------------------ encrypt / decrypt (A.4)

    @Test
    void encryptDecryptWithVectorA4Key() throws Exception {
        String enc = result("secretstore_encrypt", "[" + q(A4) + ",\"a4-pw\"," + q(A4_BLOB) + ",\"0xDEADBEEF\"]");
        assertThat(enc).matches("0x[0-9a-f]{40}");
        String dec = result("secretstore_decrypt", "[" + q(A4) + ",\"a4-pw\"," + q(A4_BLOB.toUpperCase(Locale.ROOT).replace("0X", "0x")) + "," + q(enc.toUpperCase(Locale.ROOT).replace("0X", "0x")) + "]");
        assertThat(dec).isEqualTo("0xdeadbeef");
        // the AES key is M[0..16] = ce9c…9b64: check against DocumentCipher directly
        PublicPoint m = PublicPoint.fromHex("ce9c0af4fc6818e44fd1934b04df9b6490ac744323d2bbfd5229df76968dd39827da4998260f133460c79732af7079eb4e32c55991fc0fea02475557d64e05fd");
        assertThat(dev.secretstore.crypto.DocumentCipher.decrypt(m, Hex.decodeLenient(enc))).containsExactly(0xde, 0xad, 0xbe, 0xef);
        // empty document
        String empty = result("secretstore_encrypt", "[" + q(A4) + ",\"a4-pw\"," + q(A4_BLOB) + ",\"0x\"]");
        assertThat(result("secretstore_decrypt", "[" + q(A4) + ",\"a4-pw\"," + q(A4_BLOB) + "," + q(empty) + "]")).isEqualTo("0x");
    }

    @Test
    void encryptDecryptErrors() throws Exception {
        String flipped = A4_BLOB.substring(0, 100) + (A4_BLOB.charAt(100) == '0' ? '1' : '0') + A4_BLOB.substring(101);
        String key63 = Hex.encodePrefixed(Ecies.encryptToClient(a4.publicKey(), new byte[63]));
        String data = q("0x" + "00".repeat(20));
        for (String m : new String[] {"secretstore_encrypt", "secretstore_decrypt"}) {
            assertError(call(m, "[" + q(A4) + ",\"bad\"," + q(A4_BLOB) + "," + data + "]"), -32023, "Could not decrypt key.");
            assertError(call(m, "[" + q(A4) + ",\"a4-pw\"," + q(flipped) + "," + data + "]"), -32023, "Could not decrypt key.");
            assertError(call(m, "[" + q(A4) + ",\"a4-pw\",\"0x\"," + data + "]"), -32023, "Could not decrypt key.");
            assertError(call(m, "[" + q(A4) + ",\"a4-pw\"," + q(key63) + "," + data + "]"), -32602, "Couldn't parse parameters: key");
            assertError(call(m, "[" + q(A4) + ",\"a4-pw\"," + q(A4_BLOB) + ",\"0x123\"]"), -32602, null);
            assertError(call(m, "[" + q(A4) + ",\"a4-pw\"," + q(A4_BLOB) + ",\"deadbeef\"]"), -32602, null);
        }
        assertError(call("secretstore_decrypt", "[" + q(A4) + ",\"a4-pw\"," + q(A4_BLOB) + ",\"0x" + "00".repeat(15) + "\"]"),
                -32602, "Couldn't parse parameters: encrypted_document");
    }

    // ------------------------------------------------------------------ shadowDecrypt (A.5)

    static String shadow(String scalarHex) {
        return q(Hex.encodePrefixed(Ecies.encryptToClient(a4.publicKey(), Hex.decode(scalarHex))));
    }

    @Test
    void shadowDecryptVectorA5() throws Exception {
        String params = "[" + q(A4) + ",\"a4-pw\"," + q("0x" + P1) + "," + q("0X".replace("X", "x") + P2.toUpperCase(Locale.ROOT)) + ",["
                + shadow("46f542416216f66a7d7881f5a283d2a1ab7a87b381cbc5f29d0b093c7c89ee31") + "],\"0x2ddec1f96229efa2916988d8b2a82a47ef36f71c\"]";
        assertThat(call("secretstore_shadowDecrypt", params)).isEqualTo("{\"jsonrpc\":\"2.0\",\"result\":\"0xdeadbeef\",\"id\":1}");
    }

    @Test
    void shadowDecryptErrors() throws Exception {
        String s = shadow("46f542416216f66a7d7881f5a283d2a1ab7a87b381cbc5f29d0b093c7c89ee31");
        String doc = "\"0x2ddec1f96229efa2916988d8b2a82a47ef36f71c\"";
        String pts = q("0x" + P1) + "," + q("0x" + P2);
        assertError(call("secretstore_shadowDecrypt", "[" + q(A4) + ",\"a4-pw\"," + pts + ",[]," + doc + "]"),
                -32602, "Couldn't parse parameters: decrypt_shadows");
        assertError(call("secretstore_shadowDecrypt", "[" + q(A4) + ",\"nope\"," + pts + ",[" + s + "]," + doc + "]"),
                -32023, "Could not decrypt key.");
        assertError(call("secretstore_shadowDecrypt", "[" + q(A4) + ",\"a4-pw\"," + pts + ",[\"0x0400\"]," + doc + "]"),
                -32023, "Could not decrypt key.");
        assertError(call("secretstore_shadowDecrypt", "[" + q(A4) + ",\"a4-pw\"," + pts + ",[" + shadow("ff".repeat(32)) + "]," + doc + "]"),
                -32023, "invalid secret");
        assertError(call("secretstore_shadowDecrypt", "[" + q(A4) + ",\"a4-pw\"," + pts + ",[" + shadow("00".repeat(32)) + "]," + doc + "]"),
                -32023, "invalid secret");
        assertError(call("secretstore_shadowDecrypt", "[" + q(A4) + ",\"a4-pw\"," + pts + ",[" + shadow("01".repeat(31)) + "]," + doc + "]"),
                -32023, "invalid secret");
        assertError(call("secretstore_shadowDecrypt", "[" + q(A4) + ",\"a4-pw\"," + pts + ",[" + s + "],\"0x00\"]"),
                -32602, "Couldn't parse parameters: encrypted_document");
        assertError(call("secretstore_shadowDecrypt", "[" + q(A4) + ",\"a4-pw\"," + q("0x" + "00".repeat(63) + "02") + "," + q("0x" + P2) + ",[" + s + "]," + doc + "]"),
                -32055, "Encryption error.");
        assertError(call("secretstore_shadowDecrypt", "[" + q(A4) + ",\"a4-pw\"," + pts + "," + s + "," + doc + "]"), -32602, null);
    }

    // ------------------------------------------------------------------ serversSetHash (A.1)

    @Test
    void serversSetHashVectorA1() throws Exception {
        assertThat(result("secretstore_serversSetHash", "[[" + q("0x" + P1) + "," + q("0x" + P2) + "," + q("0x" + P1.toUpperCase(Locale.ROOT)) + "]]"))
                .isEqualTo("0x67d808b1c7a0e5521d6e1b91c9604eaa303e5cd40149fc7af5731e0274845357");
        assertError(call("secretstore_serversSetHash", "[[\"0x00\"]]"), -32602, null);
        assertError(call("secretstore_serversSetHash", "[" + q("0x" + P1) + "]"), -32602, null);
    }

    // ------------------------------------------------------------------ envelope

    /** A float exponent too large for BigDecimal is a parse error too, not an exception out of handle (found by SecretStoreRpcFuzzTest, issue #17). */
    @Test
    void aNumberTooLargeToParseIsAParseError() throws Exception {
        for (String body : new String[] {"4E444444444444444", "{\"jsonrpc\":\"2.0\",\"method\":\"secretstore_serversSetHash\",\"params\":[1e999999999999999],\"id\":1}"}) {
            assertThat(rpc.handle(body)).isEqualTo("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":\"Parse error\"},\"id\":null}");
        }
    }

    @Test
    void envelope() throws Exception {
        assertThat(rpc.handle("{\"jsonrpc\":\"2.0\",\"method\":\"eth_accounts\",\"params\":[],\"id\":\"abc\"}"))
                .isEqualTo("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"Method not found\"},\"id\":\"abc\"}");
        assertThat(rpc.handle("{not json")).isEqualTo("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":\"Parse error\"},\"id\":null}");
        assertThat(rpc.handle("")).isEqualTo("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":\"Parse error\"},\"id\":null}");
        assertThat(rpc.handle("[]")).isEqualTo("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"Invalid request\"},\"id\":null}");
        assertThat(rpc.handle("{\"method\":\"x\",\"id\":5}")).isEqualTo("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"Invalid request\"},\"id\":5}");
        assertThat(rpc.handle("{\"jsonrpc\":\"2.0\",\"method\":\"secretstore_serversSetHash\",\"params\":[[]],\"id\":null}"))
                .isEqualTo("{\"jsonrpc\":\"2.0\",\"result\":\"0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470\",\"id\":null}");
        assertThat(rpc.handle("{\"jsonrpc\":\"2.0\",\"method\":\"secretstore_serversSetHash\",\"params\":[[]],\"id\":12345678901234567890}"))
                .endsWith(",\"id\":12345678901234567890}");
        // notification: no response
        assertThat(rpc.handle("{\"jsonrpc\":\"2.0\",\"method\":\"secretstore_serversSetHash\",\"params\":[[]]}")).isNull();
    }

    @Test
    void batch() throws Exception {
        String h = q("0x" + "00".repeat(31) + "01");
        String out = rpc.handle("[{\"jsonrpc\":\"2.0\",\"method\":\"secretstore_signRawHash\",\"params\":[" + q(DEV) + ",\"dev-pw\"," + h + "],\"id\":1},"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"nope\",\"id\":2},"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"secretstore_serversSetHash\",\"params\":[[]]},"
                + "17]");
        JsonNode arr = JSON.readTree(out);
        assertThat(arr.isArray()).isTrue();
        assertThat(arr).hasSize(3);
        assertThat(arr.get(0).get("result").asText()).startsWith("0x7e11e102");
        assertThat(arr.get(1).get("error").get("code").asInt()).isEqualTo(-32601);
        assertThat(arr.get(2).get("error").get("code").asInt()).isEqualTo(-32600);
    }

    @Test
    void wrongPasswordsLockTheAccountForAWhile() throws Exception {
        long[] now = {0};
        SecretStoreRpc limited = new SecretStoreRpc(rpc.keystore(), new java.security.SecureRandom(), () -> now[0]);
        String h = q("0x" + "00".repeat(31) + "01");
        String wrong = "{\"jsonrpc\":\"2.0\",\"method\":\"secretstore_signRawHash\",\"params\":[" + q(DEV) + ",\"bad\"," + h + "],\"id\":1}";
        String right = wrong.replace("\"bad\"", "\"dev-pw\"");
        for (int i = 0; i < SecretStoreRpc.FREE_ATTEMPTS - 1; i++) {
            assertThat(limited.handle(wrong)).contains("\"data\":\"InvalidPassword\"");
        }
        assertThat(limited.handle(right)).contains("\"result\"");          // success resets the count
        for (int i = 0; i < SecretStoreRpc.FREE_ATTEMPTS; i++) limited.handle(wrong);
        assertError(limited.handle(right), -32023, "Could not sign raw hash.");
        assertThat(limited.handle(right)).contains("TooManyAttempts");
        // other accounts are not affected
        assertThat(limited.handle(right.replace(DEV, A4).replace("dev-pw", "a4-pw"))).contains("\"result\"");
        now[0] += 1_000_000_001L;
        assertThat(limited.handle(right)).contains("\"result\"");
    }
}
