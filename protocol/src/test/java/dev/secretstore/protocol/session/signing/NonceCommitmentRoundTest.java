package dev.secretstore.protocol.session.signing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.RecoverableSignature;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.Schnorr;
import dev.secretstore.crypto.threshold.SchnorrSignature;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.session.consensus.KeyUseSession;
import dev.secretstore.protocol.session.Envelope;
import dev.secretstore.protocol.session.InMemoryCluster;
import dev.secretstore.protocol.session.InMemoryCluster.Delivery;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.dealing.DealingMessage;
import dev.secretstore.protocol.session.dealing.FeldmanDealing;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The hash-commitment round of the nested nonce generation (docs/signing.md): every member commits to a
 * hash of its Feldman vectors before anyone reveals one; a reveal that does not match its hash is blamed,
 * and a member that never commits or never reveals is named when the master's session stalls.
 */
class NonceCommitmentRoundTest {
    private final H256 messageHash = SigningFixture.randomId();

    private static Delivery with(Delivery d, SessionMessage body) {
        Envelope e = d.envelope();
        return new Delivery(d.from(), d.to(), new Envelope(e.type(), e.sessionId(), e.master(), e.sender(), body));
    }

    private KeyUseSession<byte[]> start(SigningFixture f, String scheme, int master) {
        return scheme.equals("schnorr") ? f.startSchnorr(master, messageHash) : f.startEcdsa(master, messageHash);
    }

    private void assertSigned(SigningFixture f, String scheme, KeyUseSession<byte[]> s) {
        if (scheme.equals("schnorr")) {
            assertThat(Schnorr.verify(f.serverKey, messageHash, SchnorrSignature.fromBytes(f.open(s, 177)))).isTrue();
        } else {
            assertThat(Ecdsa.recover(RecoverableSignature.fromBytes(f.open(s, 178)), messageHash)).isEqualTo(f.serverKey);
        }
    }

    private static List<PublicPoint> randomPoints(int n) {
        return Stream.generate(() -> SecretScalar.random(SigningFixture.RNG).mulG()).limit(n).toList();
    }

    /** Every hash reaches the master before the master releases them, and only then does any vector travel. */
    @ParameterizedTest(name = "{0} N={1} t={2} master={3}")
    @CsvSource({"schnorr,5,2,4", "schnorr,3,1,0", "ecdsa,5,2,4", "ecdsa,7,2,3"})
    void noMemberSeesAVectorBeforeEveryMemberCommitted(String scheme, int n, int t, int master) {
        SigningFixture f = new SigningFixture(n, t);
        List<String> order = new ArrayList<>();
        f.cluster.intercept(d -> {
            order.add(d.envelope().body().getClass().getSimpleName());
            return List.of(d);
        });
        KeyUseSession<byte[]> s = start(f, scheme, master);
        f.cluster.deliverAll();
        assertSigned(f, scheme, s);
        int lastHash = order.lastIndexOf("Hash");
        int released = order.indexOf("Hashes");
        int firstVector = Math.min(order.indexOf("Deal"), order.indexOf("Commitment"));
        assertThat(lastHash).as("members committed over the network").isNotNegative();
        assertThat(released).as("hashes released after the last commitment").isGreaterThan(lastHash);
        // A master in the group may deal as soon as it releases the hashes, so a deal can overtake the
        // release to a member; that member has committed all the same.
        assertThat(firstVector).as("no vector before every member committed").isGreaterThan(lastHash);
    }

    /** A member that reveals other vectors than it committed to is named and excluded; the rest sign. */
    @ParameterizedTest
    @CsvSource({"schnorr", "ecdsa"})
    void aRevealThatDoesNotMatchItsHashIsBlamed(String scheme) {
        SigningFixture f = new SigningFixture(5, 1);
        NodeId master = f.node(4).id;
        NodeId[] bad = new NodeId[1]; // the first member other than the master that is asked for nonces
        f.cluster.intercept(d -> {
            SessionMessage body = d.envelope().body();
            if (bad[0] == null && body instanceof DealingMessage.Request && !d.to().equals(master)) bad[0] = d.to();
            if (!d.from().equals(bad[0])) return List.of(d);
            if (body instanceof DealingMessage.Commitment c) {
                List<List<PublicPoint>> v = new ArrayList<>(c.vectors());
                v.set(0, randomPoints(v.get(0).size()));
                return List.of(with(d, new DealingMessage.Commitment(c.attemptId(), v)));
            }
            return List.of(d);
        });
        KeyUseSession<byte[]> s = start(f, scheme, 4);
        f.cluster.deliverAll();
        assertSigned(f, scheme, s);
        assertThat(s.excludedNodes()).containsExactly(bad[0]);
        assertThat(s.attemptCount()).isEqualTo(2);
    }

    /** A member that never commits, or commits and never reveals, stalls the attempt and is named at the timeout. */
    @ParameterizedTest(name = "{0}, silent after {1}")
    @CsvSource({"schnorr,request", "schnorr,hash", "ecdsa,request", "ecdsa,hash"})
    void aMemberThatNeverRevealsIsNamedAtTheTimeout(String scheme, String silentAfter) {
        SigningFixture f = new SigningFixture(5, 1);
        NodeId master = f.node(4).id;
        NodeId[] silent = new NodeId[1]; // the first member other than the master that is asked for nonces
        f.cluster.intercept(d -> {
            String type = d.envelope().body().getClass().getSimpleName();
            if (silent[0] == null && d.envelope().body() instanceof DealingMessage.Request && !d.to().equals(master)) silent[0] = d.to();
            boolean withheld = silentAfter.equals("request") ? type.equals("Hash")
                    : type.equals("Deal") || type.equals("Commitment");
            return d.from().equals(silent[0]) && withheld ? List.of() : List.of(d);
        });
        KeyUseSession<byte[]> s = start(f, scheme, 4);
        f.cluster.deliverAll();
        assertThat(s.isFinished()).as("the attempt waits for the silent member").isFalse();
        f.cluster.advance(InMemoryCluster.STALL);
        assertThat(SigningFixture.failureKind(s)).isEqualTo(Kind.NODE_DISCONNECTED);
        assertThat(s.excludedNodes()).containsExactly(silent[0]);
        f.cluster.deliverAll();
        f.cluster.advance(InMemoryCluster.STALL.multipliedBy(2));
        assertThat(f.cluster.allIdle()).isTrue();
    }

