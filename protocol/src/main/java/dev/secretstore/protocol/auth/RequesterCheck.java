package dev.secretstore.protocol.auth;

import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.auth.Authorization;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import java.time.Duration;
import java.util.Objects;

/**
 * How a member derives the requester from a {@link Credential} (SEC-31, SEC-32, docs/auth.md): never from anyone's
 * word, always from the requester's own signature, under this member's own {@link LegacyPolicy}, cluster identity,
 * clock and nonce memory. The entry point uses {@link #verify} (no nonce is spent); every member that takes part in a
 * request, the master included, uses {@link #claim} with its session's key, so a second session presenting the same
 * fresh authorization is refused.
 */
public final class RequesterCheck {
    /**
     * @param clusterId   this cluster's identity (docs/auth.md §3)
     * @param legacy      what a static signature may do
     * @param clockSkew   tolerated difference between the requester's and this member's clock
     * @param maxLifetime the longest validity accepted (expiry at most this far ahead, plus the skew)
     */
    public record Settings(H256 clusterId, LegacyPolicy legacy, Duration clockSkew, Duration maxLifetime) {
        public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);
        public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofMinutes(5);

        public Settings {
            Objects.requireNonNull(clusterId);
            Objects.requireNonNull(legacy);
            if (clockSkew.isNegative() || maxLifetime.isNegative() || maxLifetime.isZero()) {
                throw new IllegalArgumentException("clock skew must be ≥ 0 and the lifetime > 0");
            }
        }

