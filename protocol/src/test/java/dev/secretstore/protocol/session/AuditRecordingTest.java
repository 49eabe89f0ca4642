package dev.secretstore.protocol.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.protocol.ClusterKeyServer;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.acl.AclChecker;
import dev.secretstore.protocol.auth.ReplayGuard;
import dev.secretstore.protocol.auth.RequesterCheck;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * SEC-29 in the session layer: every member's finished client-request session reaches its recorder once, with the
 * facts it knows itself; the master's answer waits for its own record and is a storage error without it; a member
 * whose recorder is not ready joins no request session.
 */
class AuditRecordingTest {
    private static final SecureRandom RNG = new SecureRandom();
    private static final AclChecker ALLOW_ALL = (requester, keyId) -> CompletableFuture.completedFuture(AclChecker.Decision.allow("test"));

    private final KeyPair requester = KeyPair.random();
    private final H256 keyId = H256.keccak(new byte[] {2, 9});

    record Recorded(NodeId node, SessionKey key, AuditFacts facts, String outcome) {}

    /** A recorder that keeps what it is given, can fail its writes, and can be not ready. */
    static final class Log implements ClusterSessions.Recorder {
        final NodeId node;
        final List<Recorded> lines;
        boolean failing;
        boolean ready = true;

        Log(NodeId node, List<Recorded> lines) {
            this.node = node;
            this.lines = lines;
        }

        @Override
        public void record(Session session, AuditFacts facts) {
            if (failing) throw SecretStoreException.of(Kind.DATABASE, "audit trail cannot be written");
            lines.add(new Recorded(node, session.key(), facts, session.failure().map(e -> e.kind().name()).orElse("ok")));
        }

        @Override
        public boolean ready() {
            return ready;
        }
    }

    private final List<Recorded> lines = new ArrayList<>();
    private final Map<NodeId, Log> logs = new HashMap<>();

    private Map<NodeId, ClusterKeyServer> servers(InMemoryCluster c) {
        Map<NodeId, ClusterKeyServer> out = new HashMap<>();
        for (InMemoryCluster.Node n : c.nodes()) {
            RequesterCheck check = new RequesterCheck(RequesterCheck.Settings.parityCompatible(c.clusterId()), c.wallClock, new ReplayGuard());
            out.put(n.id, new ClusterKeyServer(n.sessions, n, n.storage, ALLOW_ALL, dev.secretstore.protocol.session.admin.AdminPolicy.NONE,
                    dev.secretstore.protocol.Availability.DEFAULTS, check, c.loop, RNG, c.clock));
            Log log = new Log(n.id, lines);
            logs.put(n.id, log);
            n.sessions.record(log);
        }
        return out;
    }

    private static Kind failureKind(CompletionStage<?> stage) {
        try {
            stage.toCompletableFuture().join();
        } catch (CompletionException e) {
            return ((SecretStoreException) e.getCause()).kind();
        }
        throw new AssertionError("request succeeded");
    }

    @Test
    void sec29_everyMemberRecordsOneLinePerRequestWithTheSharedSessionId() {
        InMemoryCluster c = new InMemoryCluster(3);
        ClusterKeyServer master = servers(c).get(c.node(0).id);
        CompletionStage<?> y = master.generateServerKey(keyId, TestRequesters.ofStatic(requester, keyId), 1);
        c.deliverAll();
        y.toCompletableFuture().join();
        H256 message = H256.keccak(new byte[] {7});
        CompletionStage<?> sig = master.signSchnorr(keyId, TestRequesters.ofStatic(requester, keyId), message);
        c.deliverAll();
        sig.toCompletableFuture().join();

        for (SessionType type : List.of(SessionType.KEY_GENERATION, SessionType.SCHNORR_SIGNING)) {
            List<Recorded> of = lines.stream().filter(r -> r.key().type() == type).toList();
            assertThat(of).as(type + ": one line on each of the three members").hasSize(3);
            assertThat(of.stream().map(Recorded::node).distinct()).hasSize(3);
            assertThat(of.stream().map(r -> r.key().sessionId()).distinct()).as("one request id").hasSize(1);
            for (Recorded r : of) {
                assertThat(r.outcome()).isEqualTo("ok");
                assertThat(r.facts().keyId()).isEqualTo(keyId);
                assertThat(r.facts().requester()).contains(requester.address());
                assertThat(r.facts().credential()).contains("static");
                if (type == SessionType.SCHNORR_SIGNING) {
                    assertThat(r.facts().operation()).isEqualTo("sign_schnorr");
                    assertThat(r.facts().aclAllowed()).as("each member's own ACL decision").contains(true);
                } else {
                    assertThat(r.facts().operation()).isEqualTo("generate_server_key");
                }
            }
        }
    }

