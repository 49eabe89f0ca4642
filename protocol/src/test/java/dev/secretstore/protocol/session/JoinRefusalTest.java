package dev.secretstore.protocol.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.NodeSetHash;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.codec.ClusterMessages;
import dev.secretstore.protocol.codec.MessageCodec;
import dev.secretstore.protocol.session.admin.AdminPolicy;
import dev.secretstore.protocol.session.admin.ServersSetChangeSession;
import dev.secretstore.protocol.session.repair.InventoryPageSession;
import dev.secretstore.protocol.session.repair.ShareRepairSession;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue #17, defect 3 of the fault harness (docs/testing.md): a node that will not join a session says so to the
 * master at once ({@link SessionRefusal}), for every reason and every session type, so that no master waits for its
 * stall timeout (SEC-19) on a member that was never going to answer. Such a waiting session counts as active on its
 * master, which then refuses every servers set change ({@code HasActiveSessions}, "Unable to start exclusive
 * session") until the stall ends it, and a set change that meets the repair sweeps' inventory reads was enough
 * to cause it: the set change's own exclusive session, while it ran, made its members drop the sweeps' requests.
 */
class JoinRefusalTest {
    private static final SecureRandom RNG = new SecureRandom();
    private static final Address AUTHOR = Address.fromBytes(new byte[20]);

    private final KeyPair admin = KeyPair.random();
    private final AdminPolicy policy = new AdminPolicy(Optional.of(admin.publicKey()), false);

    private static H256 randomId() {
        byte[] b = new byte[32];
        RNG.nextBytes(b);
        return H256.fromBytes(b);
    }

    /** Three members with a 1-of-3 key, each running the servers set change and the repair sessions as a node does. */
    private InMemoryCluster cluster() {
        InMemoryCluster c = new InMemoryCluster(3);
        for (InMemoryCluster.Node node : c.nodes()) {
            node.sessions.registerFactory(SessionType.SERVERS_SET_CHANGE,
                    ServersSetChangeSession.factory(node, node.storage, policy, RNG, node.sessions::hasActiveSessions));
            node.sessions.registerFactory(SessionType.SHARE_REPAIR, ShareRepairSession.factory(node, node.storage, RNG));
        }
        TestKeys.seed(c, randomId(), AUTHOR, 1, TestKeys.randomIds(c.nodes().stream().map(n -> n.id).toList(), RNG), Optional.empty(), RNG);
        return c;
    }

    private byte[] sign(Collection<NodeId> set) {
        return Ecdsa.sign(admin.secret(), NodeSetHash.of(set.stream().map(NodeId::publicKey).toList())).toBytes();
    }

    /** Endpoint 9 through {@code master}: from every member to {@code newSet}. */
    private CompletableFuture<Void> setChange(InMemoryCluster c, int master, List<Integer> newSet) {
        InMemoryCluster.Node m = c.node(master);
        Set<NodeId> oldSet = new TreeSet<>(c.memberIds());
        Set<NodeId> next = new TreeSet<>();
        newSet.forEach(i -> next.add(c.node(i).id));
        SessionKey key = new SessionKey(SessionType.SERVERS_SET_CHANGE, randomId(), m.id);
        return m.sessions.startMaster(key, outbox -> ServersSetChangeSession.startMaster(key, m, outbox, m.storage, policy,
                sign(oldSet), sign(next), next, RNG)).result();
    }

    /** A repair sweep's read of one page of {@code peer}'s inventory, mastered by {@code reader}. */
    private static CompletableFuture<?> inventoryRead(InMemoryCluster c, int reader, int peer) {
        InMemoryCluster.Node r = c.node(reader);
        SessionKey key = new SessionKey(SessionType.SHARE_REPAIR, randomId(), r.id);
        return r.sessions.startMaster(key, outbox -> InventoryPageSession.startMaster(key, r.id, c.node(peer).id, outbox, Optional.empty(),
                64)).result();
    }

    private static Kind failureKind(CompletableFuture<?> f) {
        assertThat(f).as("ended without any clock advance").isDone();
        try {
            f.join();
        } catch (CompletionException e) {
            return ((SecretStoreException) e.getCause()).kind();
        }
        throw new AssertionError("succeeded");
    }

    /**
     * The harness's sequence, deterministically: a set change through member 0 is refused because member 1's repair
     * sweep is reading inventories (a legitimate, retryable refusal), and those reads reach members 0 and 2 while
     * the set change's exclusive sessions run there. The reads end at once, refused, so the change asked again a moment
     * later succeeds; before, member 0 and 2 dropped them silently and member 1 refused every set change for the
     * 60 s of its reads' stall timeout.
     */
    @Test
    void aSetChangeThatMeetsARepairSweepDoesNotBlockTheNextOne_SEC19() {
        InMemoryCluster c = cluster();
        CompletableFuture<Void> first = setChange(c, 0, List.of(0, 2)); // its Init is queued first
        CompletableFuture<?> readOf0 = inventoryRead(c, 1, 0);
        CompletableFuture<?> readOf2 = inventoryRead(c, 1, 2);
        c.deliverAll();

        assertThat(failureKind(first)).as("member 1 was reading inventories when the Init came").isEqualTo(Kind.HAS_ACTIVE_SESSIONS);
        assertThat(failureKind(readOf0)).as("member 0 ran the exclusive session when the read came").isEqualTo(Kind.NODE_DISCONNECTED);
        assertThat(failureKind(readOf2)).as("member 2 ran the exclusive session when the read came").isEqualTo(Kind.NODE_DISCONNECTED);
        assertThat(c.allIdle()).as("no session waits for a stall timeout").isTrue();

        CompletableFuture<Void> again = setChange(c, 0, List.of(0, 2));
        c.deliverAll();
        assertThat(again).as("the change asked again without any clock advance").isCompletedWithValue(null);
        assertThat(c.allIdle()).isTrue();
    }

    /** A session the node refuses because it is at its session limit (SEC-28) is refused at once too. */
    @Test
    void aNodeAtItsSessionLimitSaysSo_SEC28() {
        InMemoryCluster c = cluster();
        List<Envelope> sent = new ArrayList<>();
        InMemoryCluster.Node full = c.node(0);
        full.sessions = new ClusterSessions(full.id, (to, e) -> sent.add(e), c.loop, c.clock, InMemoryCluster.STALL, 0);
        full.sessions.registerFactory(SessionType.SHARE_REPAIR, ShareRepairSession.factory(full, full.storage, RNG));
        NodeId asker = c.node(1).id;

        full.sessions.onEnvelope(asker, new Envelope(SessionType.SHARE_REPAIR, randomId(), asker, asker, new Init()));

        assertThat(sent).singleElement().satisfies(e -> {
            assertThat(e.master()).isEqualTo(asker);
            assertThat(e.body()).isEqualTo(new SessionRefusal(Kind.TOO_EARLY_FOR_REQUEST));
        });
        assertThat(full.sessions.activeSessions()).isEmpty();
    }

    /**
     * Every session type but the pending-write resolution (which runs beside a set change) is refused while an exclusive
     * session runs, and the refusal goes back to its master at once and through the real codec, so a master of any type
     * learns it.
     */
    @ParameterizedTest
    @EnumSource(value = SessionType.class, names = {"KEY_VERSION_NEGOTIATION", "PENDING_RESOLUTION", "SERVERS_SET_CHANGE"},
            mode = EnumSource.Mode.EXCLUDE)
    void everySessionTypeRefusedBesideAnExclusiveSessionIsToldAtOnce_SEC19(SessionType type) {
        InMemoryCluster c = new InMemoryCluster(2);
        List<Envelope> sent = new ArrayList<>();
        InMemoryCluster.Node busy = c.node(0);
        busy.sessions = new ClusterSessions(busy.id, (to, e) -> sent.add(e), c.loop, c.clock, InMemoryCluster.STALL, 10);
        SessionKey exclusive = new SessionKey(SessionType.SERVERS_SET_CHANGE, randomId(), busy.id);
        busy.sessions.startMaster(exclusive, outbox -> new Pending(exclusive, busy.id, outbox));
        NodeId master = c.node(1).id;
        H256 sessionId = randomId();

        busy.sessions.onEnvelope(master, new Envelope(type, sessionId, master, master, new Init()));

        assertThat(sent).singleElement().satisfies(e -> {
            assertThat(e.key()).isEqualTo(new SessionKey(type, sessionId, master));
            assertThat(e.body()).isEqualTo(new SessionRefusal(Kind.EXCLUSIVE_SESSION_ACTIVE));
            MessageCodec codec = ClusterMessages.codec();
            assertThat(codec.decode(codec.encode(e))).isEqualTo(e);
        });
        assertThat(busy.sessions.activeSessions()).hasSize(1); // only the exclusive one
    }

    /** An initialization message of any session type (what it initializes does not matter before the manager admits it). */
    private record Init() implements SessionMessage {
        @Override
        public SessionType sessionType() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean belongsTo(SessionType type) {
            return true;
        }

        @Override
        public boolean isInitialization() {
            return true;
        }
    }

    /** A session that runs until told otherwise (the exclusive one above). */
    private static final class Pending extends AbstractSession<Void> {
        Pending(SessionKey key, NodeId self, Outbox outbox) {
            super(key, self, Set.of(self), outbox);
        }

        @Override
        public void onMessage(NodeId from, SessionMessage message) {}

        @Override
        public void onNodeDisconnected(NodeId node) {}
    }
}