    /** The hash binds the attempt, the dealer and how the points split into vectors; its value is pinned. */
    @Test
    void commitmentHashIsBoundAndPinned() {
        H256 attempt = H256.keccak(new byte[] {1});
        NodeId dealer = new NodeId(SecretScalar.of(Scalar.of(5)).mulG());
        PublicPoint a = SecretScalar.of(Scalar.of(2)).mulG();
        PublicPoint b = SecretScalar.of(Scalar.of(3)).mulG();
        PublicPoint c = SecretScalar.of(Scalar.of(4)).mulG();
        H256 h = FeldmanDealing.commitmentHash(attempt, dealer, List.of(List.of(a, b), List.of(c)));
        assertThat(h.toHex()).isEqualTo("7843adc728bd1711550fbbb177c5dd67f16a6b31f90bce442c7f4a58dfe3a1a0");
        assertThat(FeldmanDealing.commitmentHash(H256.keccak(new byte[] {2}), dealer, List.of(List.of(a, b), List.of(c))))
                .isNotEqualTo(h);
        assertThat(FeldmanDealing.commitmentHash(attempt, new NodeId(c), List.of(List.of(a, b), List.of(c)))).isNotEqualTo(h);
        assertThat(FeldmanDealing.commitmentHash(attempt, dealer, List.of(List.of(a), List.of(b, c)))).isNotEqualTo(h);
        assertThat(FeldmanDealing.commitmentHash(attempt, dealer, List.of(List.of(a, b, c)))).isNotEqualTo(h);
    }

    /**
     * Issue #12 defect 1 for signing: the master and one member hold the newest version committed, the other
     * holders only prepared it; the dealing runs on the newest version through the two that committed it.
     * With only the master holding it, the older version every holder committed is used instead.
     */
    @ParameterizedTest(name = "{0}, newest committed on {1}")
    @CsvSource({"schnorr,'2 4'", "schnorr,'4'", "ecdsa,'2 3 4'", "ecdsa,'4'"})
    void aVersionIsUsedOnlyByHoldersThatCommittedIt_defect1(String scheme, String committedOn) {
        SigningFixture f = new SigningFixture(5, 1);
        java.util.Set<Integer> committed = new java.util.HashSet<>();
        for (String i : committedOn.split(" ")) committed.add(Integer.parseInt(i));
        H256 newest = f.addVersion(committed);
        java.util.Map<H256, H256> versionOfAttempt = new java.util.LinkedHashMap<>();
        java.util.Map<H256, java.util.Set<NodeId>> dealtIn = new java.util.HashMap<>();
        f.cluster.intercept(d -> {
            if (d.envelope().body() instanceof DealingMessage.Request r) versionOfAttempt.put(r.attemptId(), r.version());
            if (d.envelope().body() instanceof DealingMessage.Hash h) {
                dealtIn.computeIfAbsent(h.attemptId(), a -> new java.util.HashSet<>()).add(d.from());
            }
            return List.of(d);
        });
        KeyUseSession<byte[]> s = start(f, scheme, 4);
        f.cluster.deliverAll();
        assertSigned(f, scheme, s);
        // Only holders that committed a version deal nonces for it (SEC-26); a presumed attempt (issue #18) may ask a
        // holder that did not commit the newest version, which then deals nothing, and the master falls back.
        dealtIn.forEach((attempt, dealers) -> {
            if (!versionOfAttempt.get(attempt).equals(newest)) return;
            assertThat(dealers).allSatisfy(n -> assertThat(committed).contains(f.cluster.nodes().indexOf(f.cluster.node(n))));
        });
        int groupSize = scheme.equals("schnorr") ? 2 : 3;
        H256 signedWith = List.copyOf(versionOfAttempt.values()).get(versionOfAttempt.size() - 1);
        if (committed.size() >= groupSize) {
            assertThat(signedWith).isEqualTo(newest);
        } else {
            assertThat(signedWith).isNotEqualTo(newest);
        }
        assertThat(s.excludedNodes()).isEmpty();
    }

    /**
     * One self-delivery rule (issue #12): the master's messages to itself cross the queue like everyone
     * else's; starting the session hands nothing to itself re-entrantly.
     */
    @ParameterizedTest
    @CsvSource({"schnorr", "ecdsa"})
    void theMastersOwnMessagesGoThroughTheQueue(String scheme) {
        SigningFixture f = new SigningFixture(3, 1);
        NodeId master = f.node(0).id; // the lowest id: always in the group
        List<String> toSelf = new ArrayList<>();
        f.cluster.intercept(d -> {
            if (d.from().equals(master) && d.to().equals(master)) toSelf.add(d.envelope().body().getClass().getSimpleName());
            return List.of(d);
        });
        KeyUseSession<byte[]> s = start(f, scheme, 0);
        assertThat(f.cluster.pending()).anySatisfy(d -> assertThat(d.to()).isEqualTo(master));
        f.cluster.deliverAll();
        assertSigned(f, scheme, s);
        assertThat(toSelf).contains("Request", "Response", "Hash", "Commitment", "Ready");
    }
}
