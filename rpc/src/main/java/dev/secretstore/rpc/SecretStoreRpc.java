package dev.secretstore.rpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.DocumentCipher;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.NodeSetHash;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.Decryption;
import dev.secretstore.crypto.threshold.DocumentKey;
import dev.secretstore.rpc.json.EncryptedDocumentKey;
import dev.secretstore.rpc.json.HexBytes;
import dev.secretstore.keystore.Keystore;
import dev.secretstore.keystore.KeystoreException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The six {@code secretstore_*} JSON-RPC methods (jsonrpc.md §4) and the JSON-RPC 2.0 envelope
 * (§2): single requests and batches, {@code id} echoed exactly, Parity's member order, compact
 * output. Transport-independent: {@link #handle(String)} maps a request body to a response body.
 * Each call unlocks its account with the given password and destroys the key before returning.
 * Nothing here logs; error messages and {@code data} never contain parameters (SEC-07).
 */
public final class SecretStoreRpc {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
    private static final JsonNodeFactory NODES = JSON.getNodeFactory();

    /** Wrong passwords in a row for one account before further attempts are refused for a while (jsonrpc.md §10). */
    static final int FREE_ATTEMPTS = 5;
    static final long MAX_LOCK_NANOS = 60_000_000_000L;

    private final Keystore keystore;
    private final SecureRandom rng;
    private final java.util.function.LongSupplier clock;
    /** Per account: consecutive wrong passwords and the time until which attempts are refused (bounded by the keystore's size). */
    private final java.util.Map<Address, long[]> failures = new java.util.concurrent.ConcurrentHashMap<>();

    public SecretStoreRpc(Keystore keystore) {
        this(keystore, new SecureRandom());
    }

    public SecretStoreRpc(Keystore keystore, SecureRandom rng) {
        this(keystore, rng, System::nanoTime);
    }

    SecretStoreRpc(Keystore keystore, SecureRandom rng, java.util.function.LongSupplier clock) {
        this.keystore = keystore;
        this.rng = rng;
        this.clock = clock;
    }

    public Keystore keystore() {
        return keystore;
    }

    /**
     * Handles one HTTP body. Returns the response body, or {@code null} when there is nothing to send
     * (a notification, or a batch made only of notifications).
     */
    public String handle(String body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            root = null;
        }
        if (root == null || root.isMissingNode()) {
            return write(errorResponse(RpcError.parseError(), NODES.nullNode()));
        }
        if (root.isArray()) {
            if (root.isEmpty()) {
                return write(errorResponse(RpcError.invalidRequest(), NODES.nullNode()));
            }
            ArrayNode out = NODES.arrayNode();
            for (JsonNode call : root) {
                JsonNode r = handleCall(call);
                if (r != null) out.add(r);
            }
            return out.isEmpty() ? null : write(out);
        }
        JsonNode r = handleCall(root);
        return r == null ? null : write(r);
    }

    private JsonNode handleCall(JsonNode call) {
        if (!call.isObject()) {
            return errorResponse(RpcError.invalidRequest(), NODES.nullNode());
        }
        JsonNode id = call.get("id");
        boolean notification = id == null;
        JsonNode echoId = notification ? NODES.nullNode() : id;
        if (!notification && !(id.isNull() || id.isNumber() || id.isTextual())) {
            return errorResponse(RpcError.invalidRequest(), NODES.nullNode());
        }
        JsonNode version = call.get("jsonrpc");
        JsonNode method = call.get("method");
        JsonNode params = call.get("params");
        if (version == null || !version.isTextual() || !version.asText().equals("2.0")
                || method == null || !method.isTextual()
                || (params != null && !params.isArray() && !params.isObject())) {
            return errorResponse(RpcError.invalidRequest(), echoId);
        }
        JsonNode response;
        try {
            JsonNode result = dispatch(method.asText(), params == null ? NODES.arrayNode() : params);
            ObjectNode ok = NODES.objectNode();
            ok.put("jsonrpc", "2.0");
            ok.set("result", result);
            ok.set("id", echoId);
            response = ok;
        } catch (RpcError e) {
            response = errorResponse(e, echoId);
        } catch (RuntimeException e) {
            response = errorResponse(new RpcError(-32603, "Internal error", null), echoId);
        }
        return notification ? null : response;
    }

    private JsonNode dispatch(String method, JsonNode params) throws RpcError {
        return switch (method) {
            case "secretstore_signRawHash" -> signRawHash(params);
            case "secretstore_generateDocumentKey" -> generateDocumentKey(params);
            case "secretstore_encrypt" -> encrypt(params);
            case "secretstore_decrypt" -> decrypt(params);
            case "secretstore_shadowDecrypt" -> shadowDecrypt(params);
            case "secretstore_serversSetHash" -> serversSetHash(params);
            default -> throw RpcError.methodNotFound();
        };
    }

    // ------------------------------------------------------------------ methods

    private JsonNode signRawHash(JsonNode params) throws RpcError {
        Params p = new Params(params, 3);
        Address address = p.address(0);
        String password = p.string(1);
        byte[] hash = p.fixed(2, 32);
        KeyPair kp = unlock(address, password, "Could not sign raw hash.");
        try {
            return hex(Ecdsa.sign(kp.secret(), H256.fromBytes(hash)).toBytes());
        } finally {
            kp.destroy();
        }
    }

    private JsonNode generateDocumentKey(JsonNode params) throws RpcError {
        Params p = new Params(params, 3);
        Address address = p.address(0);
        String password = p.string(1);
        byte[] serverKey = p.fixed(2, 64);
        KeyPair kp = unlock(address, password, "Could not read account public.");
        PublicPoint accountPublic;
        try {
            accountPublic = kp.publicKey();
        } finally {
            kp.destroy();
        }
        PublicPoint y = point(serverKey);
        DocumentKey.Generated g = DocumentKey.generate(y, rng);
        byte[] m = g.documentKey().toBytes();
        try {
            byte[] encryptedKey = Ecies.encryptToClient(accountPublic, m);
            return JSON.valueToTree(new EncryptedDocumentKey(
                    HexBytes.of(g.encrypted().commonPoint().toBytes()),
                    HexBytes.of(g.encrypted().encryptedPoint().toBytes()),
                    HexBytes.of(encryptedKey)));
        } finally {
            Arrays.fill(m, (byte) 0);
        }
    }

    private JsonNode encrypt(JsonNode params) throws RpcError {
        Params p = new Params(params, 4);
        Address address = p.address(0);
        String password = p.string(1);
        byte[] key = p.bytes(2);
        byte[] data = p.bytes(3);
        PublicPoint m = documentKey(address, password, key);
        try {
            return hex(DocumentCipher.encrypt(m, data, rng));
        } catch (CryptoException e) {
            throw RpcError.encryption(e.reason().name());
        }
    }

    private JsonNode decrypt(JsonNode params) throws RpcError {
        Params p = new Params(params, 4);
        Address address = p.address(0);
        String password = p.string(1);
        byte[] key = p.bytes(2);
        byte[] data = p.bytes(3);
        if (data.length < 16) {
            throw RpcError.couldNotParse("encrypted_document", "data shorter than the 16-byte IV");
        }
        PublicPoint m = documentKey(address, password, key);
        try {
            return hex(DocumentCipher.decrypt(m, data));
        } catch (CryptoException e) {
            throw RpcError.encryption(e.reason().name());
        }
    }

    private JsonNode shadowDecrypt(JsonNode params) throws RpcError {
        Params p = new Params(params, 6);
        Address address = p.address(0);
        String password = p.string(1);
        byte[] decryptedSecret = p.fixed(2, 64);
        byte[] commonPoint = p.fixed(3, 64);
        List<byte[]> shadows = p.bytesArray(4);
        byte[] data = p.bytes(5);
        if (shadows.isEmpty()) {
            throw RpcError.couldNotParse("decrypt_shadows", "no decrypt shadows");
        }
        if (data.length < 16) {
            throw RpcError.couldNotParse("encrypted_document", "data shorter than the 16-byte IV");
        }
        KeyPair kp = unlock(address, password, "Could not decrypt key.");
        List<SecretScalar> ds = new ArrayList<>();
        try {
            for (byte[] shadow : shadows) {
                byte[] plain;
                try {
                    plain = Ecies.decryptFromServer(kp.secret(), shadow);
                } catch (CryptoException e) {
                    throw RpcError.account("Could not decrypt key.", e.reason().name());
                }
                try {
                    ds.add(SecretScalar.fromBytes(plain));
                } catch (CryptoException e) {
                    throw RpcError.account("invalid secret", e.reason().name());
                } finally {
                    Arrays.fill(plain, (byte) 0);
                }
            }
            kp.destroy();
            PublicPoint m = Decryption.clientCombine(point(decryptedSecret), point(commonPoint), ds);
            return hex(DocumentCipher.decrypt(m, data));
        } catch (CryptoException e) {
            throw RpcError.encryption(e.reason().name());
        } finally {
            kp.destroy();
            ds.forEach(SecretScalar::destroy);
        }
    }

    private JsonNode serversSetHash(JsonNode params) throws RpcError {
        Params p = new Params(params, 1);
        JsonNode set = p.get(0);
        if (!set.isArray()) throw RpcError.invalidParams("invalid type: expected a sequence of node ids");
        Set<PublicPoint> nodes = new LinkedHashSet<>();
        for (JsonNode n : set) {
            byte[] b = Params.hexValue(n, 64);
            try {
                nodes.add(PublicPoint.fromBytes(b));
            } catch (CryptoException e) {
                throw RpcError.couldNotParse("server_set", "a node id is not a valid public key");
            }
        }
        return hex(NodeSetHash.of(nodes).toBytes());
    }

    // ------------------------------------------------------------------ helpers

    /** Unlocks the account, decrypts {@code key} (ECIES, authData 00 00) and requires 64 bytes. */
    private PublicPoint documentKey(Address address, String password, byte[] key) throws RpcError {
        KeyPair kp = unlock(address, password, "Could not decrypt key.");
        byte[] m;
        try {
            m = Ecies.decryptFromServer(kp.secret(), key);
        } catch (CryptoException e) {
            throw RpcError.account("Could not decrypt key.", e.reason().name());
        } finally {
            kp.destroy();
        }
        try {
            if (m.length != 64) {
                throw RpcError.couldNotParse("key", "decrypted key is " + m.length + " bytes, expected 64");
            }
            return point(m);
        } finally {
            Arrays.fill(m, (byte) 0);
        }
    }

    /**
     * Unlocks the account for one call. After {@link #FREE_ATTEMPTS} wrong passwords in a row, the
     * account refuses attempts for 1 s, doubling per further failure up to 60 s; a success resets it.
     */
    private KeyPair unlock(Address address, String password, String message) throws RpcError {
        long[] f = failures.get(address);
        if (f != null && clock.getAsLong() - f[1] < 0) {
            throw RpcError.account(message, "TooManyAttempts");
        }
        try {
            KeyPair kp = keystore.unlock(address, password);
            failures.remove(address);
            return kp;
        } catch (KeystoreException e) {
            if (e.reason() == KeystoreException.Reason.WRONG_PASSWORD) {
                failures.compute(address, (a, old) -> {
                    long count = old == null ? 1 : old[0] + 1;
                    long lock = count < FREE_ATTEMPTS ? 0
                            : Math.min(MAX_LOCK_NANOS, 1_000_000_000L << Math.min(16, count - FREE_ATTEMPTS));
                    return new long[] {count, clock.getAsLong() + lock};
                });
            }
            String data = switch (e.reason()) {
                case UNKNOWN_ACCOUNT -> "NotFound";
                case WRONG_PASSWORD -> "InvalidPassword";
                case INVALID_FILE -> "InvalidKeystore";
            };
            throw RpcError.account(message, data);
        }
    }

    private static PublicPoint point(byte[] b) throws RpcError {
        try {
            return PublicPoint.fromBytes(b);
        } catch (CryptoException e) {
            throw RpcError.encryption(e.reason().name());
        }
    }

    private static JsonNode hex(byte[] b) {
        return NODES.textNode(HexBytes.of(b).toString());
    }

    private static ObjectNode errorResponse(RpcError e, JsonNode id) {
        ObjectNode err = NODES.objectNode();
        err.put("code", e.code());
        err.put("message", e.getMessage());
        if (e.data() != null) err.put("data", e.data());
        ObjectNode out = NODES.objectNode();
        out.put("jsonrpc", "2.0");
        out.set("error", err);
        out.set("id", id);
        return out;
    }

    private static String write(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Positional parameters with Parity's type rules (jsonrpc.md §3). */
    private static final class Params {
        private final JsonNode params;

        Params(JsonNode params, int count) throws RpcError {
            if (!params.isArray()) {
                throw RpcError.invalidParams("invalid type: map, expected a tuple of size " + count);
            }
            if (params.size() != count) {
                throw RpcError.invalidParams("invalid length " + params.size() + ", expected a tuple of size " + count);
            }
            this.params = params;
        }

        JsonNode get(int i) {
            return params.get(i);
        }

        Address address(int i) throws RpcError {
            return Address.fromBytes(hexValue(params.get(i), 20));
        }

        String string(int i) throws RpcError {
            JsonNode n = params.get(i);
            if (!n.isTextual()) throw RpcError.invalidParams("invalid type: expected a string");
            return n.asText();
        }

        byte[] fixed(int i, int length) throws RpcError {
            return hexValue(params.get(i), length);
        }

        byte[] bytes(int i) throws RpcError {
            return hexValue(params.get(i), -1);
        }

        List<byte[]> bytesArray(int i) throws RpcError {
            JsonNode n = params.get(i);
            if (!n.isArray()) throw RpcError.invalidParams("invalid type: expected a sequence");
            List<byte[]> out = new ArrayList<>();
            for (JsonNode e : n) out.add(hexValue(e, -1));
            return out;
        }

        /** {@code 0x} + hex, either case; {@code length} bytes exactly, or any length if negative. */
        static byte[] hexValue(JsonNode n, int length) throws RpcError {
            String expected = length < 0 ? "a 0x-prefixed, hex-encoded vector of bytes"
                    : "a 0x-prefixed hex string with length of " + (2 * length);
            if (!n.isTextual()) throw RpcError.invalidParams("invalid type, expected " + expected);
            HexBytes h;
            try {
                h = HexBytes.parse(n.asText());
            } catch (IllegalArgumentException e) {
                throw RpcError.invalidParams("invalid value, expected " + expected);
            }
            if (length >= 0 && h.length() != length) {
                throw RpcError.invalidParams("invalid length " + (2 * h.length()) + ", expected " + expected);
            }
            return h.toBytes();
        }
    }
}
