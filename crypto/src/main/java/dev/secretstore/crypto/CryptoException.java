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

    public CryptoException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public CryptoException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
