package dev.secretstore.bench.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.RecoverableSignature;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.Decryption;
import dev.secretstore.crypto.threshold.Schnorr;
import dev.secretstore.crypto.threshold.SchnorrSignature;
import dev.secretstore.protocol.key.DocumentKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The requests of one operation: which key, which node, which path, and how to check the answer. A
 * request goes to the nodes in turn, so every node masters its share of the sessions. Keys are drawn
 * uniformly from the pool (a store takes the next unused key). The requester's signature over a key id
 * is made once per key and kept (the HTTP API accepts it again, as Parity does).
 *
 * <p>Every 200 is checked cheaply (shape and length); the first few are checked fully: shadows and
 * retrieved keys are decrypted with the requester's key and combined to the document key the pool
 * expects, signatures are decrypted and verified under the server key.
 */
public final class Workload {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request. {@code key} is the pool index (−1 for generation); {@code message} the hash signed, if any. */
    public record Request(int node, String method, String path, long key, H256 message) {}

    private final Operation op;
    private final KeyPool pool;
    private final KeyPair requester;
    private final int nodes;
    private final int threshold;
    private final AtomicLong turn = new AtomicLong();
    private final AtomicLong nextStoreKey = new AtomicLong();
    private final Map<Long, String> signatures = new ConcurrentHashMap<>();

    public Workload(Operation op, KeyPool pool, KeyPair requester, int nodes, int threshold) {
        this.op = op;
        this.pool = pool;
        this.requester = requester;
        this.nodes = nodes;
        this.threshold = threshold;
        if (op != Operation.GENERATE && (pool == null || pool.size() == 0)) throw new IllegalArgumentException(op.id() + " needs keys to work on");
    }

    public Operation op() {
        return op;
    }

    private String sign(H256 keyId) {
        return Ecdsa.sign(requester.secret(), keyId).toHex();
    }

    private String signature(long key) {
        return signatures.computeIfAbsent(key, k -> sign(pool.keyId().apply(k)));
    }

    /** The next request, or null when the operation has used up its keys (stores only). */
    public Request next() {
        int node = (int) Math.floorMod(turn.getAndIncrement(), (long) nodes);
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        switch (op) {
            case GENERATE -> {
                byte[] id = new byte[32];
                rnd.nextBytes(id);
                H256 keyId = H256.fromBytes(id);
                return new Request(node, "POST", "/shadow/" + keyId.toHex() + "/" + sign(keyId) + "/" + threshold, -1, null);
            }
            case STORE -> {
                long k = nextStoreKey.getAndIncrement();
                if (k >= pool.size()) return null;
                DocumentKey dk = pool.encryptedDocumentKey().apply(k);
                return new Request(node, "POST", "/shadow/" + pool.keyId().apply(k).toHex() + "/" + signature(k) + "/"
                        + dk.commonPoint().toHex() + "/" + dk.encryptedPoint().toHex(), k, null);
            }
            default -> {
                long k = rnd.nextLong(pool.size());
                String base = pool.keyId().apply(k).toHex() + "/" + signature(k);
                if (op == Operation.SHADOW) return new Request(node, "GET", "/shadow/" + base, k, null);
                if (op == Operation.RETRIEVE) return new Request(node, "GET", "/" + base, k, null);
                byte[] mh = new byte[32];
                rnd.nextBytes(mh);
                H256 message = H256.fromBytes(mh);
                String prefix = op == Operation.SCHNORR ? "/schnorr/" : "/ecdsa/";
                return new Request(node, "GET", prefix + base + "/" + message.toHex(), k, message);
            }
        }
    }

    /** Null if the 200 answer to {@code r} is right, else what is wrong. {@code full}: decrypt and verify. */
    public String check(Request r, byte[] body, boolean full) {
        try {
            String text = new String(body, java.nio.charset.StandardCharsets.US_ASCII);
            switch (op) {
                case GENERATE -> {
                    if (!text.matches("\"0x[0-9a-f]{128}\"")) return "not a server key: " + abbreviate(text);
                    if (full) PublicPoint.fromHex(unquote(text));
                }
                case STORE -> {
                    if (body.length != 0) return "unexpected body: " + abbreviate(text);
                }
                case SHADOW -> {
                    if (!text.startsWith("{\"decrypted_secret\"")) return "not a shadow response: " + abbreviate(text);
                    if (full) {
                        JsonNode json = JSON.readTree(body);
                        List<SecretScalar> shadows = new ArrayList<>();
                        for (JsonNode s : json.get("decrypt_shadows")) {
                            shadows.add(SecretScalar.fromBytes(Ecies.decryptFromServer(requester.secret(), Hex.decodeLenient(s.asText()))));
                        }
                        if (shadows.size() != threshold + 1) return shadows.size() + " shadows, expected " + (threshold + 1);
                        PublicPoint m = Decryption.clientCombine(PublicPoint.fromHex(json.get("decrypted_secret").asText()),
                                PublicPoint.fromHex(json.get("common_point").asText()), shadows);
                        if (!m.equals(pool.documentKey().apply(r.key()))) return "shadows combine to the wrong document key";
                    }
                }
                case RETRIEVE -> {
                    byte[] blob = blob(text, 64);
                    if (blob == null) return "not an encrypted document key: " + abbreviate(text);
                    if (full && !PublicPoint.fromBytes(Ecies.decryptFromServer(requester.secret(), blob)).equals(pool.documentKey().apply(r.key()))) {
                        return "wrong document key";
                    }
                }
                case SCHNORR -> {
                    byte[] blob = blob(text, SchnorrSignature.LENGTH);
                    if (blob == null) return "not an encrypted signature: " + abbreviate(text);
                    if (full && !Schnorr.verify(pool.serverKey().apply(r.key()), r.message(),
                            SchnorrSignature.fromBytes(Ecies.decryptFromServer(requester.secret(), blob)))) {
                        return "Schnorr signature does not verify under the server key";
                    }
                }
                case ECDSA -> {
                    byte[] blob = blob(text, 65);
                    if (blob == null) return "not an encrypted signature: " + abbreviate(text);
                    if (full) {
                        RecoverableSignature sig = RecoverableSignature.fromBytes(Ecies.decryptFromServer(requester.secret(), blob));
                        if (!Ecdsa.recover(sig, r.message()).equals(pool.serverKey().apply(r.key()))) return "ECDSA signature does not recover to the server key";
                    }
                }
            }
            return null;
        } catch (Exception e) {
            return "bad answer: " + e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    /** The ECIES blob in a {@code "0x…"} body when its plaintext has {@code plainLength} bytes, else null. */
    private static byte[] blob(String text, int plainLength) {
        if (text.length() != 2 * (Ecies.OVERHEAD + plainLength) + 4 || !text.startsWith("\"0x")) return null;
        return Hex.decode(unquote(text));
    }

    private static String unquote(String text) {
        String s = text.substring(1, text.length() - 1);
        return s.startsWith("0x") ? s.substring(2) : s;
    }

    static String abbreviate(String s) {
        String one = s.replaceAll("\\s+", " ");
        return one.length() <= 120 ? one : one.substring(0, 117) + "…";
    }
}