    @Test
    void sec29_endpoint3IsOneLineOnEveryMember_theStoreThatFollowsItsGeneration_withItsFreshCredentialKind() {
        InMemoryCluster c = new InMemoryCluster(3);
        ClusterKeyServer master = servers(c).get(c.node(1).id);
        CompletionStage<?> generated = master.generateDocumentKey(keyId, TestRequesters.fresh(requester, c,
                dev.secretstore.crypto.auth.Operation.GENERATE_DOCUMENT_KEY, keyId, dev.secretstore.crypto.auth.Operation.thresholdParams(1)), 1);
        c.deliverAll();
        generated.toCompletableFuture().join();
        assertThat(lines.stream().filter(r -> r.key().type() == SessionType.KEY_GENERATION))
                .as("a generation that succeeded is not a line of its own: one line per request per member").isEmpty();
        assertThat(lines).hasSize(3);
        for (SessionType type : List.of(SessionType.DOCUMENT_KEY_STORE)) {
            List<Recorded> of = lines.stream().filter(r -> r.key().type() == type).toList();
            assertThat(of).as(type.name()).hasSize(3);
            assertThat(of.stream().map(r -> r.key().sessionId()).distinct()).hasSize(1);
            assertThat(of).allSatisfy(r -> {
                assertThat(r.facts().operation()).isEqualTo("generate_document_key");
                assertThat(r.facts().credential()).contains("fresh");
                assertThat(r.facts().requester()).contains(requester.address());
                assertThat(r.facts().aclAllowed()).as("the author check, not an ACL").isEmpty();
            });
        }
    }

    private static SecretStoreException failure(CompletionStage<?> stage) {
        try {
            stage.toCompletableFuture().join();
        } catch (CompletionException e) {
            return (SecretStoreException) e.getCause();
        }
        throw new AssertionError("request succeeded");
    }

    /**
     * SEC-29: a failure is marked {@link SecretStoreException#isAudited()} exactly when this node's line of the request
     * was handled by a session (so the HTTP edge writes one line for the others, never a second one).
     */
    @Test
    void sec29_aFailureIsMarkedAuditedExactlyWhenTheMasterRecordedTheRequest() {
        InMemoryCluster c = new InMemoryCluster(3);
        ClusterKeyServer master = servers(c).get(c.node(0).id);
        NodeId self = c.node(0).id;
        CompletionStage<?> y = master.generateServerKey(keyId, TestRequesters.ofStatic(requester, keyId), 1);
        c.deliverAll();
        y.toCompletableFuture().join();

        List<java.util.function.Supplier<CompletionStage<?>>> failing = List.of(
                () -> master.generateServerKey(keyId, TestRequesters.ofStatic(requester, keyId), 1), // already generated
                () -> master.generateServerKey(H256.keccak(new byte[] {3}), TestRequesters.ofStatic(requester, H256.keccak(new byte[] {3})), 7),
                () -> master.retrieveDocumentKey(keyId, TestRequesters.ofStatic(requester, keyId)), // no document key
                () -> master.signSchnorr(H256.keccak(new byte[] {6}), TestRequesters.ofStatic(requester, H256.keccak(new byte[] {6})),
                        H256.keccak(new byte[] {4})), // nobody holds the key
                () -> master.retrieveServerKey(keyId, TestRequesters.ofStatic(KeyPair.random(), keyId))); // endpoint 4: never a session line
        for (java.util.function.Supplier<CompletionStage<?>> request : failing) {
            long before = lines.stream().filter(r -> r.node().equals(self)).count();
            CompletionStage<?> stage = request.get();
            c.deliverAll();
            SecretStoreException e = failure(stage);
            long written = lines.stream().filter(r -> r.node().equals(self)).count() - before;
            assertThat(written).as(e.kind() + ": at most one line").isLessThanOrEqualTo(1);
            assertThat(e.isAudited()).as(e.kind() + " marked audited iff the master wrote its line").isEqualTo(written == 1);
        }
        logs.get(self).failing = true;
        CompletionStage<?> refused = master.signSchnorr(keyId, TestRequesters.ofStatic(requester, keyId), H256.keccak(new byte[] {5}));
        c.deliverAll();
        SecretStoreException unwritten = failure(refused);
        assertThat(unwritten.kind()).isEqualTo(Kind.DATABASE);
        assertThat(unwritten.isAudited()).as("the session layer refused it for its line: no second try at the edge").isTrue();
    }

