package dev.secretstore.protocol.session.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.NodeSetHash;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.Polynomial;
import dev.secretstore.protocol.Availability;
import dev.secretstore.protocol.Culprit;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.key.KeyVersion;
import dev.secretstore.protocol.session.Envelope;
import dev.secretstore.protocol.session.InMemoryCluster;
import dev.secretstore.protocol.session.InMemoryCluster.Delivery;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.dealing.DealingMessage;
import dev.secretstore.protocol.session.repair.RepairMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Proactive share refresh (SEC-40; SEC-08, SEC-11, SEC-24, SEC-25, SEC-26), on the in-memory cluster through the real codec. */
class KeyRefreshSessionTest {

    private static Delivery with(Delivery d, SessionMessage body) {
        Envelope e = d.envelope();
        return new Delivery(d.from(), d.to(), new Envelope(e.type(), e.sessionId(), e.master(), e.sender(), body));
    }

    private static Map<NodeId, Scalar> shares(RefreshFixture f) {
        Map<NodeId, Scalar> out = new TreeMap<>();
        for (InMemoryCluster.Node n : f.cluster.nodes()) {
            if (f.stored(n.id).isPresent()) out.put(n.id, f.latest(n.id).share().reveal());
        }
        return out;
    }

    private static Map<NodeId, Scalar> pick(Map<NodeId, Scalar> from, List<NodeId> nodes) {
        Map<NodeId, Scalar> out = new TreeMap<>();
        nodes.forEach(n -> out.put(n, from.get(n)));
        return out;
    }

    // ------------------------------------------------------------------ the refresh itself

    @ParameterizedTest(name = "N={0} t={1} master={2}")
    @CsvSource({"3,1,0", "3,1,2", "5,2,3", "4,1,1"})
    void sameKeyEveryShareAndCommitmentChanged_SEC40(int n, int t, int master) {
        RefreshFixture f = new RefreshFixture(n, t);
        NodeId any = f.node(0).id;
        KeyVersion before = f.latest(any);
        Map<NodeId, Scalar> oldShares = shares(f);

        KeyRefreshSession s = f.refresh(master);
        f.cluster.deliverAll();

        KeyRefreshSession.Refreshed r = s.result().join();
        assertThat(r.oldRemoved()).isTrue();
        assertThat(r.excluded()).isEmpty();
        assertThat(f.cluster.allIdle()).isTrue();
        Map<NodeId, Scalar> newShares = shares(f);
        for (InMemoryCluster.Node node : f.cluster.nodes()) {
            KeyVersion v = f.latest(node.id);
            assertThat(f.versions(node.id)).as("old version removed, one new version").containsExactly(r.newVersion());
            assertThat(v.id()).isNotEqualTo(before.id());
            assertThat(v.idNumbers()).as("same holders and id numbers").isEqualTo(before.idNumbers());
            assertThat(f.stored(node.id).orElseThrow().publicKey()).isEqualTo(f.serverKey);
            assertThat(v.commitments().get(0)).as("A'_0 = Y").isEqualTo(f.serverKey);
            for (int k = 1; k <= t; k++) assertThat(v.commitments().get(k)).as("A'_" + k).isNotEqualTo(before.commitments().get(k));
            assertThat(newShares.get(node.id)).as("share of " + node.id.shortId()).isNotEqualTo(oldShares.get(node.id));
            assertThat(v.publicShare(node.id)).as("s'·G = Y'_i (SEC-11)").isEqualTo(v.share().mulG());
        }
        // t+1 new shares reconstruct the secret; an old share with t new ones reconstructs nothing (SEC-40)
        List<NodeId> ids = List.copyOf(newShares.keySet());
        Scalar secret = RefreshFixture.interpolate(before.idNumbers(), pick(oldShares, ids.subList(0, t + 1)));
        assertThat(SecretScalar.of(secret).mulG()).isEqualTo(f.serverKey);
        for (int start = 0; start + t + 1 <= ids.size(); start++) {
            List<NodeId> group = ids.subList(start, start + t + 1);
            assertThat(RefreshFixture.interpolate(before.idNumbers(), pick(newShares, group))).isEqualTo(secret);
            for (NodeId stale : group) {
                Map<NodeId, Scalar> mixed = pick(newShares, group);
                mixed.put(stale, oldShares.get(stale));
                assertThat(RefreshFixture.interpolate(before.idNumbers(), mixed)).as("old share of " + stale.shortId() + " + t new")
                        .isNotEqualTo(secret);
            }
        }
        // the key still serves
        assertThat(f.retrieveDocumentKey(n - 1)).isEqualTo(f.documentKey);
        assertThat(f.schnorrVerifies(0)).isTrue();
    }

    @Test
    void twoRefreshesInARowGiveTwoNewVersions() {
        RefreshFixture f = new RefreshFixture(3, 1);
        KeyRefreshSession a = f.refresh(0);
        f.cluster.deliverAll();
        KeyRefreshSession b = f.refresh(1);
        f.cluster.deliverAll();
        assertThat(b.result().join().oldVersion()).isEqualTo(a.result().join().newVersion());
        for (InMemoryCluster.Node n : f.cluster.nodes()) assertThat(f.versions(n.id)).containsExactly(b.result().join().newVersion());
        assertThat(f.retrieveDocumentKey(2)).isEqualTo(f.documentKey);
    }

    @Test
    void refreshedVersionMatchesTheSumOfTheZeroSharings() {
        RefreshFixture f = new RefreshFixture(3, 1);
        KeyVersion old = f.latest(f.node(0).id);
        Polynomial z = Polynomial.randomZeroConstant(1, RefreshFixture.RNG);
        H256 nonce = RefreshFixture.randomId();
        var v = KeyRefreshSession.refreshed(old.metadata(), Map.of(f.node(0).id.publicKey(), z.feldman()), nonce);
        Scalar x = old.idNumbers().get(f.node(1).id);
        KeyVersion own = f.latest(f.node(1).id);
        assertThat(v.publicShare(f.node(1).id)).isEqualTo(own.share().add(z.evaluate(x)).mulG());
        assertThat(v.id()).isNotEqualTo(old.id());
        assertThat(v.commitments().get(0)).isEqualTo(old.commitments().get(0));
    }

