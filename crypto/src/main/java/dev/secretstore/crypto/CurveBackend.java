package dev.secretstore.crypto;

/**
 * The curve operations of the crypto layer's hot paths, behind one interface with two implementations: the
 * pure-Java one ({@link CurveBackends#java()}: {@link ConstantTimeComb}, {@link ConstantTimeGlv},
 * {@link VarTimeStrauss} on {@link Fp52}) and libsecp256k1 through its JNI binding
 * ({@link CurveBackends#nativeBackend()}). {@link CurveBackends#active()} is the one the layer uses; the
 * choice is made once per process (docs/benchmarks.md, "Crypto backends").
 *
 * <p>Contract, shared by every implementation and checked by one abstract test suite
 * ({@code AbstractBackendContractTest}): results are equal byte for byte across implementations, every
 * returned point is a validated point (never infinity), and failures are {@link CryptoException}s with
 * the same {@link CryptoException.Reason}. Operations named "secret" are constant time in the secret
 * scalar (SEC-06); the others take public inputs only and may be variable time.
 */
public interface CurveBackend {
    /** A short name for logs and reports: {@code java} or {@code native}. */
    String name();

    /** k·G for a secret k, constant time in k. {@code ZERO_RESULT} if k = 0; {@link IllegalStateException} if destroyed. */
    PublicPoint mulG(SecretScalar k);

    /**
     * k·P for a secret k, constant time in k (a point carrying a fixed-base table,
     * {@link PublicPoint#withFixedBaseTable}, may take its comb). {@code ZERO_RESULT} if k = 0.
     */
    PublicPoint mul(SecretScalar k, PublicPoint p);

    /** a·P for a public a (variable time). {@code ZERO_RESULT} if a = 0. */
    PublicPoint mulPublic(Scalar a, PublicPoint p);

    /**
     * a·G + b·Q for public a, b (variable time), the shape of the verification equations; either may be
     * zero. Returns null if the sum is the point at infinity.
     */
    PublicPoint mulGAndMulPublic(Scalar a, Scalar b, PublicPoint q);

    /** P + Q. {@code ZERO_RESULT} if the sum is the point at infinity. */
    PublicPoint add(PublicPoint p, PublicPoint q);

    /**
     * ECDSA public-key recovery over the raw 32-byte hash exactly as {@link Ecdsa#recover} documents
     * (public data, variable time); {@code INVALID_SIGNATURE} on every failure.
     */
    PublicPoint recover(RecoverableSignature sig, H256 hash);
}