    @Test
    void sec29_anEndpoint3WhoseGenerationFailsIsOneLineOnEveryMember() {
        InMemoryCluster c = new InMemoryCluster(3);
        ClusterKeyServer master = servers(c).get(c.node(0).id);
        CompletionStage<?> y = master.generateServerKey(keyId, TestRequesters.ofStatic(requester, keyId), 1);
        c.deliverAll();
        y.toCompletableFuture().join();
        lines.clear();
        CompletionStage<?> again = master.generateDocumentKey(keyId, TestRequesters.fresh(requester, c,
                dev.secretstore.crypto.auth.Operation.GENERATE_DOCUMENT_KEY, keyId, dev.secretstore.crypto.auth.Operation.thresholdParams(1)), 1);
        c.deliverAll();
        assertThat(failure(again).isAudited()).isTrue();
        assertThat(lines).extracting(Recorded::node).doesNotHaveDuplicates();
        assertThat(lines).allSatisfy(r -> {
            assertThat(r.key().type()).isEqualTo(SessionType.KEY_GENERATION);
            assertThat(r.facts().operation()).isEqualTo("generate_document_key");
            assertThat(r.outcome()).isNotEqualTo("ok");
        });
        assertThat(lines).extracting(Recorded::node).contains(c.node(0).id);
    }

    @Test
    void sec29_anEntryNodeThatDelegatesRecordsItsPartAndFailsClosedWithoutIt() {
        InMemoryCluster c = new InMemoryCluster(4);
        ClusterKeyServer entry = servers(c).get(c.node(0).id);
        List<NodeId> holders = List.of(c.node(1).id, c.node(2).id, c.node(3).id); // member 0 holds nothing (SEC-40)
        TestKeys.seed(c, keyId, requester.address(), 1, TestKeys.randomIds(holders, RNG), java.util.Optional.empty(), RNG);
        CompletionStage<?> sig = entry.signSchnorr(keyId, TestRequesters.ofStatic(requester, keyId), H256.keccak(new byte[] {9}));
        c.deliverAll();
        sig.toCompletableFuture().join();
        List<Recorded> mine = lines.stream().filter(r -> r.node().equals(c.node(0).id)).toList();
        assertThat(mine).as("one line on the entry node").hasSize(1);
        assertThat(mine.get(0).key().type()).isEqualTo(SessionType.DELEGATION);
        assertThat(mine.get(0).facts().operation()).isEqualTo("sign_schnorr");
        assertThat(mine.get(0).facts().requester()).contains(requester.address());
        assertThat(mine.get(0).facts().outcome()).contains("ok");
        assertThat(lines.stream().filter(r -> r.key().type() == SessionType.SCHNORR_SIGNING)).as("the holders' own lines").hasSize(3);

        logs.get(c.node(0).id).failing = true;
        CompletionStage<?> refused = entry.signSchnorr(keyId, TestRequesters.ofStatic(requester, keyId), H256.keccak(new byte[] {10}));
        c.deliverAll();
        assertThat(failureKind(refused)).isEqualTo(Kind.DATABASE);
    }