    /** Two masters refresh one key at once: a member in one refresh refuses the other, so the holders never split between two new versions. */
    @Test
    void concurrentRefreshesOfOneKeyNeverSplitTheHolders_SEC26() {
        RefreshFixture f = new RefreshFixture(5, 1);
        KeyRefreshSession a = f.refresh(0);
        KeyRefreshSession b = f.refresh(4);
        f.cluster.deliverAll();
        assertThat(a.isFinished() && b.isFinished()).isTrue();
        Set<H256> latest = new java.util.HashSet<>();
        for (InMemoryCluster.Node n : f.cluster.nodes()) {
            if (!a.result().isCompletedExceptionally() && a.result().join().excluded().stream().anyMatch(c -> c.node().equals(n.id))) continue;
            if (!b.result().isCompletedExceptionally() && b.result().join().excluded().stream().anyMatch(c -> c.node().equals(n.id))) continue;
            latest.add(f.latest(n.id).id());
        }
        assertThat(latest).as("every member of a refresh holds one same newest version").hasSize(1);
        for (InMemoryCluster.Node n : f.cluster.nodes()) assertThat(n.storage.pendingKeyIds()).isEmpty();
        assertThat(f.retrieveDocumentKey(2)).isEqualTo(f.documentKey);
    }

    /**
     * Two halves that cannot see each other (N = 4, t = 1) each have t+1 holders: without a majority each would commit
     * a new version of its own and drop the old one, splitting the holders. Neither may refresh.
     */
    @Test
    void aMinorityNeverRefreshesSoHoldersNeverSplit_SEC26() {
        RefreshFixture f = new RefreshFixture(4, 1);
        H256 old = f.latest(f.node(0).id).id();
        KeyRefreshSession left = f.refresh(0, Set.of(f.node(2).id, f.node(3).id));
        f.cluster.deliverAll();
        KeyRefreshSession right = f.refresh(3, Set.of(f.node(0).id, f.node(1).id));
        f.cluster.deliverAll();
        assertThat(left.failure().orElseThrow().kind()).isEqualTo(Kind.CONSENSUS_TEMPORARY_UNREACHABLE);
        assertThat(right.failure().orElseThrow().kind()).isEqualTo(Kind.CONSENSUS_TEMPORARY_UNREACHABLE);
        for (InMemoryCluster.Node n : f.cluster.nodes()) assertThat(f.versions(n.id)).containsExactly(old);
        assertThat(KeyRefreshSession.quorum(f.latest(f.node(0).id).metadata())).isEqualTo(3);
    }

    // ------------------------------------------------------------------ culprits

    /** A dealer sends one member a share that fails its Feldman check: both are named, the refresh completes with the rest. */
    @Test
    void corruptDealExcludedAndNamed_SEC40() {
        RefreshFixture f = new RefreshFixture(5, 1);
        NodeId cheat = f.node(2).id;
        NodeId victim = f.node(3).id;
        H256 oldVersion = f.latest(cheat).id();
        f.cluster.intercept(d -> {
            if (d.from().equals(cheat) && d.to().equals(victim) && d.envelope().body() instanceof DealingMessage.Deal deal) {
                return List.of(with(d, new DealingMessage.Deal(deal.attemptId(), deal.vectors(), List.of(SecretScalar.random()))));
            }
            return List.of(d);
        });
        KeyRefreshSession s = f.refresh(0);
        f.cluster.deliverAll();
        KeyRefreshSession.Refreshed r = s.result().join();
        assertThat(r.excluded()).extracting(Culprit::node).contains(cheat);
        assertThat(r.excluded()).filteredOn(c -> c.node().equals(cheat)).extracting(Culprit::reason).containsExactly(Culprit.Reason.COMPLAINT);
        assertThat(s.attemptCount()).isEqualTo(2);
        assertThat(f.versions(f.node(0).id)).containsExactly(r.newVersion());
        assertThat(f.versions(f.node(1).id)).containsExactly(r.newVersion());
        assertThat(f.versions(cheat)).as("excluded members keep the old version until repaired").containsExactly(oldVersion);
        assertThat(f.versions(victim)).containsExactly(oldVersion);
        f.cluster.intercept(List::of);
        assertThat(f.retrieveDocumentKey(0)).isEqualTo(f.documentKey);
        assertThat(f.schnorrVerifies(1)).isTrue();
    }

    /** The master checks deals itself: its own complaint names only the dealer, and the refresh goes on with the others. */
    @Test
    void mastersOwnComplaintNamesOnlyTheDealer() {
        RefreshFixture f = new RefreshFixture(3, 1);
        NodeId master = f.node(0).id;
        NodeId cheat = f.node(1).id;
        H256 old = f.latest(cheat).id();
        f.cluster.intercept(d -> {
            if (d.from().equals(cheat) && d.to().equals(master) && d.envelope().body() instanceof DealingMessage.Deal deal) {
                return List.of(with(d, new DealingMessage.Deal(deal.attemptId(), deal.vectors(), List.of(SecretScalar.random()))));
            }
            return List.of(d);
        });
        KeyRefreshSession s = f.refresh(0);
        f.cluster.deliverAll();
        KeyRefreshSession.Refreshed r = s.result().join();
        assertThat(r.excluded()).extracting(Culprit::node).containsExactly(cheat);
        assertThat(f.versions(cheat)).containsExactly(old);
        assertThat(f.versions(f.node(2).id)).containsExactly(r.newVersion());
    }

