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

    /** Wrong passwords one source may try per account before it is refused for a while (jsonrpc.md §10). */
    static final int FREE_ATTEMPTS = Lockout.FREE_ATTEMPTS;
    /** Most calls in one batch; a larger batch is refused as a whole with {@code -32600}. */
    public static final int MAX_BATCH = 100;
    /** Most password checks (keystore KDF runs) per HTTP request; further calls get {@code -32005}. */
    public static final int MAX_PASSWORD_CHECKS = 8;
    /** The source used by {@link #handle(String)}. */
    static final String LOCAL_SOURCE = "local";

    private final Keystore keystore;
    private final SecureRandom rng;
    private final AccountStore accounts;
    private final Lockout lockout;

    public SecretStoreRpc(Keystore keystore) {
        this(keystore, new SecureRandom());
    }

    public SecretStoreRpc(Keystore keystore, SecureRandom rng) {
        this(keystore, rng, System::nanoTime);
    }

    SecretStoreRpc(Keystore keystore, SecureRandom rng, java.util.function.LongSupplier clock) {
        this(keystore, rng, new AccountStore(keystore, rng), new Lockout(clock, Lockout.DEFAULT_CAPACITY));
    }

    SecretStoreRpc(Keystore keystore, SecureRandom rng, AccountStore accounts, Lockout lockout) {
        this.keystore = keystore;
        this.rng = rng;
        this.accounts = accounts;
        this.lockout = lockout;
    }

    public Keystore keystore() {
        return keystore;
    }

    /**
     * Handles one HTTP body. Returns the response body, or {@code null} when there is nothing to send
     * (a notification, or a batch made only of notifications).
     */
    public String handle(String body) {
        return handle(body, LOCAL_SOURCE);
    }

    /**
     * Handles one HTTP body from {@code source} (the client's address, IPv6 by /64 prefix: the key of
     * the failed-password counters). At most {@link #MAX_BATCH} calls per batch and
     * {@link #MAX_PASSWORD_CHECKS} password checks per body.
     */
    public String handle(String body, String source) {
        Budget budget = new Budget(source);
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException | NumberFormatException e) {
            // NumberFormatException: a float whose exponent BigDecimal cannot hold (e.g. 4E444444444444444)
            root = null;
        }
        if (root == null || root.isMissingNode()) {
            return write(errorResponse(RpcError.parseError(), NODES.nullNode()));
        }
        if (root.isArray()) {
            if (root.isEmpty()) {
                return write(errorResponse(RpcError.invalidRequest(), NODES.nullNode()));
            }
            if (root.size() > MAX_BATCH) {
                return write(errorResponse(RpcError.batchTooLarge(MAX_BATCH), NODES.nullNode()));
            }
            ArrayNode out = NODES.arrayNode();
            for (JsonNode call : root) {
                JsonNode r = handleCall(call, budget);
                if (r != null) out.add(r);
            }
            return out.isEmpty() ? null : write(out);
        }
        JsonNode r = handleCall(root, budget);
        return r == null ? null : write(r);
    }

    private JsonNode handleCall(JsonNode call, Budget budget) {
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
            JsonNode result = dispatch(method.asText(), params == null ? NODES.arrayNode() : params, budget);
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

    private JsonNode dispatch(String method, JsonNode params, Budget budget) throws RpcError {
        return switch (method) {
            case "secretstore_signRawHash" -> signRawHash(params, budget);
            case "secretstore_generateDocumentKey" -> generateDocumentKey(params, budget);
            case "secretstore_encrypt" -> encrypt(params, budget);
            case "secretstore_decrypt" -> decrypt(params, budget);
            case "secretstore_shadowDecrypt" -> shadowDecrypt(params, budget);
            case "secretstore_serversSetHash" -> serversSetHash(params);
            default -> throw RpcError.methodNotFound();
        };
    }

    // ------------------------------------------------------------------ methods

    private JsonNode signRawHash(JsonNode params, Budget budget) throws RpcError {
        Params p = new Params(params, 3);
        Address address = p.address(0);
        String password = p.string(1);
        byte[] hash = p.fixed(2, 32);
        KeyPair kp = unlock(budget, address, password, "Could not sign raw hash.");
        try {
            return hex(Ecdsa.sign(kp.secret(), H256.fromBytes(hash)).toBytes());
        } finally {
            kp.destroy();
        }
    }

    private JsonNode generateDocumentKey(JsonNode params, Budget budget) throws RpcError {
        Params p = new Params(params, 3);
        Address address = p.address(0);
        String password = p.string(1);
        byte[] serverKey = p.fixed(2, 64);
        KeyPair kp = unlock(budget, address, password, "Could not read account public.");
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

    private JsonNode encrypt(JsonNode params, Budget budget) throws RpcError {
        Params p = new Params(params, 4);
        Address address = p.address(0);
        String password = p.string(1);
        byte[] key = p.bytes(2);
        byte[] data = p.bytes(3);
        PublicPoint m = documentKey(budget, address, password, key);
        try {
            return hex(DocumentCipher.encrypt(m, data, rng));
        } catch (CryptoException e) {
            throw RpcError.encryption(e.reason().name());
        }
    }

    private JsonNode decrypt(JsonNode params, Budget budget) throws RpcError {
        Params p = new Params(params, 4);
        Address address = p.address(0);
        String password = p.string(1);
        byte[] key = p.bytes(2);
        byte[] data = p.bytes(3);
        if (data.length < 16) {
            throw RpcError.couldNotParse("encrypted_document", "data shorter than the 16-byte IV");
        }
        PublicPoint m = documentKey(budget, address, password, key);
        try {
            return hex(DocumentCipher.decrypt(m, data));
        } catch (CryptoException e) {
            throw RpcError.encryption(e.reason().name());
        }
    }

    private JsonNode shadowDecrypt(JsonNode params, Budget budget) throws RpcError {
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
        KeyPair kp = unlock(budget, address, password, "Could not decrypt key.");
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
    private PublicPoint documentKey(Budget budget, Address address, String password, byte[] key) throws RpcError {
        KeyPair kp = unlock(budget, address, password, "Could not decrypt key.");
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

    /** What one HTTP body may still spend: its source and the password checks left. */
    private static final class Budget {
        final String source;
        int passwordChecks = MAX_PASSWORD_CHECKS;

        Budget(String source) {
            this.source = source;
        }
    }

    /**
     * Unlocks the account for one call. An unknown account, a wrong password and an unreadable file
     * give the same error ({@code message}, data {@code InvalidPassword}) after the same KDF work;
     * refusals by the lockout ({@link Lockout}) give data {@code TooManyAttempts} for known and unknown
     * accounts alike.
     */
    private KeyPair unlock(Budget budget, Address address, String password, String message) throws RpcError {
        if (budget.passwordChecks <= 0) {
            throw RpcError.limitExceeded("at most " + MAX_PASSWORD_CHECKS + " password checks per request");
        }
        Lockout.Attempt attempt = lockout.tryAcquire(address, budget.source);
        if (attempt == null) {
            throw RpcError.account(message, "TooManyAttempts");
        }
        budget.passwordChecks--;
        boolean ok = false;
        try {
            KeyPair kp = accounts.unlock(address, password);
            ok = true;
            return kp;
        } catch (KeystoreException e) {
            throw RpcError.account(message, "InvalidPassword");
        } finally {
            if (ok) attempt.succeeded();
            else attempt.failed();
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