    @Test
    void sec29_theMastersAnswerIsAStorageErrorWhenItsOwnRecordFails() {
        InMemoryCluster c = new InMemoryCluster(3);
        ClusterKeyServer master = servers(c).get(c.node(0).id);
        logs.get(c.node(0).id).failing = true;
        CompletionStage<?> y = master.generateServerKey(keyId, TestRequesters.ofStatic(requester, keyId), 1);
        c.deliverAll();
        assertThat(failureKind(y)).isEqualTo(Kind.DATABASE);
        assertThat(lines).as("the members recorded their part").hasSize(2);
    }

    @Test
    void sec29_aMemberThatCannotRecordJoinsNoRequest() {
        InMemoryCluster c = new InMemoryCluster(3);
        Map<NodeId, ClusterKeyServer> servers = servers(c);
        ClusterKeyServer master = servers.get(c.node(0).id);
        CompletionStage<?> y = master.generateServerKey(keyId, TestRequesters.ofStatic(requester, keyId), 1);
        c.deliverAll();
        y.toCompletableFuture().join();
        lines.clear();
        NodeId blind = c.node(2).id;
        logs.get(blind).ready = false;
        CompletionStage<?> sig = master.signSchnorr(keyId, TestRequesters.ofStatic(requester, keyId), H256.keccak(new byte[] {8}));
        c.deliverAll();
        assertThat(c.node(2).sessions.activeSessions()).isEmpty();
        // with t+1 = 2 healthy members the signature is made without it, and without waiting (the clock never moved)
        assertThat(sig.toCompletableFuture()).as("answered without waiting for the stall timeout").isDone();
        sig.toCompletableFuture().join();
        assertThat(lines).extracting(Recorded::node).doesNotContain(blind).hasSize(2);
        assertThat(c.nodes()).allSatisfy(n -> assertThat(n.sessions.activeSessions()).isEmpty());
    }

    @Test
    void sec38_aGenerationAMemberCannotRecordIsAnsweredAtOnce() {
        InMemoryCluster c = new InMemoryCluster(3);
        ClusterKeyServer master = servers(c).get(c.node(0).id);
        logs.get(c.node(1).id).ready = false;
        CompletionStage<?> y = master.generateServerKey(keyId, TestRequesters.ofStatic(requester, keyId), 1);
        c.deliverAll();
        assertThat(y.toCompletableFuture()).as("answered without waiting for the stall timeout").isDone();
        assertThat(lines).extracting(Recorded::node).doesNotContain(c.node(1).id);
        assertThat(c.nodes()).allSatisfy(n -> assertThat(n.sessions.activeSessions()).isEmpty());
    }

    // ---- SEC-29/SEC-38: a member whose audit write fails after ready() said yes (a full disk, an I/O error)

    /** Every delivery of session type {@code type} sent by {@code from}, in order. */
    private static List<SessionMessage> sentBy(List<InMemoryCluster.Delivery> seen, NodeId from, SessionType type) {
        return seen.stream().filter(d -> d.from().equals(from) && d.envelope().key().type() == type).map(d -> d.envelope().body()).toList();
    }

    private List<InMemoryCluster.Delivery> watch(InMemoryCluster c) {
        List<InMemoryCluster.Delivery> seen = new ArrayList<>();
        c.intercept(d -> {
            seen.add(d);
            return List.of(d);
        });
        return seen;
    }

    /** A three-member cluster (t=1) with a server key and a document key stored, and every line of it cleared. */
    private ClusterKeyServer withDocumentKey(InMemoryCluster c, long threshold) {
        ClusterKeyServer master = servers(c).get(c.node(0).id);
        CompletionStage<?> dk = master.generateDocumentKey(keyId, TestRequesters.fresh(requester, c,
                dev.secretstore.crypto.auth.Operation.GENERATE_DOCUMENT_KEY, keyId, dev.secretstore.crypto.auth.Operation.thresholdParams(threshold)),
                threshold);
        c.deliverAll();
        dk.toCompletableFuture().join();
        lines.clear();
        return master;
    }