    /**
     * A dealer shows one member other (self-consistent) commitments than the rest: equivocation. At most t members
     * contradict it and a report is only their word, so the dealer and the contradicting member are both named and
     * excluded (a lying member could otherwise have an honest dealer excluded on its own); the rest refresh.
     */
    @Test
    void equivocatingDealerExcludedAndNamed_SEC40() {
        RefreshFixture f = new RefreshFixture(5, 1);
        NodeId cheat = f.node(1).id;
        NodeId fooled = f.node(2).id;
        Scalar x = f.latest(fooled).idNumbers().get(fooled);
        f.cluster.intercept(d -> {
            if (d.from().equals(cheat) && d.to().equals(fooled) && d.envelope().body() instanceof DealingMessage.Deal deal) {
                Polynomial other = Polynomial.randomZeroConstant(1, RefreshFixture.RNG);
                return List.of(with(d, new DealingMessage.Deal(deal.attemptId(), List.of(other.feldman().points()),
                        List.of(other.evaluate(x)))));
            }
            return List.of(d);
        });
        KeyRefreshSession s = f.refresh(0);
        f.cluster.deliverAll();
        KeyRefreshSession.Refreshed r = s.result().join();
        assertThat(r.excluded()).extracting(Culprit::node).containsExactly(cheat, fooled);
        assertThat(r.excluded()).extracting(Culprit::reason).containsOnly(Culprit.Reason.EQUIVOCATION);
        assertThat(s.blamed()).containsExactlyInAnyOrder(cheat, fooled);
        assertThat(f.versions(f.node(3).id)).containsExactly(r.newVersion());
        f.cluster.intercept(List::of);
        assertThat(f.retrieveDocumentKey(3)).isEqualTo(f.documentKey);
    }

    /** A member that lies about an honest dealer's commitments in its report is excluded with it, never the dealer alone. */
    @Test
    void aMemberFramingAnHonestDealerIsExcludedWithIt_SEC40() {
        RefreshFixture f = new RefreshFixture(5, 1);
        NodeId liar = f.node(2).id;
        NodeId honest = f.node(1).id;
        f.cluster.intercept(d -> {
            if (d.from().equals(liar) && d.envelope().body() instanceof DealingMessage.Ready ready) {
                List<DealingMessage.VectorHash> lied = new java.util.ArrayList<>();
                for (DealingMessage.VectorHash h : ready.received()) {
                    lied.add(h.dealer().equals(honest) ? new DealingMessage.VectorHash(honest, H256.keccak(new byte[] {7})) : h);
                }
                return List.of(with(d, new DealingMessage.Ready(ready.attemptId(), lied)));
            }
            return List.of(d);
        });
        KeyRefreshSession s = f.refresh(0);
        f.cluster.deliverAll();
        KeyRefreshSession.Refreshed r = s.result().join();
        assertThat(r.excluded()).extracting(Culprit::node).containsExactlyInAnyOrder(honest, liar);
        f.cluster.intercept(List::of);
        assertThat(f.retrieveDocumentKey(3)).isEqualTo(f.documentKey);
    }

    /** A member reveals commitments that do not match its hash (commit-then-reveal): named, excluded. */
    @Test
    void revealNotMatchingItsHashExcluded() {
        RefreshFixture f = new RefreshFixture(3, 1);
        NodeId cheat = f.node(2).id;
        f.cluster.intercept(d -> {
            if (d.from().equals(cheat) && d.envelope().body() instanceof DealingMessage.Commitment c) {
                return List.of(with(d, new DealingMessage.Commitment(c.attemptId(),
                        List.of(Polynomial.randomZeroConstant(1, RefreshFixture.RNG).feldman().points()))));
            }
            return List.of(d);
        });
        KeyRefreshSession s = f.refresh(0);
        f.cluster.deliverAll();
        KeyRefreshSession.Refreshed r = s.result().join();
        assertThat(r.excluded()).extracting(Culprit::node).containsExactly(cheat);
        assertThat(f.versions(f.node(1).id)).containsExactly(r.newVersion());
    }

    /** With N = 3, t = 1 a member's complaint excludes it and the accused: fewer than t+1 remain, nothing changes anywhere. */
    @Test
    void tooFewLeftAfterExclusionChangesNothing() {
        RefreshFixture f = new RefreshFixture(3, 1);
        NodeId cheat = f.node(1).id;
        NodeId complainer = f.node(2).id;
        H256 old = f.latest(cheat).id();
        f.cluster.intercept(d -> {
            if (d.from().equals(cheat) && d.to().equals(complainer) && d.envelope().body() instanceof DealingMessage.Deal deal) {
                return List.of(with(d, new DealingMessage.Deal(deal.attemptId(), deal.vectors(), List.of(SecretScalar.random()))));
            }
            return List.of(d);
        });
        KeyRefreshSession s = f.refresh(0);
        f.cluster.deliverAll();
        assertThat(s.failure().orElseThrow().kind()).isEqualTo(Kind.CONSENSUS_UNREACHABLE);
        assertThat(s.failure().orElseThrow().culprits()).extracting(Culprit::node).containsExactlyInAnyOrder(cheat, complainer);
        assertThat(f.cluster.allIdle()).isTrue();
        for (InMemoryCluster.Node n : f.cluster.nodes()) {
            assertThat(f.versions(n.id)).containsExactly(old);
            assertThat(n.storage.pendingKeyIds()).isEmpty();
        }
    }

