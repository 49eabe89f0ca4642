package dev.secretstore.crypto.threshold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.Secp256k1;
import dev.secretstore.crypto.SecretScalar;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Chaum–Pedersen DLEQ (crypto.md §11.1): completeness, soundness checks, transcript binding (SEC-16). */
class DleqTest {
    final SecureRandom rng = ThresholdTestDriver.seeded(11);
    final PublicPoint prover = SecretScalar.random(rng).mulG();
    final PublicPoint other = SecretScalar.random(rng).mulG();
    final ProofContext ctx = new ProofContext(H256.fromHex("aa".repeat(32)), H256.fromHex("bb".repeat(32)), H256.fromHex("cc".repeat(32)), prover);
    final SecretScalar rho = SecretScalar.random(rng);
    final PublicPoint b = SecretScalar.random(rng).mulG();
    final PublicPoint x = rho.mulG();
    final PublicPoint p = rho.mul(b);
    final DleqProof proof = Dleq.prove(Dleq.TAG_DECRYPT, ctx, b, x, p, rho, rng);

    @Test
    void honestProofVerifiesAndRoundTrips() {
        assertThat(Dleq.verify(Dleq.TAG_DECRYPT, ctx, b, x, p, proof)).isTrue();
        byte[] enc = proof.toBytes();
        assertThat(enc).hasSize(64);
        assertThat(DleqProof.fromBytes(prover, enc)).isEqualTo(proof);
    }

    @Test
    void hedgedNonceIsFreshPerCall() {
        DleqProof again = Dleq.prove(Dleq.TAG_DECRYPT, ctx, b, x, p, rho, rng);
        assertThat(again).isNotEqualTo(proof);
        assertThat(Dleq.verify(Dleq.TAG_DECRYPT, ctx, b, x, p, again)).isTrue();
    }

    @Test
    void sec12_changedStatementIsRejectedNamingProver() {
        PublicPoint p2 = p.add(PublicPoint.generator());
        assertThat(Dleq.verify(Dleq.TAG_DECRYPT, ctx, b, x, p2, proof)).isFalse();
        assertThat(Dleq.verify(Dleq.TAG_DECRYPT, ctx, b, x.add(PublicPoint.generator()), p, proof)).isFalse();
        assertThat(Dleq.verify(Dleq.TAG_DECRYPT, ctx, p, x, p, proof)).isFalse();
        assertThatThrownBy(() -> Dleq.requireValid(Dleq.TAG_DECRYPT, ctx, b, x, p2, proof))
                .isInstanceOf(CryptoException.class)
                .hasMessageContaining(NodeIds.label(prover));
    }

    @Test
    void sec16_copiedProofUnderAnotherNodeSessionAttemptOrTagIsRejected() {
        assertThat(Dleq.verify(Dleq.TAG_DECRYPT, ctx.forProver(other), b, x, p, proof)).isFalse();
        assertThat(Dleq.verify(Dleq.TAG_DECRYPT, new ProofContext(ctx.keyId(), H256.fromHex("bd".repeat(32)), ctx.attemptId(), prover), b, x, p, proof)).isFalse();
        assertThat(Dleq.verify(Dleq.TAG_DECRYPT, new ProofContext(ctx.keyId(), ctx.sessionId(), H256.fromHex("cd".repeat(32)), prover), b, x, p, proof)).isFalse();
        assertThat(Dleq.verify(Dleq.TAG_DECRYPT, new ProofContext(H256.fromHex("ab".repeat(32)), ctx.sessionId(), ctx.attemptId(), prover), b, x, p, proof)).isFalse();
        assertThat(Dleq.verify(Dleq.TAG_ECDSA_U, ctx, b, x, p, proof)).isFalse();
    }

    @Test
    void changedProofBytesAreRejected() {
        assertThat(Dleq.verify(Dleq.TAG_DECRYPT, ctx, b, x, p, new DleqProof(proof.e().add(Scalar.ONE), proof.z()))).isFalse();
        assertThat(Dleq.verify(Dleq.TAG_DECRYPT, ctx, b, x, p, new DleqProof(proof.e(), proof.z().add(Scalar.ONE)))).isFalse();
    }

    @Test
    void sec02_outOfRangeProofScalarsAreRejectedNotReduced() {
        byte[] enc = proof.toBytes();
        byte[] n = Scalar.of(BigInteger.ZERO).toBytes();
        byte[] nBytes = Secp256k1.N.toByteArray();
        System.arraycopy(nBytes, nBytes.length - 32, n, 0, 32);
        byte[] eIsN = enc.clone();
        System.arraycopy(n, 0, eIsN, 0, 32);
        byte[] zIsN = enc.clone();
        System.arraycopy(n, 0, zIsN, 32, 32);
        byte[] allOnes = new byte[64];
        Arrays.fill(allOnes, (byte) 0xff);
        for (byte[] bad : new byte[][] {eIsN, zIsN, allOnes}) {
            assertThatThrownBy(() -> DleqProof.fromBytes(prover, bad)).isInstanceOf(CryptoException.class).hasMessageContaining(NodeIds.label(prover));
        }
        assertThatThrownBy(() -> DleqProof.fromBytes(prover, new byte[63])).isInstanceOf(CryptoException.class).hasMessageContaining(NodeIds.label(prover));
    }

    @Test
    void wrongWitnessDoesNotVerify() {
        SecretScalar wrong = SecretScalar.random(rng);
        DleqProof bad = Dleq.prove(Dleq.TAG_DECRYPT, ctx, b, x, p, wrong, rng);
        assertThat(Dleq.verify(Dleq.TAG_DECRYPT, ctx, b, x, p, bad)).isFalse();
    }
}
