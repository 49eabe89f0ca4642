package dev.secretstore.crypto.threshold;

import dev.secretstore.crypto.PointSum;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import javax.security.auth.Destroyable;

/**
 * Threshold decryption of a document key: non-shadow (crypto.md §10.5) and shadow (§10.6), with the
 * DLEQ proofs of §11.2 (tag {@link Dleq#TAG_DECRYPT}, SEC-12) and Parity's sign convention (§10.2).
 *
 * <p>Node side: {@link #nodeShare} / {@link #nodeShadowShare}. Master side: {@link #verifyShare} /
 * {@link #verifyShadowShare} for each member, then {@link #combine} / {@link #combineShadow}.
 * Client side: {@link #clientCombine}.
 *
 * <p>Secrets here: the share {@code s_i}, {@code σ_i}, {@code δ_i}, {@code d_i}, {@code ρ_i} and the
 * access key {@code a} (all {@link SecretScalar}, constant time). Public: {@code λ'_i}, {@code C},
 * {@code E}, {@code P_i}, {@code W_i}, {@code Y_i}.
 */
public final class Decryption {
    private Decryption() {}

    /**
     * Non-shadow member response: {@code P_i = (σ_i·a)·C} and its proof.
     *
     * @param shadowPoint {@code P_i}
     * @param proof DLEQ with {@code B = a·C}, {@code X = λ'_i·Y_i}, {@code ρ = σ_i}
     */
    public record Share(PublicPoint shadowPoint, DleqProof proof) {}

    /**
     * Shadow-mode member response to the master (public part).
     *
     * @param shadowPoint {@code P_i = (σ_i + d_i)·(a·C)}
     * @param w {@code W_i = d_i·G}
     * @param proof DLEQ with {@code B = a·C}, {@code X = λ'_i·Y_i + W_i}, {@code ρ = σ_i + d_i}
     */
    public record ShadowShare(PublicPoint shadowPoint, PublicPoint w, DleqProof proof) {}

    /**
     * Everything a shadow-mode member produces: the public part for the master and the secret
     * decrypt shadow {@code d_i}, which goes only to the requester as an ECIES blob. Destroy after
     * encrypting.
     *
     * @param toMaster public part
     * @param decryptShadow {@code d_i} (secret, non-zero)
     */
    public record ShadowOutput(ShadowShare toMaster, SecretScalar decryptShadow) implements Destroyable {
        @Override
        public void destroy() {
            decryptShadow.destroy();
        }

        @Override
        public boolean isDestroyed() {
            return decryptShadow.isDestroyed();
        }

        @Override
        public String toString() {
            return "Decryption.ShadowOutput[" + toMaster + ", decryptShadow=redacted]";
        }
    }

    /**
     * Master's shadow result (§10.6).
     *
     * @param decryptedSecret {@code E ∓ a⁻¹·Σ P_i}
     * @param commonPoint {@code C} for even {@code t}, {@code −C} for odd {@code t}
     */
    public record ShadowResult(PublicPoint decryptedSecret, PublicPoint commonPoint) {}

    // ------------------------------------------------------------------ node side

    /** σ_i = s_i·λ'_i (secret × public). */
    public static SecretScalar nodeShadow(SecretScalar share, Scalar unsignedLagrange) {
        return share.mul(unsignedLagrange);
    }

    private static List<PublicPoint> group(IdNumbers ids, Collection<PublicPoint> group, int t, PublicPoint self) {
        List<PublicPoint> g = ids.requireGroup(group, t + 1); // SEC-03
        if (!g.contains(self)) {
            throw NodeIds.invalid(self, "is not a member of the decryption group");
        }
        return g;
    }

    /** Non-shadow node computation (§10.5) with its proof; {@code ctx.prover()} is this node. */
    public static Share nodeShare(ProofContext ctx, IdNumbers ids, Collection<PublicPoint> group, int t, SecretScalar share,
            SecretScalar accessKey, PublicPoint commonPoint, SecureRandom rng) {
        List<PublicPoint> g = group(ids, group, t, ctx.prover());
        SecretScalar sigma = nodeShadow(share, Lagrange.unsigned(ids, g, ctx.prover()));
        try {
            PublicPoint b = accessKey.mul(commonPoint); // a·C, constant time in a
            PublicPoint p = sigma.mul(b);               // P_i = σ_i·(a·C) = (σ_i·a)·C
            PublicPoint x = sigma.mulG();               // = λ'_i·Y_i for an honest node
            return new Share(p, Dleq.prove(Dleq.TAG_DECRYPT, ctx, b, x, p, sigma, rng));
        } finally {
            sigma.destroy();
        }
    }