    /** A member drops its dealing messages: the stall names it, the refresher repeats without it and completes. */
    @Test
    void silentMemberNamedAndRefreshCompletesWithoutIt_SEC19() {
        RefreshFixture f = new RefreshFixture(3, 1);
        NodeId silent = f.node(1).id;
        H256 old = f.latest(silent).id();
        f.cluster.intercept(d -> d.from().equals(silent) && d.envelope().body() instanceof DealingMessage ? List.of() : List.of(d));
        CompletionStage<Void> done = f.server(0).refreshShares(sign(f.admin, List.of(f.keyId)), List.of(f.keyId));
        f.cluster.deliverAll();
        assertThat(done.toCompletableFuture()).isNotDone();
        f.maintain(1, InMemoryCluster.STALL.plusSeconds(1));
        f.cluster.deliverAll();
        assertThat(done.toCompletableFuture()).isCompletedWithValue(null);
        assertThat(f.versions(silent)).containsExactly(old);
        H256 now = f.latest(f.node(0).id).id();
        assertThat(now).isNotEqualTo(old);
        assertThat(f.versions(f.node(2).id)).containsExactly(now);
        assertThat(f.server(0).availabilityStatus().refreshedKeys()).isEqualTo(1);
        f.cluster.intercept(List::of);
        assertThat(f.retrieveDocumentKey(2)).isEqualTo(f.documentKey);
    }

    /** A corrupted copy of {@code body} (a different hash, vector, share or version id), as a faulty member would send it. */
    private static SessionMessage corrupt(SessionMessage body) {
        if (body instanceof DealingMessage.Hash h) return new DealingMessage.Hash(h.attemptId(), RefreshFixture.randomId());
        if (body instanceof DealingMessage.Commitment c) {
            return new DealingMessage.Commitment(c.attemptId(), List.of(Polynomial.randomZeroConstant(1, RefreshFixture.RNG).feldman().points()));
        }
        if (body instanceof DealingMessage.Deal d) return new DealingMessage.Deal(d.attemptId(), d.vectors(), List.of(SecretScalar.random()));
        if (body instanceof RefreshMessage.Prepared p) return new RefreshMessage.Prepared(p.attemptId(), RefreshFixture.randomId());
        throw new IllegalArgumentException(body.getClass().getSimpleName());
    }

    /**
     * The fault matrix (Keep-style) for a member's messages of each round: one member (node 2 of N = 5, t = 1) drops or
     * corrupts every message of one kind it sends; the on-demand refresh completes with the others, the faulty member
     * keeps the old version, and the key serves throughout (SEC-40).
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"drop,Hash", "drop,Commitment", "drop,Deal", "drop,Ready", "drop,Prepared",
        "corrupt,Hash", "corrupt,Commitment", "corrupt,Deal", "corrupt,Prepared"})
    void faultyMemberMatrix_SEC40(String fault, String kind) {
        RefreshFixture f = new RefreshFixture(5, 1);
        NodeId faulty = f.node(2).id;
        H256 old = f.latest(faulty).id();
        f.cluster.intercept(d -> {
            if (!d.from().equals(faulty) || !d.envelope().body().getClass().getSimpleName().equals(kind)) return List.of(d);
            return fault.equals("drop") ? List.of() : List.of(with(d, corrupt(d.envelope().body())));
        });
        CompletionStage<Void> done = f.server(0).refreshShares(sign(f.admin, List.of(f.keyId)), List.of(f.keyId));
        f.cluster.deliverAll();
        if (fault.equals("drop")) {
            assertThat(done.toCompletableFuture()).isNotDone();
            f.maintain(1, InMemoryCluster.STALL.plusSeconds(1));
        }
        assertThat(done.toCompletableFuture()).isCompletedWithValue(null);
        assertThat(f.versions(faulty)).as("the faulty member keeps the old version").containsExactly(old);
        H256 fresh = f.latest(f.node(0).id).id();
        assertThat(fresh).isNotEqualTo(old);
        assertThat(f.versions(f.node(0).id)).containsExactly(fresh);
        long holders = f.cluster.nodes().stream().filter(n -> f.versions(n.id).equals(List.of(fresh))).count();
        assertThat(holders).as("a quorum of holders has only the new version").isGreaterThanOrEqualTo(3);
        assertThat(f.server(0).availabilityStatus().refreshedKeys()).isEqualTo(1);
        assertThat(f.server(0).availabilityStatus().refreshesFailed()).isZero();
        f.cluster.intercept(List::of);
        assertThat(f.retrieveDocumentKey(0)).isEqualTo(f.documentKey);
    }

    /**
     * A member's messages of one kind (to or from it) arrive late, after everything else settled: the refresh completes
     * with everyone. (The initialization message is left out: the transport keeps one link's messages in order, so
     * nothing of a session can overtake its {@code Init}.)
     */
    @ParameterizedTest(name = "delay {0}")
    @CsvSource({"Request", "Hash", "Hashes", "Commitment", "Deal", "Ready", "Prepare", "Prepared", "Commit", "Committed", "Cleanup",
        "CleanedUp"})
    void delayedMessagesOfOneKind(String kind) {
        RefreshFixture f = new RefreshFixture(5, 2);
        NodeId slow = f.node(2).id;
        List<Delivery> held = new ArrayList<>();
        f.cluster.intercept(d -> {
            boolean involves = d.from().equals(slow) || d.to().equals(slow);
            if (involves && d.envelope().body().getClass().getSimpleName().equals(kind)) {
                held.add(d);
                return List.of();
            }
            return List.of(d);
        });
        KeyRefreshSession s = f.refresh(0);
        f.cluster.deliverAll();
        assertThat(held).as("something was held").isNotEmpty();
        f.cluster.intercept(List::of);
        held.forEach(f.cluster::inject);
        f.cluster.deliverAll();
        assertThat(s.result()).as("finished").isDone();
        KeyRefreshSession.Refreshed r = s.result().join();
        assertThat(r.excluded()).isEmpty();
        for (InMemoryCluster.Node n : f.cluster.nodes()) assertThat(f.versions(n.id)).containsExactly(r.newVersion());
        assertThat(f.cluster.allIdle()).isTrue();
    }