        /** Parity's behaviour (static signatures do everything) with the default windows. */
        public static Settings parityCompatible(H256 clusterId) {
            return new Settings(clusterId, LegacyPolicy.ALL, DEFAULT_CLOCK_SKEW, DEFAULT_MAX_LIFETIME);
        }
    }

    private final Settings settings;
    private final WallClock clock;
    private final ReplayGuard nonces;

    public RequesterCheck(Settings settings, WallClock clock, ReplayGuard nonces) {
        this.settings = settings;
        this.clock = clock;
        this.nonces = nonces;
    }

    public Settings settings() {
        return settings;
    }

    /** This member's wall-clock time in unix seconds, the one expiries are judged by (reported by {@code GET /cluster}). */
    public long now() {
        return clock.epochSecond();
    }

    /**
     * The requester of {@code credential} for {@code operation} on {@code keyId} with {@code params}
     * ({@link Operation}'s parameter field), without spending a nonce: {@link #admit}, then {@link Admitted#recover()}.
     *
     * @throws SecretStoreException {@code INSUFFICIENT_REQUESTER_DATA} for a signature that does not recover or an
     *     authorization that is malformed, signed for something else, or outside its validity window;
     *     {@code FRESH_AUTHORIZATION_REQUIRED} for a static signature the legacy policy does not allow here
     */
    public dev.secretstore.protocol.Requester verify(Credential credential, Operation operation, H256 keyId, H256 params) {
        return admit(credential, operation, keyId, params).recover().requester();
    }

    /**
     * {@link #verify}, then spends the authorization's nonce on {@code use} (a session key): the same use may present
     * it again, any other is refused until it expires. A static signature spends nothing.
     *
     * @throws SecretStoreException as {@link #verify}; {@code INSUFFICIENT_REQUESTER_DATA} for a replayed
     *     authorization; {@code TOO_EARLY_FOR_REQUEST} (retryable) while the nonce memory is full
     */
    public dev.secretstore.protocol.Requester claim(Credential credential, Operation operation, H256 keyId, H256 params, Object use) {
        return spend(admit(credential, operation, keyId, params).recover(), use);
    }

    /**
     * The checks of {@link #verify} that need this member's policy and clock, in its order (the legacy policy for a
     * static signature; the validity window of a fresh authorization), without the signature's recovery. A caller
     * that runs the recovery elsewhere (off the cluster loop) calls {@link Admitted#recover()} there and
     * {@link #spend} back on its own thread: together the three are {@link #claim}.
     *
     * @throws SecretStoreException as {@link #verify}, except for the signature's faults, which {@link Admitted#recover()} throws
     */
    public Admitted admit(Credential credential, Operation operation, H256 keyId, H256 params) {
        Objects.requireNonNull(credential, "credential");
        if (credential instanceof Credential.Static) {
            if (!settings.legacy().allowsStatic(operation)) {
                throw SecretStoreException.of(Kind.FRESH_AUTHORIZATION_REQUIRED, freshRequiredDetail(operation));
            }
        } else {
            Authorization a = ((Credential.Fresh) credential).authorization();
            long now = clock.epochSecond();
            long skew = settings.clockSkew().toSeconds();
            if (a.expires() + skew < now) throw bad("expired");
            if (a.expires() > now + settings.maxLifetime().toSeconds() + skew) {
                throw bad("expires more than " + settings.maxLifetime().toSeconds() + " s ahead");
            }
        }
        return new Admitted(credential, operation, keyId, params, settings.clusterId());
    }

    /**
     * Spends the nonce of {@code recovered}'s fresh authorization on {@code use}, as {@link #claim} does after the
     * recovery; a static signature spends nothing. Call it on the thread that calls {@link #admit}.
     *
     * @throws SecretStoreException {@code INSUFFICIENT_REQUESTER_DATA} for a replayed authorization;
     *     {@code TOO_EARLY_FOR_REQUEST} (retryable) while the nonce memory is full
     */
    public dev.secretstore.protocol.Requester spend(Recovered recovered, Object use) {
        if (recovered.requester().credential() instanceof Credential.Fresh f) {
            Authorization a = f.authorization();
            long forgetAfter = a.expires() + settings.clockSkew().toSeconds();
            switch (nonces.claim(a.signer(), a.nonce(), use, forgetAfter, clock.epochSecond())) {
                case FRESH -> {}
                case REPLAYED -> throw bad("already used");
                case FULL -> throw SecretStoreException.of(Kind.TOO_EARLY_FOR_REQUEST);
            }
        }
        return recovered.requester();
    }

    /**
     * A credential {@link #admit}ted by this member's policy and clock, for one operation, key, parameters and cluster;
     * immutable. Its {@link #recover()} is the check's one curve computation (an ECDSA public-key recovery).
     */
    public static final class Admitted {
        private final Credential credential;
        private final Operation operation;
        private final H256 keyId;
        private final H256 params;
        private final H256 clusterId;

        private Admitted(Credential credential, Operation operation, H256 keyId, H256 params, H256 clusterId) {
            this.credential = credential;
            this.operation = operation;
            this.keyId = keyId;
            this.params = params;
            this.clusterId = clusterId;
        }

        /**
         * The requester whose signature this is: a pure function of the admitted values, safe on any thread.
         *
         * @throws SecretStoreException {@code INSUFFICIENT_REQUESTER_DATA} for a signature that does not recover, or an
         *     authorization signed by another signer or for another operation, key, parameters or cluster
         */
        public Recovered recover() {
            if (credential instanceof Credential.Static s) return new Recovered(requester(recoverStatic(s, keyId), credential));
            try {
                return new Recovered(requester(((Credential.Fresh) credential).authorization().verify(clusterId, operation, keyId, params),
                        credential));
            } catch (CryptoException e) {
                throw bad(e.getMessage());
            }
        }
    }

    /** The requester {@link Admitted#recover()} derived; only that method makes one, so {@link #spend} never takes a key on anyone's word. */
    public static final class Recovered {
        private final dev.secretstore.protocol.Requester requester;

        private Recovered(dev.secretstore.protocol.Requester requester) {
            this.requester = requester;
        }

        public dev.secretstore.protocol.Requester requester() {
            return requester;
        }
    }

    private static PublicPoint recoverStatic(Credential.Static s, H256 keyId) {
        try {
            return Ecdsa.recover(s.signature(), keyId);
        } catch (CryptoException e) {
            throw SecretStoreException.of(Kind.INSUFFICIENT_REQUESTER_DATA, "bad signature: " + e.getMessage());
        }
    }

    private static dev.secretstore.protocol.Requester requester(PublicPoint pub, Credential credential) {
        return new dev.secretstore.protocol.Requester(pub, pub.toAddress(), credential);
    }

    private static SecretStoreException bad(String why) {
        return SecretStoreException.of(Kind.INSUFFICIENT_REQUESTER_DATA, "bad authorization: " + why);
    }

    private String freshRequiredDetail(Operation operation) {
        String accepts = settings.legacy() == LegacyPolicy.NONE ? "accepts no static requester signature"
                : "accepts a static requester signature only for server-key generation, document-key store, server-key and shadow retrieval";
        return "this key server " + accepts + " (legacy_requester_signatures = " + settings.legacy().configName() + "); send a "
                + Authorization.HEADER + " header for operation " + operation.code() + " and cluster 0x" + settings.clusterId().toHex()
                + " (docs/auth.md)";
    }
}
