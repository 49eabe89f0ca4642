package dev.secretstore.node.transport;

import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The Noise IK handshake (Noise Protocol Framework rev 34, §7.5) as a pure state machine: no I/O,
 * byte arrays in and out. Protocol name {@value #PROTOCOL_NAME}.
 *
 * <pre>
 * IK:
 *   &lt;- s
 *   ...
 *   -&gt; e, es, s, ss
 *   &lt;- e, ee, se
 * </pre>
 *
 * <p>The DH function is secp256k1: {@code DH(d, P)} = the 32-byte big-endian x-coordinate of d·P
 * (so DHLEN = 32). Public keys (the {@code e} and {@code s} tokens and the pre-message) are
 * encoded as 64 bytes {@code X ‖ Y} — a deviation from Noise's "public key is DHLEN bytes", chosen
 * so that the encoding equals the node id. Every received key is validated by
 * {@link PublicPoint#fromBytes} (SEC-01). Both handshake payloads are empty; message 1 is therefore
 * exactly {@value #MESSAGE1_LENGTH} bytes and message 2 exactly {@value #MESSAGE2_LENGTH} bytes,
 * and any other length is rejected. See docs/transport.md.
 *
 * <p>Usage — initiator: {@link #writeMessage1()}, then {@link #readMessage2(byte[])}.
 * Responder: {@link #readMessage1(byte[])}, then {@link #writeMessage2()}. Any failure moves the
 * handshake to a terminal failed state and destroys its ephemeral key; a handshake object is
 * single-use. Not thread-safe.
 */
public final class NoiseIkHandshake {
    public static final String PROTOCOL_NAME = "Noise_IK_secp256k1_AESGCM_SHA256";
    /** The protocol/version tag every handshake binds as its prologue. */
    public static final String PROLOGUE_TAG = "secretstore/v1/transport";
    public static final int PUBLIC_KEY_LENGTH = PublicPoint.LENGTH;
    public static final int MESSAGE1_LENGTH = PUBLIC_KEY_LENGTH + PUBLIC_KEY_LENGTH + CipherState.TAG_LENGTH + CipherState.TAG_LENGTH;
    public static final int MESSAGE2_LENGTH = PUBLIC_KEY_LENGTH + CipherState.TAG_LENGTH;

    private static final byte[] EMPTY = new byte[0];

    private enum State { INITIATOR_WRITE_1, INITIATOR_READ_2, RESPONDER_READ_1, RESPONDER_WRITE_2, DONE, FAILED }

    private final KeyPair localStatic;
    private final Predicate<PublicPoint> allowedInitiators; // responder only
    private final Supplier<SecretScalar> ephemeralSource;
    private final SymmetricState symmetric;
    private State state;
    private PublicPoint remoteStatic;
    private PublicPoint remoteEphemeral;
    private SecretScalar ephemeral;
    private NoiseSession session;

    private NoiseIkHandshake(boolean initiator, KeyPair localStatic, PublicPoint remoteStatic,
                             Predicate<PublicPoint> allowedInitiators, byte[] prologue,
                             Supplier<SecretScalar> ephemeralSource) {
        this.localStatic = Objects.requireNonNull(localStatic, "localStatic");
        this.allowedInitiators = allowedInitiators;
        this.ephemeralSource = Objects.requireNonNull(ephemeralSource, "ephemeralSource");
        this.symmetric = new SymmetricState(PROTOCOL_NAME);
        symmetric.mixHash(Objects.requireNonNull(prologue, "prologue"));
        if (initiator) {
            this.remoteStatic = Objects.requireNonNull(remoteStatic, "remoteStatic");
            symmetric.mixHash(remoteStatic.toBytes()); // pre-message <- s
            this.state = State.INITIATOR_WRITE_1;
        } else {
            symmetric.mixHash(localStatic.publicKey().toBytes()); // pre-message <- s
            this.state = State.RESPONDER_READ_1;
        }
    }

    /** The default prologue: the ASCII bytes of {@value #PROLOGUE_TAG}. */
    public static byte[] defaultPrologue() {
        return PROLOGUE_TAG.getBytes(StandardCharsets.US_ASCII);
    }

    /** An initiator that knows the responder's static key (from the member list). */
    public static NoiseIkHandshake initiator(KeyPair localStatic, PublicPoint responderStatic, byte[] prologue) {
        return new NoiseIkHandshake(true, localStatic, responderStatic, null, prologue, SecretScalar::random);
    }

    /** A responder that accepts only initiators whose static key satisfies {@code allowedInitiators}. */
    public static NoiseIkHandshake responder(KeyPair localStatic, Predicate<PublicPoint> allowedInitiators, byte[] prologue) {
        return new NoiseIkHandshake(false, localStatic, null, Objects.requireNonNull(allowedInitiators, "allowedInitiators"),
                prologue, SecretScalar::random);
    }

    /** Tests only: an initiator with a chosen ephemeral key source. */
    static NoiseIkHandshake initiator(KeyPair localStatic, PublicPoint responderStatic, byte[] prologue, Supplier<SecretScalar> ephemerals) {
        return new NoiseIkHandshake(true, localStatic, responderStatic, null, prologue, ephemerals);
    }

    /** Tests only: a responder with a chosen ephemeral key source. */
    static NoiseIkHandshake responder(KeyPair localStatic, Predicate<PublicPoint> allowed, byte[] prologue, Supplier<SecretScalar> ephemerals) {
        return new NoiseIkHandshake(false, localStatic, null, Objects.requireNonNull(allowed), prologue, ephemerals);
    }

    /** Initiator: {@code -> e, es, s, ss} with an empty payload. */
    public byte[] writeMessage1() {
        expect(State.INITIATOR_WRITE_1);
        try {
            byte[] out = new byte[MESSAGE1_LENGTH];
            ephemeral = ephemeralSource.get();
            byte[] e = ephemeral.mulG().toBytes();
            System.arraycopy(e, 0, out, 0, PUBLIC_KEY_LENGTH);
            symmetric.mixHash(e);                                              // e
            mixDh(ephemeral, remoteStatic);                                    // es
            byte[] s = symmetric.encryptAndHash(localStatic.publicKey().toBytes()); // s
            System.arraycopy(s, 0, out, PUBLIC_KEY_LENGTH, s.length);
            mixDh(localStatic.secret(), remoteStatic);                         // ss
            byte[] payload = symmetric.encryptAndHash(EMPTY);
            System.arraycopy(payload, 0, out, PUBLIC_KEY_LENGTH + s.length, payload.length);
            state = State.INITIATOR_READ_2;
            return out;
        } catch (RuntimeException ex) {
            throw fail(ex);
        }
    }

    /**
     * Responder: reads {@code -> e, es, s, ss}. Returns the initiator's authenticated static key.
     * Throws {@link TransportException.Reason#NOT_A_MEMBER} if that key is not allowed; nothing has
     * been sent at that point.
     */
    public PublicPoint readMessage1(byte[] message) {
        expect(State.RESPONDER_READ_1);
        try {
            if (message.length != MESSAGE1_LENGTH) {
                throw new TransportException(TransportException.Reason.MALFORMED_HANDSHAKE,
                        "handshake message 1 must be " + MESSAGE1_LENGTH + " bytes, got " + message.length);
            }
            byte[] e = Arrays.copyOfRange(message, 0, PUBLIC_KEY_LENGTH);
            remoteEphemeral = decodeKey(e, "ephemeral");
            symmetric.mixHash(e);                                              // e
            mixDh(localStatic.secret(), remoteEphemeral);                      // es
            byte[] s = symmetric.decryptAndHash(Arrays.copyOfRange(message, PUBLIC_KEY_LENGTH, PUBLIC_KEY_LENGTH * 2 + CipherState.TAG_LENGTH));
            remoteStatic = decodeKey(s, "static");                             // s
            mixDh(localStatic.secret(), remoteStatic);                         // ss
            symmetric.decryptAndHash(Arrays.copyOfRange(message, PUBLIC_KEY_LENGTH * 2 + CipherState.TAG_LENGTH, MESSAGE1_LENGTH));
            if (!allowedInitiators.test(remoteStatic)) {
                throw new TransportException(TransportException.Reason.NOT_A_MEMBER,
                        "initiator " + remoteStatic.toHex().substring(0, 8) + " is not allowed to connect");
            }
            state = State.RESPONDER_WRITE_2;
            return remoteStatic;
        } catch (RuntimeException ex) {
            throw fail(ex);
        }
    }

    /** Responder: {@code <- e, ee, se} with an empty payload; the session is then available. */
    public byte[] writeMessage2() {
        expect(State.RESPONDER_WRITE_2);
        try {
            byte[] out = new byte[MESSAGE2_LENGTH];
            ephemeral = ephemeralSource.get();
            byte[] e = ephemeral.mulG().toBytes();
            System.arraycopy(e, 0, out, 0, PUBLIC_KEY_LENGTH);
            symmetric.mixHash(e);                                              // e
            mixDh(ephemeral, remoteEphemeral);                                 // ee
            mixDh(ephemeral, remoteStatic);                                    // se
            byte[] payload = symmetric.encryptAndHash(EMPTY);
            System.arraycopy(payload, 0, out, PUBLIC_KEY_LENGTH, payload.length);
            finish(false);
            return out;
        } catch (RuntimeException ex) {
            throw fail(ex);
        }
    }

    /** Initiator: reads {@code <- e, ee, se} and returns the session. */
    public NoiseSession readMessage2(byte[] message) {
        expect(State.INITIATOR_READ_2);
        try {
            if (message.length != MESSAGE2_LENGTH) {
                throw new TransportException(TransportException.Reason.MALFORMED_HANDSHAKE,
                        "handshake message 2 must be " + MESSAGE2_LENGTH + " bytes, got " + message.length);
            }
            byte[] e = Arrays.copyOfRange(message, 0, PUBLIC_KEY_LENGTH);
            remoteEphemeral = decodeKey(e, "ephemeral");
            symmetric.mixHash(e);                                              // e
            mixDh(ephemeral, remoteEphemeral);                                 // ee
            mixDh(localStatic.secret(), remoteEphemeral);                      // se
            symmetric.decryptAndHash(Arrays.copyOfRange(message, PUBLIC_KEY_LENGTH, MESSAGE2_LENGTH));
            finish(true);
            return session;
        } catch (RuntimeException ex) {
            throw fail(ex);
        }
    }

    /** The session once the handshake is complete. */
    public NoiseSession session() {
        if (state != State.DONE) {
            throw new IllegalStateException("handshake is not complete (" + state + ")");
        }
        return session;
    }

    public boolean isComplete() {
        return state == State.DONE;
    }

    /** The remote static key: known from the start for an initiator, after message 1 for a responder. */
    public PublicPoint remoteStatic() {
        return remoteStatic;
    }

    /** Aborts: destroys the ephemeral key and the chaining key. Idempotent. */
    public void destroy() {
        if (state != State.DONE) {
            state = State.FAILED;
        }
        wipe();
    }

    private void finish(boolean initiator) {
        CipherState[] pair = symmetric.split(); // [0]: initiator -> responder, [1]: responder -> initiator
        byte[] h = symmetric.handshakeHash();
        session = initiator
                ? new NoiseSession(pair[0], pair[1], remoteStatic, h, true)
                : new NoiseSession(pair[1], pair[0], remoteStatic, h, false);
        state = State.DONE;
        wipe();
    }

    private void wipe() {
        if (ephemeral != null && !ephemeral.isDestroyed()) {
            ephemeral.destroy();
        }
        symmetric.destroy();
    }

    private TransportException fail(RuntimeException cause) {
        state = State.FAILED;
        wipe();
        if (cause instanceof TransportException te) {
            return te;
        }
        if (cause instanceof CryptoException ce) {
            return new TransportException(TransportException.Reason.INVALID_KEY, "handshake key rejected: " + ce.reason(), ce);
        }
        return new TransportException(TransportException.Reason.MALFORMED_HANDSHAKE, "handshake failed: " + cause.getClass().getSimpleName(), cause);
    }

    private void expect(State expected) {
        if (state != expected) {
            throw new IllegalStateException("handshake is in state " + state + ", not " + expected);
        }
    }

    private void mixDh(SecretScalar secret, PublicPoint publicKey) {
        byte[] shared = secret.mul(publicKey).x();
        try {
            symmetric.mixKey(shared);
        } finally {
            Arrays.fill(shared, (byte) 0);
        }
    }

    private static PublicPoint decodeKey(byte[] encoded, String what) {
        try {
            return PublicPoint.fromBytes(encoded);
        } catch (CryptoException e) {
            throw new TransportException(TransportException.Reason.INVALID_KEY, "received " + what + " key is not a valid secp256k1 point: " + e.reason(), e);
        }
    }
}
