package dev.secretstore.crypto.threshold;

import dev.secretstore.crypto.Keccak256;
import dev.secretstore.crypto.PointSum;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Chaum–Pedersen DLEQ proof exactly as crypto.md §11.1: the prover knows {@code ρ} with
 * {@code X = ρ·G} and {@code P = ρ·B}. Fiat–Shamir over the length-prefixed transcript
 * {@code tag, key_id, session_id, attempt_id, prover_node_id, G, B, X, P, A1, A2} (SEC-16).
 */
public final class Dleq {
    /** Decryption-shadow proofs, both modes (§11.2). */
    public static final String TAG_DECRYPT = "secretstore/v1/dleq/decrypt";
    /** ECDSA {@code u_i} proofs (§11.5). */
    public static final String TAG_ECDSA_U = "secretstore/v1/dleq/ecdsa-u";
    /** Hedged nonce derivation (§11.1 step 1). */
    public static final String TAG_NONCE = "secretstore/v1/dleq-nonce";

    private Dleq() {}

    /**
     * Proves knowledge of {@code rho} with {@code X = ρ·G}, {@code P = ρ·B}. Secret arithmetic
     * ({@code w}, {@code w·G}, {@code w·B}, {@code z = w − e·ρ}) is constant time; {@code w} is
     * destroyed before returning (SEC-07, SEC-08).
     */
    public static DleqProof prove(String tag, ProofContext ctx, PublicPoint b, PublicPoint x, PublicPoint p, SecretScalar rho, SecureRandom rng) {
        byte[] fresh = new byte[32];
        rng.nextBytes(fresh);
        return proveWithEntropy(tag, ctx, b, x, p, rho, fresh);
    }

    static DleqProof proveWithEntropy(String tag, ProofContext ctx, PublicPoint b, PublicPoint x, PublicPoint p, SecretScalar rho, byte[] fresh) {
        SecretScalar w = hedgedNonce(rho, fresh, x, p);
        try {
            PublicPoint a1 = w.mulG();
            PublicPoint a2 = w.mul(b);
            Scalar e = challenge(tag, ctx, b, x, p, a1, a2);
            SecretScalar eRho = rho.mul(e);
            SecretScalar z = w.sub(eRho);
            eRho.destroy();
            Scalar zPublic = z.reveal(); // z is the public response
            z.destroy();
            return new DleqProof(e, zPublic);
        } finally {
            w.destroy();
            Arrays.fill(fresh, (byte) 0);
        }
    }

    /** {@code w = keccak256(enc(tag) ‖ enc(ρ) ‖ enc(rand) ‖ enc(X) ‖ enc(P)) mod n}, redrawn (rehashed) if 0. */
    private static SecretScalar hedgedNonce(SecretScalar rho, byte[] fresh, PublicPoint x, PublicPoint p) {
        byte[] rhoBytes = rho.toBytes();
        byte[] entropy = fresh.clone();
        try {
            while (true) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                Transcript.append(out, TAG_NONCE.getBytes(StandardCharsets.US_ASCII));
                Transcript.append(out, rhoBytes);
                Transcript.append(out, entropy);
                Transcript.append(out, x.toBytes());
                Transcript.append(out, p.toBytes());
                byte[] buf = out.toByteArray();
                byte[] h = Keccak256.hash(buf);
                Arrays.fill(buf, (byte) 0);
                SecretScalar w = SecretScalar.reduce(h);
                Arrays.fill(h, (byte) 0);
                if (!w.isZero()) {
                    return w;
                }
                w.destroy();
                entropy = Keccak256.hash(entropy); // probability 2^-256; fresh entropy for the redraw
            }
        } finally {
            Arrays.fill(rhoBytes, (byte) 0);
            Arrays.fill(entropy, (byte) 0);
        }
    }

    static Scalar challenge(String tag, ProofContext ctx, PublicPoint b, PublicPoint x, PublicPoint p, PublicPoint a1, PublicPoint a2) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Transcript.append(out, tag.getBytes(StandardCharsets.US_ASCII));
        Transcript.append(out, ctx.keyId().toBytes());
        Transcript.append(out, ctx.sessionId().toBytes());
        Transcript.append(out, ctx.attemptId().toBytes());
        Transcript.append(out, ctx.prover().toBytes());
        Transcript.append(out, PublicPoint.generator().toBytes());
        Transcript.append(out, b.toBytes());
        Transcript.append(out, x.toBytes());
        Transcript.append(out, p.toBytes());
        Transcript.append(out, a1.toBytes());
        Transcript.append(out, a2.toBytes());
        return Scalar.reduce(Keccak256.hash(out.toByteArray()));
    }

    /**
     * Verifies (§11.1): {@code B, X, P} are validated points by type; {@code e, z < n} by
     * {@link DleqProof}; {@code A1' = z·G + e·X}, {@code A2' = z·B + e·P} must not be infinity; accept
     * iff the recomputed challenge equals {@code e}. Public, variable time.
     */
    public static boolean verify(String tag, ProofContext ctx, PublicPoint b, PublicPoint x, PublicPoint p, DleqProof proof) {
        PointSum a1 = new PointSum().addMulGAndMul(proof.z(), proof.e(), x);
        PointSum a2 = new PointSum().addMuls(proof.z(), b, proof.e(), p);
        if (a1.isInfinity() || a2.isInfinity()) {
            return false;
        }
        return challenge(tag, ctx, b, x, p, a1.toPoint(), a2.toPoint()).equals(proof.e());
    }

    /** {@link #verify}, throwing {@code VERIFICATION_FAILED} naming {@code ctx.prover()} on failure. */
    public static void requireValid(String tag, ProofContext ctx, PublicPoint b, PublicPoint x, PublicPoint p, DleqProof proof) {
        if (!verify(tag, ctx, b, x, p, proof)) {
            throw NodeIds.fault(ctx.prover(), "DLEQ proof (" + tag + ") does not verify");
        }
    }
}