    /** A silent member costs one stall per request, not one per key: the request's later keys leave it out at once. */
    @Test
    void silentMemberCostsOneStallPerRequest() {
        RefreshFixture f = new RefreshFixture(3, 1);
        H256 second = RefreshFixture.randomId();
        dev.secretstore.protocol.session.TestKeys.seed(f.cluster, second, f.requester.address(), 1,
                dev.secretstore.protocol.session.TestKeys.randomIds(List.copyOf(f.cluster.memberIds()), RefreshFixture.RNG),
                java.util.Optional.empty(), RefreshFixture.RNG);
        NodeId silent = f.node(1).id;
        f.cluster.intercept(d -> d.from().equals(silent) && d.envelope().body() instanceof DealingMessage ? List.of() : List.of(d));
        CompletionStage<Void> done = f.server(0).refreshShares(sign(f.admin, List.of()), List.of());
        f.cluster.deliverAll();
        f.maintain(1, InMemoryCluster.STALL.plusSeconds(1));
        f.maintain(2, Duration.ofSeconds(1));
        assertThat(done.toCompletableFuture()).as("one stall for both keys").isCompletedWithValue(null);
        assertThat(f.server(0).availabilityStatus().refreshedKeys()).isEqualTo(2);
    }

    // ------------------------------------------------------------------ members down, crashes

    @Test
    void memberDownKeepsOldVersionOthersServe_SEC40() {
        RefreshFixture f = new RefreshFixture(3, 1);
        NodeId down = f.node(2).id;
        H256 old = f.latest(down).id();
        f.cluster.disconnect(down);
        KeyRefreshSession s = f.refresh(0);
        f.cluster.deliverAll();
        KeyRefreshSession.Refreshed r = s.result().join();
        assertThat(f.versions(down)).containsExactly(old);
        assertThat(f.versions(f.node(0).id)).containsExactly(r.newVersion());
        assertThat(f.versions(f.node(1).id)).containsExactly(r.newVersion());
        assertThat(f.retrieveDocumentKey(1)).isEqualTo(f.documentKey);
        assertThat(f.schnorrVerifies(0)).isTrue();
    }

    /** The member that was down gets the new version from the repair component when it is back, and serves the key again. */
    @Test
    void memberDownDuringRefreshIsRepairedWhenBack_SEC40() {
        RefreshFixture f = new RefreshFixture(3, 1);
        NodeId down = f.node(2).id;
        H256 fresh = f.refreshedWhileAway(down);
        f.maintain(40, Duration.ofSeconds(1));
        assertThat(f.versions(down)).contains(fresh);
        Scalar x = f.latest(down).idNumbers().get(down);
        assertThat(f.latest(down).metadata().publicShare(down)).isEqualTo(f.latest(down).share().mulG());
        assertThat(x).isNotNull();
        // its old share stays until the next refresh it takes part in removes every older version
        KeyRefreshSession again = f.refresh(1);
        f.cluster.deliverAll();
        assertThat(f.versions(down)).containsExactly(again.result().join().newVersion());
        f.cluster.disconnect(f.node(0).id);
        assertThat(f.retrieveDocumentKey(2)).as("served by the repaired member with another one down").isEqualTo(f.documentKey);
    }

    /**
     * Issue #17 defect 2: a member came back without the key's newest version and is repairing it (its repair held
     * mid-recovery) when a refresh of the key arrives. Before, the member did not answer (its session factory dropped
     * the refresh's init) and the master waited its whole stall timeout (60 s). Now it refuses at once as not ready,
     * the refresher puts the key aside, the member's sweeps go on every interval, and once its repair is done the key
     * is refreshed with every holder, seconds later, with no stall (SEC-19, SEC-40).
     */
    @Test
    void issue17_defect2_aRefreshOverlappingAMembersRepairOfTheKeyWaitsForItWithoutAStall_SEC40() {
        RefreshFixture f = new RefreshFixture(3, 1, Availability.DEFAULTS.withRepairInterval(Duration.ofSeconds(2)));
        NodeId back = f.node(2).id;
        H256 missed = f.refreshedWhileAway(back);
        List<Delivery> held = new ArrayList<>();
        f.cluster.intercept(d -> {
            SessionMessage body = d.envelope().body();
            if (d.to().equals(back) && (body instanceof RepairMessage.Points || body instanceof RepairMessage.Sum)) {
                held.add(d);
                return List.of();
            }
            return List.of(d);
        });
        f.maintain(1, Duration.ofSeconds(3));
        assertThat(held).as("the member's repair of the key is under way").isNotEmpty();
        assertThat(f.versions(back)).doesNotContain(missed);
        long sweeps = f.server(2).availabilityStatus().sweepsCompleted();

        CompletionStage<Void> done = f.server(0).refreshShares(sign(f.admin, List.of(f.keyId)), List.of(f.keyId));
        f.cluster.deliverAll();
        f.maintain(4, Duration.ofSeconds(1));
        assertThat(done.toCompletableFuture()).as("waits for the member's repair").isNotDone();
        assertThat(f.server(2).availabilityStatus().sweepsCompleted()).as("the member's sweeps go on").isGreaterThan(sweeps);
        assertThat(f.server(0).availabilityStatus().refreshesFailed()).isZero();

        f.cluster.intercept(List::of);
        held.forEach(f.cluster::inject);
        f.cluster.deliverAll();
        assertThat(f.versions(back)).as("repaired").contains(missed);
        f.maintain(2, Duration.ofSeconds(1));
        assertThat(done.toCompletableFuture()).as("refreshed seconds later, no stall").isCompletedWithValue(null);
        H256 fresh = f.latest(f.node(0).id).id();
        assertThat(fresh).isNotEqualTo(missed);
        for (InMemoryCluster.Node n : f.cluster.nodes()) {
            assertThat(f.versions(n.id)).as("every holder took part, the returning member too").containsExactly(fresh);
        }
        assertThat(f.cluster.allIdle()).isTrue();
        assertThat(f.retrieveDocumentKey(2)).isEqualTo(f.documentKey);
    }

