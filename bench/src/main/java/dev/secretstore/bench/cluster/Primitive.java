package dev.secretstore.bench.cluster;

/**
 * The heavy primitives an operation's floor is counted in. Each has a libsecp256k1 price (JNI, bytes in
 * and out), a price with this project's crypto layer and one with BouncyCastle's multipliers, all measured
 * at bench start by {@link PrimitiveCosts}. Everything else (hashes, AES, scalar arithmetic, point additions and
 * decoding) costs about 1 µs or less and is not counted.
 */
public enum Primitive {
    /** k·G, secret k. libsecp256k1 {@code secp256k1_ec_pubkey_create} (ecmult_gen); ours {@code SecretScalar.mulG}. */
    K_G("k·G", "secret k, fixed base G", "pubkey_create", "SecretScalar.mulG (ConstantTimeComb)"),
    /**
     * k·H, secret k, the Pedersen generator H of key generation. libsecp256k1's API has fixed-base tables
     * for G only, so {@code secp256k1_ecdh} on H; ours {@code SecretScalar.mul(PedersenGenerator.H)}, which
     * carries its own comb table.
     */
    K_H("k·H", "secret k, Pedersen generator H", "ecdh", "SecretScalar.mul(H) (comb table of H)"),
    /**
     * k·P, secret k, a point not multiplied before. libsecp256k1 {@code secp256k1_ecdh} (constant-time
     * ecmult_const, plus one SHA-256 of the result); ours {@code SecretScalar.mul} on a freshly decoded
     * point (constant-time GLV).
     */
    K_P("k·P", "secret k, new point P", "ecdh", "SecretScalar.mul, new point (GLV)"),
    /**
     * k·P, secret k, on a point this node just multiplied (B again in a DLEQ proof). libsecp256k1 has no
     * per-point tables, so the same {@code secp256k1_ecdh} price; ours is GLV again on the decoded point
     * (BouncyCastle's comb reuses the table it cached on the point object).
     */
    K_P_AGAIN("k·P again", "secret k, point multiplied before", "ecdh", "SecretScalar.mul, decoded point (GLV)"),
    /**
     * k·P, public k (verification). libsecp256k1 {@code secp256k1_ec_pubkey_tweak_mul} (variable-time
     * ecmult); ours {@code PublicPoint.mul} (GLV/wNAF) on a freshly decoded point. A sum of t such products
     * (commitment evaluation) is counted as t of them, an upper bound: a multi-scalar multiplication
     * shares the doublings.
     */
    PUB_K_P("a·P", "public a, new point P", "pubkey_tweak_mul", "PublicPoint.mul (GLV/wNAF), new point"),
    /**
     * a·G + b·P, public a and b (verification equations). libsecp256k1 {@code secp256k1_ecdsa_verify}, which
     * is exactly one such double multiplication (Strauss) plus a scalar inverse; ours
     * {@code PointSum.addMulG(a).addMul(b, P)}.
     */
    PUB_AG_BP("a·G+b·P", "public a, b; new point P", "ecdsa_verify", "PointSum a·G + b·P"),
    /** ECDSA public-key recovery. libsecp256k1 {@code secp256k1_ecdsa_recover}; ours {@code Ecdsa.recover}. */
    RECOVER("recover", "ECDSA public-key recovery", "ecdsa_recover", "Ecdsa.recover");

    private final String symbol;
    private final String meaning;
    private final String libsecp;
    private final String ours;

    Primitive(String symbol, String meaning, String libsecp, String ours) {
        this.symbol = symbol;
        this.meaning = meaning;
        this.libsecp = libsecp;
        this.ours = ours;
    }

    public String symbol() {
        return symbol;
    }

    public String meaning() {
        return meaning;
    }

    /** What the libsecp256k1 price measures. */
    public String libsecpCall() {
        return libsecp;
    }

    /** What our price measures. */
    public String oursCall() {
        return ours;
    }

    /** Key for JSON. */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
