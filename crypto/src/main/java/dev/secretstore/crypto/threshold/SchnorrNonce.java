package dev.secretstore.crypto.threshold;

import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import java.util.Collection;
import java.util.List;
import javax.security.auth.Destroyable;

/**
 * A node's one-shot Schnorr nonce (crypto.md §10.7, §11.4; SEC-08, SEC-13): its own free
 * coefficient {@code r_i} of the nonce generation, bound to the message hash fixed when the signing
 * session started. It produces <strong>at most one</strong> partial signature: {@code r_i} is
 * destroyed after the first call, whether it succeeds or fails, and a request for a different
 * message hash is refused (two partials with one {@code r_i} reveal {@code s_i}).
 */
public final class SchnorrNonce implements Destroyable {
    private final H256 messageHash;
    private final PublicPoint commitment;
    private SecretScalar r;

    private SchnorrNonce(H256 messageHash, SecretScalar r) {
        this.messageHash = messageHash;
        this.r = r;
        this.commitment = r.mulG();
    }

    /** Takes ownership of {@code r} (the caller must not use or keep it). */
    public static SchnorrNonce create(H256 messageHash, SecretScalar r) {
        r.requireNonZero();
        return new SchnorrNonce(messageHash, r);
    }

    /** The message hash this nonce is bound to. */
    public H256 messageHash() {
        return messageHash;
    }

    /** {@code R_i = r_i·G} (equals {@code A^{nonce}_{i,0}} for an honest node). */
    public PublicPoint commitment() {
        return commitment;
    }

    /**
     * Computes {@code ps_i = r_i − c·L_i·s_i} with {@code c = keccak256(mh ‖ R.X) mod n} computed
     * here from the aggregate nonce {@code R = Σ R_j}, and {@code L_i = (−1)^t·λ'_i} over the group
     * ({@code t+1} holders, SEC-03). Secret arithmetic is constant time; {@code ps_i} is public.
     *
     * @throws CryptoException {@code INVALID_ARGUMENT} for a second request or a different message hash
     */
    public synchronized Scalar partialSign(H256 requestedMessageHash, PublicPoint aggregateNonce, IdNumbers ids,
            Collection<PublicPoint> group, int t, PublicPoint self, SecretScalar share) {
        if (r == null) {
            throw new CryptoException(CryptoException.Reason.INVALID_ARGUMENT, "Schnorr nonce already used; refusing a second partial signature (SEC-08)");
        }
        SecretScalar nonce = r;
        r = null; // one shot: consumed now, success or failure
        try {
            if (!messageHash.equals(requestedMessageHash)) {
                throw new CryptoException(CryptoException.Reason.INVALID_ARGUMENT,
                        "partial-signature request for a different message hash than fixed at session start (SEC-13)");
            }
            List<PublicPoint> g = ids.requireGroup(group, t + 1);
            Scalar signedLagrange = Lagrange.signed(Lagrange.unsigned(ids, g, self), g.size());
            Scalar c = Schnorr.challenge(messageHash, aggregateNonce);
            SecretScalar cls = share.mul(c.mul(signedLagrange)); // c·L_i·s_i (secret)
            SecretScalar ps = nonce.sub(cls);
            cls.destroy();
            Scalar out = ps.reveal(); // the partial signature is sent to the master
            ps.destroy();
            return out;
        } finally {
            nonce.destroy();
        }
    }

    public synchronized boolean isUsed() {
        return r == null;
    }

    @Override
    public synchronized void destroy() {
        if (r != null) {
            r.destroy();
            r = null;
        }
    }

    @Override
    public synchronized boolean isDestroyed() {
        return r == null;
    }

    @Override
    public String toString() {
        return "SchnorrNonce[messageHash=" + messageHash + ", R_i=" + commitment + ", r=redacted]";
    }
}
