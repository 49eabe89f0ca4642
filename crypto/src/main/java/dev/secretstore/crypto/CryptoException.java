package dev.secretstore.crypto;

/**
 * The one exception type of the crypto layer. The {@link Reason} says what was wrong; the message
 * never contains secret material (security.md SEC-07), only lengths, field names and public values.
 */
public final class CryptoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, coarse enough to map to protocol errors in one place. */
    public enum Reason {
        /** A byte string has the wrong length or is not valid hex. */
        INVALID_ENCODING,
        /** A point is off the curve, has a coordinate ≥ p, or is the point at infinity (SEC-01). */
        INVALID_POINT,
        /** A scalar is ≥ n, or zero where a non-zero scalar is required (SEC-02). */
        INVALID_SCALAR,
        /** A signature does not parse or does not recover. */
        INVALID_SIGNATURE,
        /** An ECIES blob failed its length, prefix or MAC check (SEC-04). */
        DECRYPTION_FAILED,
        /** An intermediate value that must be non-zero was zero, or an inversion of zero (crypto.md §9). */
        ZERO_RESULT,
        /** A threshold-protocol value failed verification (commitment, proof, partial signature). */
        VERIFICATION_FAILED,
        /** A threshold-protocol argument is inconsistent (group size, id numbers, vector lengths; SEC-03). */
        INVALID_ARGUMENT
    }

    private final Reason reason;
    private final transient PublicPoint culprit;

    public CryptoException(Reason reason, String message) {
        this(reason, null, message, null);
    }

    public CryptoException(Reason reason, String message, Throwable cause) {
        this(reason, null, message, cause);
    }

    /**
     * A failure attributable to one party of a threshold protocol: {@code culprit} is its node id (a
     * public key). The message keeps its human-readable form; callers read the culprit from
     * {@link #culprit()}, never from the text.
     */
    public CryptoException(Reason reason, PublicPoint culprit, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.culprit = culprit;
    }

    public Reason reason() {
        return reason;
    }

    /** The party whose contribution caused this failure, when the check can name one. */
    public java.util.Optional<PublicPoint> culprit() {
        return java.util.Optional.ofNullable(culprit);
    }
}
