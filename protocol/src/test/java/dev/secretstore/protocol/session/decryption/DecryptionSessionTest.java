package dev.secretstore.protocol.session.decryption;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.protocol.KeyServer;
import dev.secretstore.protocol.Culprit;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.session.Envelope;
import dev.secretstore.protocol.session.InMemoryCluster;
import dev.secretstore.protocol.session.InMemoryCluster.Delivery;
import dev.secretstore.protocol.session.TestRequesters;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.SessionType;
import dev.secretstore.protocol.session.consensus.ConsensusMessage;
import dev.secretstore.protocol.session.decryption.DecryptionFixture.TestAcl;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Document key retrieval, HTTP endpoints 5 and 6 (http-api.md §6.2, crypto.md §10.5, §10.6, §11.2, §11.3). */
class DecryptionSessionTest {

    private static Delivery with(Delivery d, SessionMessage body) {
        Envelope e = d.envelope();
        return new Delivery(d.from(), d.to(), new Envelope(e.type(), e.sessionId(), e.master(), e.sender(), body));
    }

    // ------------------------------------------------------------------ success

    @ParameterizedTest(name = "N={0} t={1} shadow={2}")
    @CsvSource({"1,0,false", "1,0,true", "3,1,false", "3,1,true", "5,2,false", "5,2,true", "7,3,false", "7,3,true"})
    void requesterRecoversTheDocumentKey(int n, int t, boolean shadow) {
        DecryptionFixture f = new DecryptionFixture(n, t);
        DecryptionSession s = f.start(n - 1, shadow);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        assertThat(f.cluster.allIdle()).as("every holder's session ended").isTrue();
        assertThat(s.attemptCount()).isEqualTo(1);
    }

    @Test
    void shadowsAreOrderedByAscendingNodeIdAndEachNodeCalledItsOwnAcl() {
        DecryptionFixture f = new DecryptionFixture(5, 2);
        Map<NodeId, byte[]> sent = new TreeMap<>();
        f.cluster.intercept(d -> {
            if (d.envelope().body() instanceof DecryptionMessage.ShadowPartialResponse r) sent.put(d.from(), r.encryptedDecryptShadow());
            return List.of(d);
        });
        DecryptionSession s = f.start(1, true); // group {0, 1, 2}, master in the middle
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        List<byte[]> shadows = ((DecryptionSession.Shadows) s.result().join()).retrieval().decryptShadows();
        // One self-delivery rule: the master's own partial crosses the queue like everyone else's.
        assertThat(sent.keySet()).containsExactly(f.node(0).id, f.node(1).id, f.node(2).id);
        for (int i = 0; i < 3; i++) assertThat(shadows.get(i)).isEqualTo(sent.get(f.node(i).id));
        for (int i = 0; i < 5; i++) assertThat(f.acl(i).calls).as("node %d evaluates the ACL itself", i).isEqualTo(1);
    }