    /**
     * Issue #17 defect 2: a member that stays not ready (its repair never gets through) costs a request at most the
     * refresher's 10 s wait, not a stall: then the key is refreshed without it, and it is named nowhere (SEC-19, SEC-40).
     */
    @Test
    void issue17_defect2_aMemberThatStaysNotReadyIsLeftOutAfterTheWaitNotAStall() {
        RefreshFixture f = new RefreshFixture(3, 1);
        NodeId back = f.node(2).id;
        H256 missed = f.refreshedWhileAway(back);
        f.cluster.intercept(d -> d.to().equals(back) && d.envelope().body() instanceof RepairMessage ? List.of() : List.of(d));
        CompletionStage<Void> done = f.server(0).refreshShares(sign(f.admin, List.of(f.keyId)), List.of(f.keyId));
        f.cluster.deliverAll();
        f.maintain(5, Duration.ofSeconds(1));
        assertThat(done.toCompletableFuture()).as("still waiting for the member").isNotDone();
        f.maintain(7, Duration.ofSeconds(1));
        assertThat(done.toCompletableFuture()).as("12 s, well within one stall timeout").isCompletedWithValue(null);
        H256 fresh = f.latest(f.node(0).id).id();
        assertThat(fresh).isNotEqualTo(missed);
        assertThat(f.versions(f.node(1).id)).containsExactly(fresh);
        assertThat(f.versions(back)).doesNotContain(fresh);
        assertThat(f.server(0).availabilityStatus().refreshesFailed()).isZero();
    }

    @Test
    void fewerThanTPlusOneConnectedHoldersIsTemporary() {
        RefreshFixture f = new RefreshFixture(3, 1);
        f.cluster.disconnect(f.node(1).id);
        f.cluster.disconnect(f.node(2).id);
        KeyRefreshSession s = f.refresh(0);
        assertThat(s.failure().orElseThrow().kind()).isEqualTo(Kind.CONSENSUS_TEMPORARY_UNREACHABLE);
    }

    /** Master lost before deciding: members' prepared rows are discarded by the recovery path; a repeat completes (SEC-25). */
    @Test
    void masterCrashBeforeDecisionLosesNothingAndRepeatCompletes_SEC25() {
        RefreshFixture f = new RefreshFixture(3, 1);
        NodeId master = f.node(0).id;
        H256 old = f.latest(master).id();
        f.cluster.intercept(d -> d.to().equals(master) && d.envelope().body() instanceof RefreshMessage.Prepared ? List.of() : List.of(d));
        f.refresh(0);
        f.cluster.deliverAll();
        assertThat(f.node(1).storage.pendingKeyIds()).as("members prepared").contains(f.keyId);
        f.crash(master);
        f.cluster.deliverAll();
        f.cluster.intercept(List::of);
        f.cluster.reconnect(master);
        f.maintain(3, Duration.ofSeconds(3));
        for (InMemoryCluster.Node n : f.cluster.nodes()) {
            assertThat(n.storage.pendingKeyIds()).isEmpty();
            assertThat(f.versions(n.id)).containsExactly(old);
        }
        assertThat(f.retrieveDocumentKey(2)).isEqualTo(f.documentKey);
        KeyRefreshSession again = f.refresh(0);
        f.cluster.deliverAll();
        H256 fresh = again.result().join().newVersion();
        for (InMemoryCluster.Node n : f.cluster.nodes()) assertThat(f.versions(n.id)).containsExactly(fresh);
        assertThat(f.retrieveDocumentKey(1)).isEqualTo(f.documentKey);
    }

    /** Master lost right after deciding: the members commit through the recovery path; the repeat removes every older version. */
    @Test
    void masterCrashAfterDecisionCommitsEverywhereAndRepeatCleansUp_SEC25_SEC26() {
        RefreshFixture f = new RefreshFixture(3, 1);
        NodeId master = f.node(0).id;
        H256 old = f.latest(master).id();
        f.cluster.intercept(d -> !d.to().equals(master) && d.envelope().body() instanceof RefreshMessage.Commit ? List.of() : List.of(d));
        KeyRefreshSession s = f.refresh(0);
        f.cluster.deliverAll();
        assertThat(f.node(0).storage.pendingKeyIds()).isEmpty();
        H256 decided = f.latest(master).id();
        assertThat(decided).isNotEqualTo(old);
        assertThat(s.isFinished()).isFalse();
        f.crash(master);
        f.cluster.deliverAll();
        f.cluster.intercept(List::of);
        f.cluster.reconnect(master);
        f.maintain(3, Duration.ofSeconds(3));
        for (InMemoryCluster.Node n : f.cluster.nodes()) {
            assertThat(n.storage.pendingKeyIds()).isEmpty();
            assertThat(f.versions(n.id)).as("committed everywhere, old kept until a repeat").containsExactly(old, decided);
        }
        assertThat(f.retrieveDocumentKey(1)).isEqualTo(f.documentKey);
        KeyRefreshSession again = f.refresh(1);
        f.cluster.deliverAll();
        H256 fresh = again.result().join().newVersion();
        for (InMemoryCluster.Node n : f.cluster.nodes()) assertThat(f.versions(n.id)).containsExactly(fresh);
        assertThat(f.schnorrVerifies(2)).isTrue();
    }

