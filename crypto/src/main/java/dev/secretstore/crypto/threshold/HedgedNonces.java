package dev.secretstore.crypto.threshold;

import dev.secretstore.crypto.Keccak256;
import dev.secretstore.crypto.SecretScalar;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Hedged protocol nonces (security.md SEC-08): a nonce depends on a long-term secret, fresh
 * randomness and the protocol context, so neither a weak RNG nor a repeated context alone repeats
 * it. Same construction as the DLEQ nonce of crypto.md §11.1 with its own tag:
 * {@code keccak256(enc(tag) ‖ enc(secret) ‖ enc(32 fresh bytes) ‖ enc(context) ‖ enc(index)) mod n},
 * redrawn with fresh bytes if 0. The reduction is constant time.
 */
public final class HedgedNonces {
    /** Tag for hedged protocol nonces (polynomial coefficients, decrypt shadows); to be registered in crypto.md §11.7. */
    public static final String TAG = "secretstore/v1/hedged-nonce";

    private HedgedNonces() {}

    /**
     * A non-zero secret scalar hedged on {@code secret} (e.g. the node's key share or node key),
     * {@code context} (e.g. key id ‖ session id ‖ attempt id ‖ purpose) and {@code index}.
     */
    public static SecretScalar draw(SecretScalar secret, byte[] context, int index, SecureRandom rng) {
        byte[] s = secret.toBytes();
        byte[] fresh = new byte[32];
        byte[] idx = {(byte) (index >>> 24), (byte) (index >>> 16), (byte) (index >>> 8), (byte) index};
        try {
            while (true) {
                rng.nextBytes(fresh);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                Transcript.append(out, TAG.getBytes(StandardCharsets.US_ASCII));
                Transcript.append(out, s);
                Transcript.append(out, fresh);
                Transcript.append(out, context);
                Transcript.append(out, idx);
                byte[] buf = out.toByteArray();
                byte[] h = Keccak256.hash(buf);
                Arrays.fill(buf, (byte) 0);
                SecretScalar r = SecretScalar.reduce(h);
                Arrays.fill(h, (byte) 0);
                if (!r.isZero()) {
                    return r;
                }
                r.destroy();
            }
        } finally {
            Arrays.fill(s, (byte) 0);
            Arrays.fill(fresh, (byte) 0);
        }
    }

    /** The context bytes of a proof context ({@code key_id ‖ session_id ‖ attempt_id ‖ node_id}) plus a purpose label. */
    public static byte[] context(ProofContext ctx, String purpose) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Transcript.append(out, purpose.getBytes(StandardCharsets.US_ASCII));
        Transcript.append(out, ctx.keyId().toBytes());
        Transcript.append(out, ctx.sessionId().toBytes());
        Transcript.append(out, ctx.attemptId().toBytes());
        Transcript.append(out, ctx.prover().toBytes());
        return out.toByteArray();
    }
}
