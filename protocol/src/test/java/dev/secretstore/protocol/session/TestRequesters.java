package dev.secretstore.protocol.session;

import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.auth.Authorization;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.auth.Credential;
import java.security.SecureRandom;

/** Test fixture: requesters with real credentials (a static signature over the key id, or a fresh authorization). */
public final class TestRequesters {
    private static final SecureRandom RNG = new SecureRandom();

    private TestRequesters() {}

    /** Parity's credential: {@code keys}' signature over the raw key id (http-api.md §5). */
    public static Requester ofStatic(KeyPair keys, H256 keyId) {
        return new Requester(keys.publicKey(), keys.address(), new Credential.Static(Ecdsa.sign(keys.secret(), keyId)));
    }

    /** A fresh authorization of {@code operation} on {@code keyId} with {@code params} for {@code cluster}'s identity. */
    public static Requester fresh(KeyPair keys, InMemoryCluster cluster, Operation operation, H256 keyId, H256 params) {
        return fresh(keys, cluster.clusterId(), operation, keyId, params, cluster.wallClock.now + 60);
    }

    /** A fresh authorization with every field chosen by the caller. */
    public static Requester fresh(KeyPair keys, H256 clusterId, Operation operation, H256 keyId, H256 params, long expires) {
        byte[] nonce = new byte[Authorization.NONCE_LENGTH];
        RNG.nextBytes(nonce);
        Authorization a = Authorization.sign(keys, clusterId, operation, keyId, params, expires, nonce);
        return new Requester(keys.publicKey(), keys.address(), new Credential.Fresh(a));
    }

    /** The same requester presenting another credential (e.g. one forged or replayed by a compromised master). */
    public static Requester withCredential(Requester who, Credential credential) {
        return new Requester(who.publicKey(), who.address(), credential);
    }
}