    /** A member lost between prepare and commit: the others commit, the old version stays; it commits on return; a repeat completes. */
    @Test
    void memberCrashBetweenPrepareAndCommit_SEC25() {
        RefreshFixture f = new RefreshFixture(3, 1);
        NodeId member = f.node(2).id;
        H256 old = f.latest(member).id();
        f.cluster.intercept(d -> d.to().equals(member) && d.envelope().body() instanceof RefreshMessage.Commit ? List.of() : List.of(d));
        KeyRefreshSession s = f.refresh(0);
        f.cluster.deliverAll();
        assertThat(member).matches(m -> f.cluster.node(m).storage.pendingKeyIds().contains(f.keyId));
        f.crash(member);
        f.cluster.deliverAll();
        KeyRefreshSession.Refreshed r = s.result().join();
        assertThat(r.oldRemoved()).as("SEC-26: not every member committed").isFalse();
        assertThat(f.versions(f.node(0).id)).containsExactly(old, r.newVersion());
        f.cluster.intercept(List::of);
        f.cluster.reconnect(member);
        f.maintain(3, Duration.ofSeconds(3));
        assertThat(f.versions(member)).containsExactly(old, r.newVersion());
        KeyRefreshSession again = f.refresh(0);
        f.cluster.deliverAll();
        H256 fresh = again.result().join().newVersion();
        for (InMemoryCluster.Node n : f.cluster.nodes()) assertThat(f.versions(n.id)).containsExactly(fresh);
        assertThat(f.retrieveDocumentKey(2)).isEqualTo(f.documentKey);
    }

    // ------------------------------------------------------------------ triggers

    static byte[] sign(KeyPair signer, List<H256> keys) {
        return Ecdsa.sign(signer.secret(), RefreshAuthorization.message(keys)).toBytes();
    }

    /** SEC-24: only the administrator's signature over the refresh message; a node key's or a set-change signature is refused. */
    @Test
    void onDemandRefreshNeedsTheAdministratorsRefreshSignature_SEC24() {
        RefreshFixture f = new RefreshFixture(3, 1);
        H256 old = f.latest(f.node(0).id).id();
        List<H256> keys = List.of(f.keyId);
        assertThat(RefreshFixture.failure(f.server(0).refreshShares(sign(f.node(1).keyPair, keys), keys)).kind())
                .isEqualTo(Kind.CONSENSUS_UNREACHABLE);
        byte[] setChange = Ecdsa.sign(f.admin.secret(), NodeSetHash.of(f.cluster.memberIds().stream().map(NodeId::publicKey).toList()))
                .toBytes();
        assertThat(RefreshFixture.failure(f.server(0).refreshShares(setChange, keys)).kind()).isEqualTo(Kind.CONSENSUS_UNREACHABLE);
        assertThat(RefreshFixture.failure(f.server(0).refreshShares(sign(f.admin, List.of()), keys)).kind())
                .as("signed for other keys").isEqualTo(Kind.CONSENSUS_UNREACHABLE);
        assertThat(RefreshFixture.failure(f.server(0).refreshShares(new byte[65], keys)).kind()).isEqualTo(Kind.CONSENSUS_UNREACHABLE);
        f.cluster.deliverAll();
        for (InMemoryCluster.Node n : f.cluster.nodes()) assertThat(f.versions(n.id)).containsExactly(old);

        f.done(f.server(0).refreshShares(sign(f.admin, keys), keys));
        for (InMemoryCluster.Node n : f.cluster.nodes()) assertThat(f.versions(n.id)).doesNotContain(old).hasSize(1);
        assertThat(f.server(0).availabilityStatus().refreshedKeys()).isEqualTo(1);
    }

    @Test
    void withoutAdminPublicAccessDenied() {
        RefreshFixture f = new RefreshFixture(1, 0);
        var n = f.node(0);
        var server = new dev.secretstore.protocol.ClusterKeyServer(n.sessions, n, n.storage, RefreshFixture.ALLOW_ALL, f.cluster.loop,
                RefreshFixture.RNG, f.cluster.clock);
        assertThat(RefreshFixture.failure(server.refreshShares(sign(f.admin, List.of()), List.of())).kind()).isEqualTo(Kind.ACCESS_DENIED);
    }

    /** The set-change hash and the refresh hash of the same bytes never coincide (the domain tag). */
    @Test
    void refreshMessageIsDomainSeparatedFromSetChange_SEC24() {
        RefreshFixture f = new RefreshFixture(3, 1);
        H256 setHash = NodeSetHash.of(f.cluster.memberIds().stream().map(NodeId::publicKey).toList());
        assertThat(RefreshAuthorization.message(List.of())).isNotEqualTo(setHash);
        assertThat(RefreshAuthorization.message(List.of(f.keyId))).isNotEqualTo(RefreshAuthorization.message(List.of()));
        H256 other = RefreshFixture.randomId();
        assertThat(RefreshAuthorization.message(List.of(f.keyId, other))).isEqualTo(RefreshAuthorization.message(List.of(other, f.keyId)));
    }