    @Test
    void sec29_sec38_aMemberWhoseLineCannotBeWrittenSendsNoVoteNorShare_theMasterSignsWithTheOthersAtOnce() {
        InMemoryCluster c = new InMemoryCluster(3);
        ClusterKeyServer master = withDocumentKey(c, 1);
        NodeId full = c.node(2).id;
        logs.get(full).failing = true; // ready() still says yes: the write itself fails
        List<InMemoryCluster.Delivery> seen = watch(c);
        CompletionStage<?> sig = master.signSchnorr(keyId, TestRequesters.ofStatic(requester, keyId), H256.keccak(new byte[] {11}));
        c.deliverAll();
        assertThat(sig.toCompletableFuture()).as("answered without waiting for the stall timeout (the clock never moved)").isDone();
        sig.toCompletableFuture().join();
        assertThat(sentBy(seen, full, SessionType.SCHNORR_SIGNING)).as("its refusal instead of its vote and its share")
                .singleElement().isEqualTo(new SessionRefusal(Kind.DATABASE));
        assertThat(lines).extracting(Recorded::node).doesNotContain(full).hasSize(2);
        assertThat(c.nodes()).allSatisfy(n -> assertThat(n.sessions.activeSessions()).isEmpty());
    }

    @Test
    void sec29_sec38_aShadowRetrievalReplansWithoutAMemberWhoseLineCannotBeWritten() {
        InMemoryCluster c = new InMemoryCluster(3);
        ClusterKeyServer master = withDocumentKey(c, 1);
        NodeId full = c.node(1).id;
        logs.get(full).failing = true;
        List<InMemoryCluster.Delivery> seen = watch(c);
        CompletionStage<dev.secretstore.protocol.KeyServer.ShadowRetrieval> shadows = master.retrieveDocumentKeyShadows(keyId,
                TestRequesters.ofStatic(requester, keyId));
        c.deliverAll();
        assertThat(shadows.toCompletableFuture()).as("answered without waiting for the stall timeout").isDone();
        assertThat(shadows.toCompletableFuture().join().decryptShadows()).as("t+1 shadows, from the master and the other member")
                .hasSize(2);
        assertThat(sentBy(seen, full, SessionType.DECRYPTION)).singleElement().isEqualTo(new SessionRefusal(Kind.DATABASE));
        assertThat(lines).extracting(Recorded::node).doesNotContain(full).hasSize(2);
    }

    @Test
    void sec29_sec38_anEcdsaSignatureThatNeedsTheMemberFailsAtOnceWithoutItsShare() {
        InMemoryCluster c = new InMemoryCluster(3);
        ClusterKeyServer master = withDocumentKey(c, 1); // ECDSA needs 2t+1 = 3: every member
        NodeId full = c.node(1).id;
        logs.get(full).failing = true;
        List<InMemoryCluster.Delivery> seen = watch(c);
        CompletionStage<?> sig = master.signEcdsa(keyId, TestRequesters.ofStatic(requester, keyId), H256.keccak(new byte[] {12}));
        c.deliverAll();
        assertThat(sig.toCompletableFuture()).as("failed at once, not at the stall timeout").isDone();
        SecretStoreException e = failure(sig);
        assertThat(e.kind()).as("the error a lost member gives: retry later").isEqualTo(Kind.CONSENSUS_TEMPORARY_UNREACHABLE);
        assertThat(sentBy(seen, full, SessionType.ECDSA_SIGNING)).singleElement().isEqualTo(new SessionRefusal(Kind.DATABASE));
        assertThat(c.nodes()).allSatisfy(n -> assertThat(n.sessions.activeSessions()).isEmpty());
    }