    /**
     * Shadow node computation (§10.6): draws {@code d_i} with {@code d_i ≠ 0} and
     * {@code σ_i + d_i ≠ 0} (the spec's equivalent of drawing {@code δ_i ∉ {0, 1}}), hedged on the
     * share and the proof context (SEC-08, {@link HedgedNonces}).
     */
    public static ShadowOutput nodeShadowShare(ProofContext ctx, IdNumbers ids, Collection<PublicPoint> group, int t, SecretScalar share,
            SecretScalar accessKey, PublicPoint commonPoint, SecureRandom rng) {
        List<PublicPoint> g = group(ids, group, t, ctx.prover());
        SecretScalar sigma = nodeShadow(share, Lagrange.unsigned(ids, g, ctx.prover()));
        try {
            byte[] context = HedgedNonces.context(ctx, "decrypt-shadow");
            for (int attempt = 0; ; attempt++) {
                SecretScalar d = HedgedNonces.draw(share, context, attempt, rng); // non-zero
                SecretScalar rho = sigma.add(d);
                if (!rho.isZero()) {
                    return shadowFrom(ctx, accessKey, commonPoint, d, rho, rng);
                }
                d.destroy();
                rho.destroy();
            }
        } finally {
            sigma.destroy();
        }
    }

    /**
     * Shadow node computation with an injected {@code δ_i} (Parity's form, known-answer vectors):
     * {@code d_i = (δ_i − 1)·σ_i}, {@code ρ_i = σ_i·δ_i}. Requires {@code d_i ≠ 0} and {@code ρ_i ≠ 0}.
     */
    static ShadowOutput nodeShadowShareWithDelta(ProofContext ctx, IdNumbers ids, Collection<PublicPoint> group, int t, SecretScalar share,
            SecretScalar accessKey, PublicPoint commonPoint, SecretScalar delta, SecureRandom rng) {
        List<PublicPoint> g = group(ids, group, t, ctx.prover());
        SecretScalar sigma = nodeShadow(share, Lagrange.unsigned(ids, g, ctx.prover()));
        SecretScalar deltaMinusOne = delta.sub(Scalar.ONE);
        try {
            SecretScalar d = deltaMinusOne.mul(sigma).requireNonZero();
            SecretScalar rho = sigma.mul(delta).requireNonZero();
            return shadowFrom(ctx, accessKey, commonPoint, d, rho, rng);
        } finally {
            sigma.destroy();
            deltaMinusOne.destroy();
        }
    }

    /** Consumes {@code rho} (destroyed); {@code d} is returned inside the output. */
    private static ShadowOutput shadowFrom(ProofContext ctx, SecretScalar accessKey, PublicPoint commonPoint, SecretScalar d,
            SecretScalar rho, SecureRandom rng) {
        try {
            PublicPoint b = accessKey.mul(commonPoint); // a·C
            PublicPoint p = rho.mul(b);                 // P_i = ρ_i·(a·C)
            PublicPoint w = d.mulG();                   // W_i = d_i·G
            PublicPoint x = rho.mulG();                 // = λ'_i·Y_i + W_i for an honest node
            DleqProof proof = Dleq.prove(Dleq.TAG_DECRYPT, ctx, b, x, p, rho, rng);
            return new ShadowOutput(new ShadowShare(p, w, proof), d);
        } finally {
            rho.destroy();
        }
    }

    // ------------------------------------------------------------------ master side

    /**
     * {@code B = a·C}, which the master computes once per attempt from its own access key {@code a} and
     * stored common point {@code C} (a constant-time secret multiplication) and checks every member's
     * proof against. Only this factory makes one, so a proof is never checked against a {@code B} taken
     * from a message.
     */
    public static final class AccessPoint {
        private final PublicPoint b;

        private AccessPoint(PublicPoint b) {
            this.b = b;
        }

        public static AccessPoint of(SecretScalar accessKey, PublicPoint commonPoint) {
            return new AccessPoint(accessKey.mul(commonPoint));
        }

        @Override
        public String toString() {
            return "Decryption.AccessPoint[" + b + "]";
        }
    }