    /** "Every key" on demand: every key the node holds, several batches. */
    @Test
    void onDemandEveryKeyInBatches() {
        RefreshFixture f = new RefreshFixture(3, 1, dev.secretstore.protocol.Availability.DEFAULTS.withRefreshBatch(2));
        List<H256> more = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            H256 id = RefreshFixture.randomId();
            dev.secretstore.protocol.session.TestKeys.seed(f.cluster, id, f.requester.address(), 1,
                    dev.secretstore.protocol.session.TestKeys.randomIds(List.copyOf(f.cluster.memberIds()), RefreshFixture.RNG),
                    java.util.Optional.empty(), RefreshFixture.RNG);
            more.add(id);
        }
        Map<H256, H256> before = new HashMap<>();
        more.forEach(id -> before.put(id, f.cluster.node(0).storage.get(id).orElseThrow().latestVersion().id()));
        CompletionStage<Void> all = f.server(1).refreshShares(sign(f.admin, List.of()), List.of());
        f.cluster.deliverAll();
        assertThat(all.toCompletableFuture()).as("the batch of 2 waits for the next tick").isNotDone();
        assertThat(f.server(1).availabilityStatus().refreshedKeys()).isEqualTo(2);
        f.maintain(3, Duration.ofSeconds(1));
        assertThat(all.toCompletableFuture()).isCompletedWithValue(null);
        assertThat(f.server(1).availabilityStatus().refreshedKeys()).isEqualTo(5);
        for (H256 id : more) {
            for (InMemoryCluster.Node n : f.cluster.nodes()) {
                assertThat(n.storage.get(id).orElseThrow().versions()).hasSize(1);
                assertThat(n.storage.get(id).orElseThrow().latestVersion().id()).isNotEqualTo(before.get(id));
            }
        }
    }

    /** While a servers set change (exclusive) runs, the refresh waits for the next tick instead of failing its keys. */
    @Test
    void waitsOutAnExclusiveSessionWithoutCountingFailures() {
        RefreshFixture f = new RefreshFixture(3, 1);
        InMemoryCluster.Node n0 = f.node(0);
        var exclusive = new dev.secretstore.protocol.session.SessionKey(dev.secretstore.protocol.session.SessionType.SERVERS_SET_CHANGE,
                RefreshFixture.randomId(), n0.id);
        n0.sessions.startMaster(exclusive, outbox -> new dev.secretstore.protocol.session.AbstractSession<Void>(exclusive, n0.id,
                Set.of(n0.id), outbox) {
            @Override
            public void onMessage(NodeId from, SessionMessage message) {}

            @Override
            public void onNodeDisconnected(NodeId node) {}
        });
        CompletionStage<Void> done = f.server(0).refreshShares(sign(f.admin, List.of(f.keyId)), List.of(f.keyId));
        f.cluster.deliverAll();
        f.maintain(2, Duration.ofSeconds(1));
        assertThat(done.toCompletableFuture()).isNotDone();
        assertThat(f.server(0).availabilityStatus().refreshesFailed()).isZero();
        f.maintain(1, InMemoryCluster.STALL); // the exclusive session times out and ends
        f.maintain(1, Duration.ofSeconds(1));
        assertThat(done.toCompletableFuture()).isCompletedWithValue(null);
        assertThat(f.server(0).availabilityStatus().refreshedKeys()).isEqualTo(1);
    }

    /** share_refresh_interval: off by default; when set, each key is refreshed once per interval, by its lowest-id connected holder. */
    @Test
    void scheduledRefreshByTheLowestConnectedHolder() {
        RefreshFixture off = new RefreshFixture(3, 1);
        H256 unchanged = off.latest(off.node(0).id).id();
        off.maintain(5, Duration.ofDays(1));
        assertThat(off.latest(off.node(0).id).id()).as("ZERO = off").isEqualTo(unchanged);

        RefreshFixture f = new RefreshFixture(3, 1, dev.secretstore.protocol.Availability.DEFAULTS.withRefreshInterval(Duration.ofHours(1)));
        H256 v0 = f.latest(f.node(0).id).id();
        f.maintain(1, Duration.ofMinutes(30));
        assertThat(f.latest(f.node(0).id).id()).as("not due yet").isEqualTo(v0);
        f.maintain(1, Duration.ofMinutes(31));
        H256 v1 = f.latest(f.node(0).id).id();
        assertThat(v1).isNotEqualTo(v0);
        for (InMemoryCluster.Node n : f.cluster.nodes()) assertThat(f.versions(n.id)).containsExactly(v1);
        assertThat(f.server(0).availabilityStatus().refreshedKeys()).as("node 0 is the lowest holder").isEqualTo(1);
        assertThat(f.server(1).availabilityStatus().refreshedKeys() + f.server(2).availabilityStatus().refreshedKeys()).isZero();

        f.cluster.disconnect(f.node(0).id);
        f.maintain(1, Duration.ofMinutes(61));
        assertThat(f.server(1).availabilityStatus().refreshedKeys()).as("node 1 takes over while node 0 is down").isEqualTo(1);
        assertThat(f.latest(f.node(1).id).id()).isNotEqualTo(v1);
        assertThat(f.retrieveDocumentKey(2)).isEqualTo(f.documentKey);
    }

    /** t = 0: every holder's share is the whole secret, so there is nothing to refresh; "every key" skips such keys. */
    @Test
    void thresholdZeroKeysAreNotRefreshed() {
        RefreshFixture f = new RefreshFixture(3, 0);
        H256 old = f.latest(f.node(0).id).id();
        assertThat(f.refresh(0).failure().orElseThrow().kind()).isEqualTo(Kind.INTERNAL);
        f.done(f.server(0).refreshShares(sign(f.admin, List.of()), List.of()));
        assertThat(f.versions(f.node(0).id)).containsExactly(old);
        assertThat(f.server(0).availabilityStatus().refreshesFailed()).isZero();
    }

    @Test
    void unknownKeyIsNotFound() {
        RefreshFixture f = new RefreshFixture(3, 1);
        InMemoryCluster.Node m = f.node(0);
        var key = new dev.secretstore.protocol.session.SessionKey(dev.secretstore.protocol.session.SessionType.KEY_REFRESH,
                RefreshFixture.randomId(), m.id);
        KeyRefreshSession s = m.sessions.startMaster(key, o -> KeyRefreshSession.startMaster(key, m, o, m.storage, RefreshFixture.randomId(),
                Set.of(), k -> false, RefreshFixture.RNG));
        assertThat(s.failure().map(SecretStoreException::kind)).contains(Kind.SERVER_KEY_IS_NOT_FOUND);
    }
}