    @Test
    void sec29_sec38_aGenerationMemberWhoseLineCannotBeWrittenDealsNothingAndHoldsNoShare() {
        InMemoryCluster c = new InMemoryCluster(3);
        ClusterKeyServer master = servers(c).get(c.node(0).id);
        NodeId full = c.node(1).id;
        logs.get(full).failing = true;
        List<InMemoryCluster.Delivery> seen = watch(c);
        CompletionStage<?> y = master.generateServerKey(keyId, TestRequesters.ofStatic(requester, keyId), 1);
        c.deliverAll();
        assertThat(y.toCompletableFuture()).as("answered without waiting for the stall timeout").isDone();
        assertThat(sentBy(seen, full, SessionType.KEY_GENERATION)).as("no acknowledgement, no deal")
                .singleElement().isEqualTo(new SessionRefusal(Kind.DATABASE));
        assertThat(c.node(1).storage.contains(keyId)).isFalse();
        assertThat(c.node(1).storage.pendingKeyIds()).doesNotContain(keyId);
        assertThat(lines).extracting(Recorded::node).doesNotContain(full);
        assertThat(c.nodes()).allSatisfy(n -> assertThat(n.sessions.activeSessions()).isEmpty());
    }

    @Test
    void sec29_sec38_aStoreHolderWhoseLineCannotBeWrittenSendsNoPreparedAndKeepsNoPendingRow() {
        InMemoryCluster c = new InMemoryCluster(3);
        ClusterKeyServer master = servers(c).get(c.node(0).id);
        CompletionStage<?> y = master.generateServerKey(keyId, TestRequesters.ofStatic(requester, keyId), 1);
        c.deliverAll();
        y.toCompletableFuture().join();
        lines.clear();
        NodeId full = c.node(2).id;
        logs.get(full).failing = true;
        List<InMemoryCluster.Delivery> seen = watch(c);
        CompletionStage<?> stored = master.storeDocumentKey(keyId, TestRequesters.ofStatic(requester, keyId),
                dev.secretstore.crypto.SecretScalar.random().mulG(), dev.secretstore.crypto.SecretScalar.random().mulG());
        c.deliverAll();
        assertThat(stored.toCompletableFuture()).as("answered without waiting for the stall timeout").isDone();
        assertThat(sentBy(seen, full, SessionType.DOCUMENT_KEY_STORE)).as("no Prepared")
                .singleElement().isEqualTo(new SessionRefusal(Kind.DATABASE));
        assertThat(c.node(2).storage.pendingKeyIds()).as("its prepared row discarded: the master cannot decide it").doesNotContain(keyId);
        assertThat(c.node(2).storage.metadata(keyId).orElseThrow().documentKey()).isEmpty();
        assertThat(lines).extracting(Recorded::node).doesNotContain(full);
        assertThat(c.nodes()).allSatisfy(n -> assertThat(n.sessions.activeSessions()).isEmpty());
    }

    @Test
    void sec29_aMembersLineIsWrittenBeforeItsFirstContributionLeaves() {
        InMemoryCluster c = new InMemoryCluster(3);
        ClusterKeyServer master = withDocumentKey(c, 1);
        NodeId member = c.node(1).id;
        List<String> order = new ArrayList<>();
        c.intercept(d -> {
            if (d.from().equals(member) && d.envelope().key().type() == SessionType.SCHNORR_SIGNING) {
                order.add(d.envelope().body().getClass().getSimpleName() + (lines.stream().anyMatch(r -> r.node().equals(member)) ? "+line" : ""));
            }
            return List.of(d);
        });
        CompletionStage<?> sig = master.signSchnorr(keyId, TestRequesters.ofStatic(requester, keyId), H256.keccak(new byte[] {13}));
        c.deliverAll();
        sig.toCompletableFuture().join();
        assertThat(order).isNotEmpty().allSatisfy(m -> assertThat(m).as("sent after its line").endsWith("+line"));
        assertThat(lines.stream().filter(r -> r.node().equals(member))).as("still one line").hasSize(1);
    }
}