    /**
     * Master check of a non-shadow member response (§11.2): {@code λ'_i} from the version's id
     * numbers and the group, {@code Y_i} from the stored commitments, {@code B = a·C} from the
     * master's own {@code C} and {@code a}; only {@code P_i} and the proof come from the message.
     * {@code ctx.prover()} is the member; a failure names it.
     */
    public static void verifyShare(ProofContext ctx, IdNumbers ids, Collection<PublicPoint> group, KeyCommitments key,
            AccessPoint b, Share share) {
        PublicPoint x = lambdaY(ids, group, key, ctx.prover()).toPoint();
        Dleq.requireValid(Dleq.TAG_DECRYPT, ctx, b.b, x, share.shadowPoint(), share.proof());
    }

    /** Master check of a shadow-mode member response: as {@link #verifyShare} with {@code X = λ'_i·Y_i + W_i}. */
    public static void verifyShadowShare(ProofContext ctx, IdNumbers ids, Collection<PublicPoint> group, KeyCommitments key,
            AccessPoint b, ShadowShare share) {
        PointSum x = lambdaY(ids, group, key, ctx.prover()).add(share.w());
        if (x.isInfinity()) {
            throw NodeIds.fault(ctx.prover(), "W_i cancels λ'_i·Y_i");
        }
        Dleq.requireValid(Dleq.TAG_DECRYPT, ctx, b.b, x.toPoint(), share.shadowPoint(), share.proof());
    }

    /** {@code λ'_i·Y_i = Σ_k (λ'_i·x_i^k)·A_k} for member {@code i}, one multi-scalar multiplication. */
    private static PointSum lambdaY(IdNumbers ids, Collection<PublicPoint> group, KeyCommitments key, PublicPoint member) {
        List<PublicPoint> g = group(ids, group, key.threshold(), member);
        return key.scaledPublicShare(ids.of(member), Lagrange.unsigned(ids, g, member));
    }

    /** {@code E ∓ a⁻¹·Σ P_i} (minus for even t); {@code a⁻¹·J} is a constant-time secret multiplication. */
    private static PublicPoint unmask(EncryptedDocumentKey key, SecretScalar accessKey, int t, Collection<PublicPoint> shadowPoints) {
        if (shadowPoints.size() != t + 1) {
            throw NodeIds.invalid("expected exactly " + (t + 1) + " shadow points, got " + shadowPoints.size() + " (SEC-03)");
        }
        dev.secretstore.crypto.PointSum j = new dev.secretstore.crypto.PointSum();
        for (PublicPoint p : shadowPoints) {
            j.add(p);
        }
        SecretScalar aInv = accessKey.inverse();
        try {
            PublicPoint scaled = aInv.mul(j.toPoint());
            return Lagrange.negateForThreshold(t) ? key.encryptedPoint().add(scaled) : key.encryptedPoint().subtract(scaled);
        } finally {
            aInv.destroy();
        }
    }

    /** Non-shadow master combination (§10.5): returns the document key {@code M}. Inputs must be verified first. */
    public static PublicPoint combine(EncryptedDocumentKey key, SecretScalar accessKey, int t, Map<PublicPoint, Share> verifiedShares) {
        return unmask(key, accessKey, t, verifiedShares.values().stream().map(Share::shadowPoint).toList());
    }

    /** Shadow master combination (§10.6): {@code decrypted_secret} and the common point {@code C} or {@code −C}. */
    public static ShadowResult combineShadow(EncryptedDocumentKey key, SecretScalar accessKey, int t, Map<PublicPoint, ShadowShare> verifiedShares) {
        PublicPoint ds = unmask(key, accessKey, t, verifiedShares.values().stream().map(ShadowShare::shadowPoint).toList());
        PublicPoint common = Lagrange.negateForThreshold(t) ? key.commonPoint().negate() : key.commonPoint();
        return new ShadowResult(ds, common);
    }

    // ------------------------------------------------------------------ client side

    /**
     * Client combination (§10.6, test vector A.5): {@code M = decrypted_secret + (Σ d_i)·common_point};
     * the sum of the decrypt shadows is secret (constant time). Does not consume the shadows.
     */
    public static PublicPoint clientCombine(PublicPoint decryptedSecret, PublicPoint commonPoint, List<SecretScalar> decryptShadows) {
        if (decryptShadows.isEmpty()) {
            throw NodeIds.invalid("no decrypt shadows"); // Parity panics here (SEC-05)
        }
        SecretScalar sum = Dkg.combineShares(decryptShadows);
        try {
            if (sum.isZero()) {
                return decryptedSecret;
            }
            return decryptedSecret.add(sum.mul(commonPoint));
        } finally {
            sum.destroy();
        }
    }
}