    // ------------------------------------------------------------------ 404

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void unknownKeyIs404(boolean shadow) {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        DecryptionSession s = f.start(0, shadow, DecryptionFixture.randomId(), f.requester);
        f.cluster.deliverAll();
        assertThat(DecryptionFixture.failureKind(s)).isEqualTo(Kind.SERVER_KEY_IS_NOT_FOUND);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void keyWithoutDocumentKeyIs404(boolean shadow) {
        DecryptionFixture f = new DecryptionFixture(3, 3, 1, false);
        DecryptionSession s = f.start(0, shadow);
        f.cluster.deliverAll();
        assertThat(DecryptionFixture.failureKind(s)).isEqualTo(Kind.DOCUMENT_KEY_IS_NOT_FOUND);
        assertThat(f.acl(0).calls).isZero();
    }

    // ------------------------------------------------------------------ ACL consensus (SEC-21, acl-and-config.md §1)

    @Test
    void aclDenyingEverywhereIs403() {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        f.acls.values().forEach(a -> a.mode = TestAcl.Mode.DENY);
        DecryptionSession s = f.start(0, false);
        f.cluster.deliverAll();
        assertThat(DecryptionFixture.failureKind(s)).isEqualTo(Kind.CONSENSUS_UNREACHABLE);
        assertThat(f.cluster.allIdle()).isTrue();
    }

    @Test
    void requesterNotOnTheAllowListIs403() {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        DecryptionSession s = f.start(0, true, f.keyId, TestRequesters.ofStatic(KeyPair.random(), f.keyId));
        f.cluster.deliverAll();
        assertThat(DecryptionFixture.failureKind(s)).isEqualTo(Kind.CONSENSUS_UNREACHABLE);
    }

    /** N=5, t=2: denials on N−t = 3 nodes leave only 2 < t+1 yes → 403; on 2 nodes → success. Master denies too in some rows. */
    @ParameterizedTest(name = "denying nodes {0}, shadow={1}")
    @CsvSource({"'0,1,2',false", "'2,3,4',true", "'1,3,4',false", "'0,1',false", "'3,4',true", "'4,0',true"})
    void aclDenialsOnNMinusTNodesAre403(String denying, boolean shadow) {
        DecryptionFixture f = new DecryptionFixture(5, 2);
        String[] idx = denying.split(",");
        for (String i : idx) f.acl(Integer.parseInt(i)).mode = TestAcl.Mode.DENY;
        DecryptionSession s = f.start(4, shadow);
        f.cluster.deliverAll();
        if (idx.length >= 5 - 2) {
            assertThat(DecryptionFixture.failureKind(s)).isEqualTo(Kind.CONSENSUS_UNREACHABLE);
        } else {
            assertThat(f.recover(s)).isEqualTo(f.documentKey);
        }
        assertThat(f.cluster.allIdle()).isTrue();
    }

    /**
     * SEC-21: an ACL that completes exceptionally is a denial. On members it is a "no" vote (enough of them
     * → 403); the master's own check failing is a 500 Internal error (acl-and-config.md §2.4).
     */
    @Test
    void aclErrorIsADenial_SEC21() {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        f.acl(1).mode = TestAcl.Mode.THROW;
        f.acl(2).mode = TestAcl.Mode.THROW;
        DecryptionSession s = f.start(0, false);
        f.cluster.deliverAll();
        assertThat(DecryptionFixture.failureKind(s)).isEqualTo(Kind.CONSENSUS_UNREACHABLE);

        DecryptionFixture h = new DecryptionFixture(3, 1);
        h.acl(0).mode = TestAcl.Mode.THROW;
        DecryptionSession masterFails = h.start(0, true);
        h.cluster.deliverAll();
        assertThat(DecryptionFixture.failureKind(masterFails)).isEqualTo(Kind.INTERNAL);

        DecryptionFixture g = new DecryptionFixture(3, 1);
        g.acl(1).mode = TestAcl.Mode.THROW;
        DecryptionSession ok = g.start(0, true);
        assertThat(g.run(ok)).isEqualTo(g.documentKey);
    }

    /** acl-and-config.md §1: a node without the chosen version says no without calling the ACL. */
    @Test
    void nodeWithoutTheVersionSaysNoWithoutAclCall() {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        // node 2 only has another version: it still gets asked (it is a holder of the master's version) and must say no
        var storage2 = f.node(2).storage;
        var old = storage2.metadata(f.keyId).orElseThrow().latestVersion();
        f.addVersion(Set.of(2)); // committed on node 2 only (the others just prepared it)
        storage2.removeVersion(f.keyId, old.id());
        f.acl(1).mode = TestAcl.Mode.DENY;
        DecryptionSession s = f.start(0, false);
        f.cluster.deliverAll();
        assertThat(DecryptionFixture.failureKind(s)).isEqualTo(Kind.CONSENSUS_UNREACHABLE);
        assertThat(f.acl(2).calls).isZero();
    }

    /** Async ACL answers come back through the session's reentry executor, also after other messages. */
    @Test
    void pendingAclAnswersAreResumedOnTheLoop() {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        f.acls.values().forEach(a -> a.mode = TestAcl.Mode.PENDING);
        DecryptionSession s = f.start(2, true);
        f.cluster.deliverAll();
        assertThat(s.isFinished()).isFalse();
        f.acl(0).release(true);
        f.cluster.deliverAll();
        assertThat(s.isFinished()).as("one yes is not t+1").isFalse();
        f.acl(2).release(true);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        f.acl(1).release(true); // late answer after the end: dropped
        f.cluster.deliverAll();
        assertThat(f.cluster.allIdle()).isTrue();
    }

    /** SEC-19: a stalled ACL never leaves the session hanging; holders give up after twice the master's time. */
    @Test
    void stalledAclTimesOut_SEC19() {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        f.acls.values().forEach(a -> a.mode = TestAcl.Mode.PENDING);
        DecryptionSession s = f.start(0, false);
        f.cluster.deliverAll();
        f.cluster.advance(InMemoryCluster.STALL);
        assertThat(DecryptionFixture.failureKind(s)).isEqualTo(Kind.NODE_DISCONNECTED);
        f.cluster.deliverAll();
        f.cluster.advance(InMemoryCluster.STALL.multipliedBy(2));
        assertThat(f.cluster.allIdle()).isTrue();
    }

    // ------------------------------------------------------------------ availability

    @ParameterizedTest(name = "N=5 t=2, {0} down, shadow={1}")
    @CsvSource({"1,false", "2,true", "2,false", "3,false", "3,true"})
    void upToTNodesDownNeverBlock(int down, boolean shadow) {
        DecryptionFixture f = new DecryptionFixture(5, 2);
        for (int i = 0; i < down; i++) f.cluster.disconnect(f.node(i).id);
        DecryptionSession s = f.start(4, shadow);
        f.cluster.deliverAll();
        if (down <= 2) {
            assertThat(f.recover(s)).isEqualTo(f.documentKey);
        } else {
            // the holders exist, too few are connected: the accurate, temporary variant (http-api.md §8 notes)
            assertThat(DecryptionFixture.failureKind(s)).isEqualTo(Kind.CONSENSUS_TEMPORARY_UNREACHABLE);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void memberDisconnectingMidComputationIsReplaced(boolean shadow) {
        DecryptionFixture f = new DecryptionFixture(5, 1);
        NodeId[] victim = new NodeId[1];
        f.cluster.intercept(d -> {
            if (victim[0] == null && d.envelope().body() instanceof DecryptionMessage.PartialRequest) {
                victim[0] = d.to();
                f.cluster.disconnect(d.to());
                return List.of();
            }
            return List.of(d);
        });
        DecryptionSession s = f.start(4, shadow);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        assertThat(s.excludedNodes()).contains(victim[0]);
        assertThat(s.attemptCount()).isEqualTo(2);
    }

    /**
     * Issue #12 defect 5: a member lost mid-computation with no replacement is the temporary variant (still
     * 403, http-api.md §8), not the ACL refusal "Consensus unreachable" a client cannot tell from "no permission".
     */
    @Test
    void memberDisconnectingWithNoReplacementIsTemporarilyUnreachable_defect5() {
        DecryptionFixture f = new DecryptionFixture(2, 1);
        f.cluster.intercept(d -> {
            if (d.envelope().body() instanceof DecryptionMessage.PartialRequest) {
                f.cluster.disconnect(d.to());
                return List.of();
            }
            return List.of(d);
        });
        DecryptionSession s = f.start(1, false);
        f.cluster.deliverAll();
        assertThat(DecryptionFixture.failureKind(s)).isEqualTo(Kind.CONSENSUS_TEMPORARY_UNREACHABLE);
        assertThat(s.failure().orElseThrow().culprits()).extracting(Culprit::reason).containsExactly(Culprit.Reason.DISCONNECTED);
    }

    /**
     * Issue #12 defect 5: a holder lost while the consensus waits for its vote (checkReachable) leaves too few
     * yes-sayers: temporary, since it was not an ACL refusal; with the same loss plus a refusal that alone
     * decides, it stays "Consensus unreachable".
     */
    @ParameterizedTest(name = "denying nodes: {0}")
    @CsvSource({"'1',CONSENSUS_TEMPORARY_UNREACHABLE", "'3',CONSENSUS_TEMPORARY_UNREACHABLE", "'1 3',CONSENSUS_UNREACHABLE"})
    void aPeerLostDuringTheConsensusIsTemporary_defect5(String denying, Kind expected) {
        DecryptionFixture f = new DecryptionFixture(4, 2); // t+1 = 3 of 4
        for (String i : denying.split(" ")) f.acl(Integer.parseInt(i)).mode = TestAcl.Mode.DENY;
        NodeId lost = f.node(0).id;
        f.cluster.intercept(d -> {
            if (d.to().equals(lost) && d.envelope().body() instanceof ConsensusMessage.Request) {
                f.cluster.disconnect(lost); // gone before it could answer
                return List.of();
            }
            return List.of(d);
        });
        DecryptionSession s = f.start(2, false);
        f.cluster.deliverAll();
        assertThat(DecryptionFixture.failureKind(s)).isEqualTo(expected);
    }

    /**
     * Issue #12 defect 1: the master holds the newest version committed, the other holders only prepared it.
     * The request never uses a version its group does not hold committed; it is served through the older
     * version every holder committed (before: the members refused the newest version and the client got 403).
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aVersionOnlyTheMasterCommittedIsNotUsed_defect1(boolean shadow) {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        H256 newest = f.addVersion(Set.of(2));
        Map<H256, H256> versionOfAttempt = new HashMap<>();
        List<H256> used = new ArrayList<>();
        f.cluster.intercept(d -> {
            SessionMessage b = d.envelope().body();
            if (b instanceof DecryptionMessage.PartialRequest r) versionOfAttempt.put(r.attemptId(), r.version());
            if (!d.from().equals(f.node(2).id)) {
                if (b instanceof DecryptionMessage.PartialResponse r) used.add(versionOfAttempt.get(r.attemptId()));
                if (b instanceof DecryptionMessage.ShadowPartialResponse r) used.add(versionOfAttempt.get(r.attemptId()));
            }
            return List.of(d);
        });
        DecryptionSession s = f.start(2, shadow);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        // The master may presume its newest version (issue #18); no member that lacks it ever computes with it.
        assertThat(used).isNotEmpty().doesNotContain(newest);
        assertThat(s.excludedNodes()).isEmpty();
    }

    /** Issue #12 defect 1: the newest version is used when t+1 yes-sayers hold it committed, through them only. */
    @Test
    void theNewestVersionIsServedByTheHoldersThatCommittedIt_defect1() {
        DecryptionFixture f = new DecryptionFixture(4, 1);
        H256 newest = f.addVersion(Set.of(1, 3)); // nodes 0 and 2 only prepared it
        Set<H256> used = new HashSet<>();
        Set<NodeId> asked = new HashSet<>();
        Map<H256, H256> versionOfAttempt = new HashMap<>();
        f.cluster.intercept(d -> {
            if (d.envelope().body() instanceof DecryptionMessage.PartialRequest r) versionOfAttempt.put(r.attemptId(), r.version());
            if (d.envelope().body() instanceof DecryptionMessage.PartialResponse r) {
                used.add(versionOfAttempt.get(r.attemptId()));
                asked.add(d.from()); // the members that computed a partial
            }
            return List.of(d);
        });
        DecryptionSession s = f.start(3, false);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        assertThat(used).containsExactly(newest);
        assertThat(asked).containsExactlyInAnyOrder(f.node(1).id, f.node(3).id);
    }

    // ------------------------------------------------------------------ SEC-12: verified shadows, identifiable abort

    /** SEC-12: a member adding G to its shadow point is blamed and replaced; the client gets the right M. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shadowPointPlusGIsBlamedAndReplaced_SEC12(boolean shadow) {
        DecryptionFixture f = new DecryptionFixture(4, 1);
        NodeId bad = f.node(0).id;
        f.cluster.intercept(d -> List.of(d.from().equals(bad) ? tamperPoint(d) : d));
        DecryptionSession s = f.start(3, shadow);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        assertThat(s.excludedNodes()).containsExactly(bad);
        assertThat(s.blamed()).as("counted in the node's metrics (crypto.md §11.3)").containsExactly(bad);
        assertThat(s.attemptCount()).isEqualTo(2);
    }

    /** SEC-12: when too few members remain after blaming, 403, never a wrong M. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void tooManyFaultyMembersIs403_SEC12(boolean shadow) {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        f.cluster.intercept(d -> List.of(tamperPoint(d)));
        DecryptionSession s = f.start(2, shadow);
        f.cluster.deliverAll();
        assertThat(DecryptionFixture.failureKind(s)).isEqualTo(Kind.CONSENSUS_UNREACHABLE);
        assertThat(s.excludedNodes()).containsExactlyInAnyOrder(f.node(0).id, f.node(1).id);
        // Culprits are data on the failure, never parsed back from a message text.
        assertThat(s.failure().orElseThrow().culprits()).extracting(Culprit::node, Culprit::reason).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(f.node(0).id, Culprit.Reason.INVALID_CONTRIBUTION),
                org.assertj.core.groups.Tuple.tuple(f.node(1).id, Culprit.Reason.INVALID_CONTRIBUTION));
        assertThat(f.cluster.allIdle()).isTrue();
    }

    private static Delivery tamperPoint(Delivery d) {
        SessionMessage b = d.envelope().body();
        if (b instanceof DecryptionMessage.PartialResponse r) {
            return with(d, new DecryptionMessage.PartialResponse(r.attemptId(), r.shadowPoint().add(PublicPoint.generator()), r.proof()));
        }
        if (b instanceof DecryptionMessage.ShadowPartialResponse r) {
            return with(d, new DecryptionMessage.ShadowPartialResponse(r.attemptId(), r.shadowPoint().add(PublicPoint.generator()),
                    r.w(), r.proof(), r.encryptedDecryptShadow()));
        }
        return d;
    }

    /** SEC-12/SEC-16: node 1 sends node 0's valid proof from the same attempt: blamed (the proof binds the prover). */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void proofCopiedFromAnotherNodeIsBlamed_SEC12_SEC16(boolean shadow) {
        DecryptionFixture f = new DecryptionFixture(4, 1);
        NodeId n0 = f.node(0).id;
        NodeId n1 = f.node(1).id;
        Map<Object, byte[]> proofs = new HashMap<>();
        boolean[] done = {false};
        f.cluster.intercept(d -> {
            SessionMessage b = d.envelope().body();
            if (b instanceof DecryptionMessage.PartialResponse r) {
                if (d.from().equals(n0)) proofs.put(r.attemptId(), r.proof());
                if (d.from().equals(n1) && !done[0] && proofs.containsKey(r.attemptId())) {
                    done[0] = true;
                    return List.of(with(d, new DecryptionMessage.PartialResponse(r.attemptId(), r.shadowPoint(), proofs.get(r.attemptId()))));
                }
            } else if (b instanceof DecryptionMessage.ShadowPartialResponse r) {
                if (d.from().equals(n0)) proofs.put(r.attemptId(), r.proof());
                if (d.from().equals(n1) && !done[0] && proofs.containsKey(r.attemptId())) {
                    done[0] = true;
                    return List.of(with(d, new DecryptionMessage.ShadowPartialResponse(r.attemptId(), r.shadowPoint(), r.w(),
                            proofs.get(r.attemptId()), r.encryptedDecryptShadow())));
                }
            }
            return List.of(d);
        });
        f.acl(3).mode = TestAcl.Mode.DENY; // the master coordinates only: group {0, 1}
        DecryptionSession s = f.start(3, shadow);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        assertThat(done[0]).isTrue();
        assertThat(s.excludedNodes()).containsExactly(n1);
    }

    /**
     * SEC-12/SEC-16: attempt 1 — node 0 corrupts its point and is blamed; attempt 2 — node 1 replays its own
     * (valid) proof from attempt 1: blamed as well; attempt 3 succeeds with the right M.
     */
    @Test
    void proofFromAnotherAttemptIsBlamed_SEC12_SEC16() {
        DecryptionFixture f = new DecryptionFixture(5, 1);
        NodeId n0 = f.node(0).id;
        NodeId n1 = f.node(1).id;
        List<Object> attemptsSeen = new ArrayList<>();
        Map<Object, byte[]> n1Proofs = new HashMap<>();
        f.cluster.intercept(d -> {
            if (d.envelope().body() instanceof DecryptionMessage.PartialResponse r) {
                if (!attemptsSeen.contains(r.attemptId())) attemptsSeen.add(r.attemptId());
                if (d.from().equals(n0)) return List.of(tamperPoint(d));
                if (d.from().equals(n1)) {
                    n1Proofs.putIfAbsent(r.attemptId(), r.proof());
                    if (attemptsSeen.indexOf(r.attemptId()) == 1) {
                        byte[] old = n1Proofs.get(attemptsSeen.get(0));
                        if (old == null) throw new AssertionError("node 1 had no proof in attempt 1");
                        return List.of(with(d, new DecryptionMessage.PartialResponse(r.attemptId(), r.shadowPoint(), old)));
                    }
                }
            }
            return List.of(d);
        });
        f.acl(4).mode = TestAcl.Mode.DENY; // the master coordinates only: groups {0,1}, {1,2}, {2,3}
        DecryptionSession s = f.start(4, false);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        assertThat(s.excludedNodes()).containsExactlyInAnyOrder(n0, n1);
        assertThat(s.attemptCount()).isEqualTo(3);
    }

    /**
     * SEC-12: node 0 computes an honest-looking partial with a valid proof, but for the wrong Lagrange
     * coefficient (as if the group were {0, 2}): X differs from λ'_0·Y_0, so it is blamed and replaced.
     */
    @Test
    void wrongLagrangeCoefficientIsBlamed_SEC12() {
        DecryptionFixture f = new DecryptionFixture(4, 1);
        InMemoryCluster.Node n0 = f.node(0);
        dev.secretstore.protocol.key.KeyVersion v = n0.storage.get(f.keyId).orElseThrow().latestVersion();
        Map<PublicPoint, dev.secretstore.crypto.Scalar> m = new HashMap<>();
        v.idNumbers().forEach((node, x) -> m.put(node.publicKey(), x));
        dev.secretstore.crypto.threshold.IdNumbers ids = dev.secretstore.crypto.threshold.IdNumbers.validate(m.keySet(), m);
        Map<Object, dev.secretstore.crypto.SecretScalar> accessKeys = new HashMap<>();
        boolean[] done = {false};
        f.cluster.intercept(d -> {
            SessionMessage b = d.envelope().body();
            if (b instanceof DecryptionMessage.PartialRequest r && d.to().equals(n0.id)) accessKeys.put(r.attemptId(), r.accessKey().copy());
            if (b instanceof DecryptionMessage.PartialResponse r && d.from().equals(n0.id) && !done[0]) {
                done[0] = true;
                var ctx = new dev.secretstore.crypto.threshold.ProofContext(f.keyId, d.envelope().sessionId(), r.attemptId(), n0.id.publicKey());
                var wrong = dev.secretstore.crypto.threshold.Decryption.nodeShare(ctx, ids,
                        List.of(n0.id.publicKey(), f.node(2).id.publicKey()), 1, v.share(), accessKeys.get(r.attemptId()),
                        f.encrypted.commonPoint(), DecryptionFixture.RNG);
                return List.of(with(d, new DecryptionMessage.PartialResponse(r.attemptId(), wrong.shadowPoint(), wrong.proof().toBytes())));
            }
            return List.of(d);
        });
        f.acl(3).mode = TestAcl.Mode.DENY; // the master coordinates only: group {0, 1}
        DecryptionSession s = f.start(3, false);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        assertThat(done[0]).isTrue();
        assertThat(s.excludedNodes()).containsExactly(n0.id);
    }

    /** SEC-16: a proof from another request (session) on the same key is rejected. */
    @Test
    void proofFromAnotherSessionIsBlamed_SEC16() {
        DecryptionFixture f = new DecryptionFixture(4, 1);
        NodeId n0 = f.node(0).id;
        List<DecryptionMessage.PartialResponse> first = new ArrayList<>();
        f.cluster.intercept(d -> {
            if (d.envelope().body() instanceof DecryptionMessage.PartialResponse r && d.from().equals(n0)) first.add(r);
            return List.of(d);
        });
        assertThat(f.run(f.start(3, false))).isEqualTo(f.documentKey);
        byte[] oldProof = first.get(0).proof();
        f.cluster.intercept(d -> {
            if (d.envelope().body() instanceof DecryptionMessage.PartialResponse r && d.from().equals(n0)) {
                return List.of(with(d, new DecryptionMessage.PartialResponse(r.attemptId(), r.shadowPoint(), oldProof)));
            }
            return List.of(d);
        });
        DecryptionSession s = f.start(3, false);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        assertThat(s.excludedNodes()).containsExactly(n0);
    }

    /** A shadow response whose ECIES blob has the wrong size is rejected before use. */
    @Test
    void malformedDecryptShadowBlobIsBlamed() {
        DecryptionFixture f = new DecryptionFixture(4, 1);
        NodeId n0 = f.node(0).id;
        f.cluster.intercept(d -> {
            if (d.envelope().body() instanceof DecryptionMessage.ShadowPartialResponse r && d.from().equals(n0)) {
                return List.of(with(d, new DecryptionMessage.ShadowPartialResponse(r.attemptId(), r.shadowPoint(), r.w(), r.proof(), new byte[3])));
            }
            return List.of(d);
        });
        DecryptionSession s = f.start(3, true);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        assertThat(s.excludedNodes()).containsExactly(n0);
    }

    // ------------------------------------------------------------------ SEC-33: check data for the decrypt shadows

    /** What the requester makes of the check data: the members whose decrypted {@code d_i} has {@code d_i·G ≠ W_i}. */
    private static List<NodeId> mismatching(DecryptionFixture f, KeyServer.ShadowRetrieval r) {
        List<NodeId> out = new ArrayList<>();
        for (int i = 0; i < r.decryptShadows().size(); i++) {
            SecretScalar d = SecretScalar.fromBytes(Ecies.decryptFromServer(f.requesterKeys.secret(), r.decryptShadows().get(i)));
            if (!d.mulG().equals(r.checks().get(i).w())) out.add(r.checks().get(i).node());
            d.destroy();
        }
        return out;
    }

    private static KeyServer.ShadowRetrieval shadows(DecryptionSession s) {
        return ((DecryptionSession.Shadows) s.result().join()).retrieval();
    }

    /** SEC-33: each shadow comes with its member and the W_i that member's verified proof covered, in the shadows' order. */
    @Test
    void eachShadowComesWithItsMemberAndTheProvedPoint_SEC33() {
        DecryptionFixture f = new DecryptionFixture(5, 2);
        Map<NodeId, PublicPoint> proved = new TreeMap<>();
        f.cluster.intercept(d -> {
            if (d.envelope().body() instanceof DecryptionMessage.ShadowPartialResponse r) proved.put(d.from(), r.w());
            return List.of(d);
        });
        DecryptionSession s = f.start(1, true);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        KeyServer.ShadowRetrieval r = shadows(s);
        assertThat(r.checks()).extracting(KeyServer.ShadowCheck::node).containsExactly(f.node(0).id, f.node(1).id, f.node(2).id);
        for (KeyServer.ShadowCheck c : r.checks()) assertThat(c.w()).isEqualTo(proved.get(c.node()));
        assertThat(mismatching(f, r)).isEmpty();
    }

    /**
     * SEC-33: a member that encrypts another d_i than the one it proved passes the master's checks and makes the
     * requester's document key wrong; the check data names it, and a retry without it gives the right key.
     */
    @Test
    void aMemberEncryptingAnotherShadowThanItProvedIsNamedAndARetryWithoutItSucceeds_SEC33() {
        DecryptionFixture f = new DecryptionFixture(5, 2);
        NodeId liar = f.node(1).id;
        f.cluster.intercept(d -> {
            if (d.from().equals(liar) && d.envelope().body() instanceof DecryptionMessage.ShadowPartialResponse r) {
                byte[] other = Ecies.encryptToClient(f.requester.publicKey(), SecretScalar.random(DecryptionFixture.RNG).toBytes());
                return List.of(with(d, new DecryptionMessage.ShadowPartialResponse(r.attemptId(), r.shadowPoint(), r.w(), r.proof(), other)));
            }
            return List.of(d);
        });
        DecryptionSession s = f.start(0, true);
        PublicPoint computed = f.run(s);
        assertThat(s.excludedNodes()).as("the master cannot tell").isEmpty();
        assertThat(computed).as("the lie changes the requester's document key").isNotEqualTo(f.documentKey);
        assertThat(mismatching(f, shadows(s))).containsExactly(liar);

        DecryptionSession retry = f.startShadowsWithout(0, Set.of(liar));
        assertThat(f.run(retry)).isEqualTo(f.documentKey);
        assertThat(shadows(retry).checks()).extracting(KeyServer.ShadowCheck::node)
                .containsExactly(f.node(0).id, f.node(2).id, f.node(3).id);
        assertThat(mismatching(f, shadows(retry))).isEmpty();
        assertThat(retry.blamed()).as("the requester's exclusion blames nobody").isEmpty();
        assertThat(f.cluster.allIdle()).isTrue();
    }

    /** SEC-33: the master may exclude itself from the group; it still masters the request. */
    @Test
    void theMasterItselfCanBeExcludedFromTheGroup_SEC33() {
        DecryptionFixture f = new DecryptionFixture(4, 1);
        DecryptionSession s = f.startShadowsWithout(0, Set.of(f.node(0).id));
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        assertThat(shadows(s).checks()).extracting(KeyServer.ShadowCheck::node).containsExactly(f.node(1).id, f.node(2).id);
    }

    /** SEC-33: with fewer than t+1 members left after the exclusions the answer is the usual 403, with no culprit. */
    @Test
    void excludingAllButTMembersIsConsensusUnreachable_SEC33() {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        DecryptionSession s = f.startShadowsWithout(2, Set.of(f.node(0).id, f.node(1).id));
        f.cluster.deliverAll();
        assertThat(DecryptionFixture.failureKind(s)).isEqualTo(Kind.CONSENSUS_UNREACHABLE);
        assertThat(s.failure().orElseThrow().culprits()).isEmpty();
        assertThat(f.cluster.allIdle()).isTrue();
    }

    // ------------------------------------------------------------------ SEC-18: participants, duplicates, forged requests

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void duplicatedMessagesAreHarmless_SEC18(boolean shadow) {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        f.cluster.intercept(d -> List.of(d, d));
        DecryptionSession s = f.start(2, shadow);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        assertThat(s.attemptCount()).isEqualTo(1);
        assertThat(f.cluster.allIdle()).isTrue();
    }

    /** SEC-18: a yes from a node that was not asked (not a holder) is dropped; it cannot make up the t+1. */
    @Test
    void nonParticipantVoteIsDropped_SEC18() {
        DecryptionFixture f = new DecryptionFixture(4, 3, 1, true); // node 3 holds nothing
        f.acl(0).mode = TestAcl.Mode.DENY;
        f.acl(1).mode = TestAcl.Mode.DENY;
        DecryptionSession s = f.start(2, false);
        InMemoryCluster.Node outsider = f.node(3);
        f.cluster.inject(new Delivery(outsider.id, f.node(2).id, new Envelope(SessionType.DECRYPTION, s.key().sessionId(),
                s.key().master(), outsider.id, new ConsensusMessage.Response(true, List.of(f.node(2).storage.get(f.keyId).orElseThrow().latestVersion().hash())))));
        f.cluster.deliverAll();
        assertThat(DecryptionFixture.failureKind(s)).isEqualTo(Kind.CONSENSUS_UNREACHABLE);
        assertThat(s.participants()).doesNotContain(outsider.id);
    }

    /** A decryption request naming a node outside the consensus is refused by the member; the master replaces it. */
    @Test
    void requestNamingNodeOutsideConsensusIsRefused() {
        DecryptionFixture f = new DecryptionFixture(5, 4, 1, true); // node 4 is not a holder
        NodeId outsider = f.node(4).id;
        NodeId n0 = f.node(0).id;
        List<NodeId> refusals = new ArrayList<>();
        f.cluster.intercept(d -> {
            SessionMessage b = d.envelope().body();
            if (b instanceof ConsensusMessage.Refused) refusals.add(d.from());
            if (b instanceof DecryptionMessage.PartialRequest r && d.to().equals(n0)) {
                List<NodeId> g = new ArrayList<>(r.group());
                g.replaceAll(x -> x.equals(n0) ? x : outsider);
                return List.of(with(d, new DecryptionMessage.PartialRequest(r.attemptId(), g, r.version(), r.accessKey(), r.shadow(), r.requesterPublic())));
            }
            return List.of(d);
        });
        DecryptionSession s = f.start(3, true);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        assertThat(refusals).containsExactly(n0);
        assertThat(s.excludedNodes()).containsExactly(n0);
    }

    /**
     * A partial request for another requester key than the one each member derived from the credential is refused,
     * and the members blame the master (SEC-31).
     */
    @Test
    void requestForAnotherRequesterIsRefused_SEC31() {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        dev.secretstore.protocol.session.MemberOutcomes outcomes = dev.secretstore.protocol.session.MemberOutcomes.watch(f.cluster);
        PublicPoint mallory = KeyPair.random().publicKey();
        List<NodeId> refusals = new ArrayList<>();
        f.cluster.intercept(d -> {
            SessionMessage b = d.envelope().body();
            if (b instanceof ConsensusMessage.Refused) refusals.add(d.from());
            if (b instanceof DecryptionMessage.PartialRequest r && !d.to().equals(f.node(2).id)) {
                return List.of(with(d, new DecryptionMessage.PartialRequest(r.attemptId(), r.group(), r.version(), r.accessKey(), r.shadow(), mallory)));
            }
            return List.of(d);
        });
        DecryptionSession s = f.start(2, true);
        f.cluster.deliverAll();
        assertThat(Set.copyOf(refusals)).containsExactlyInAnyOrder(f.node(0).id, f.node(1).id);
        assertThat(DecryptionFixture.failureKind(s)).isEqualTo(Kind.CONSENSUS_UNREACHABLE);
        for (int i = 0; i < 2; i++) {
            assertThat(outcomes.blamed(f.node(i).id, SessionType.DECRYPTION)).as("member %d", i).containsExactly(f.node(2).id);
        }
    }

    /** SEC-18: a holder answers each attempt id once, even if the master (or a replay) asks again. */
    @Test
    void replayedPartialRequestIsAnsweredOnce_SEC18() {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        List<NodeId> responders = new ArrayList<>();
        f.cluster.intercept(d -> {
            SessionMessage b = d.envelope().body();
            if (b instanceof DecryptionMessage.PartialResponse) responders.add(d.from());
            return b instanceof DecryptionMessage.PartialRequest ? List.of(d, d, d) : List.of(d);
        });
        DecryptionSession s = f.start(2, false);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        // Every member of the t+1 group, the master's own answer through the queue included, answers once.
        assertThat(responders).hasSize(2).doesNotHaveDuplicates();
    }
}
