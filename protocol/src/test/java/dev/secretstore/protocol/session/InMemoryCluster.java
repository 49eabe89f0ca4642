package dev.secretstore.protocol.session;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.auth.ClusterId;
import dev.secretstore.protocol.auth.LegacyPolicy;
import dev.secretstore.protocol.auth.ReplayGuard;
import dev.secretstore.protocol.auth.RequesterCheck;
import dev.secretstore.protocol.auth.WallClock;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.codec.ClusterMessages;
import dev.secretstore.protocol.codec.MessageCodec;
import dev.secretstore.protocol.key.InMemoryKeyStorage;
import dev.secretstore.protocol.key.KeyStorage;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Test fixture: N nodes with their own session managers and storages, joined by an in-memory network
 * with a deterministic FIFO queue, a shared fake clock, controllable connectivity, and an interceptor
 * that can drop, duplicate, reorder or rewrite any message.
 */
public final class InMemoryCluster {
    public static final Duration STALL = Duration.ofSeconds(60);
    /** Each node's session limit (SEC-28). */
    public static final int MAX_SESSIONS = 1000;

    /** One message in flight. */
    public record Delivery(NodeId from, NodeId to, Envelope envelope) {}

    /** One node of the cluster. */
    public final class Node implements ClusterView {
        public final KeyPair keyPair;
        public final NodeId id;
        public final KeyStorage storage;
        /** Replaced by {@link InMemoryCluster#crash} (a restarted process has a new session manager). */
        public ClusterSessions sessions;
        private RequesterCheck requesters;

        Node(KeyPair keyPair, KeyStorage storage) {
            this.keyPair = keyPair;
            this.id = new NodeId(keyPair.publicKey());
            this.storage = storage;
            // Every message goes through the real wire encoding, so session tests also test the codec.
            this.sessions = newSessions();
        }

        private ClusterSessions newSessions() {
            ClusterSessions s = new ClusterSessions(id, (to, env) -> send(this, to, env), tasks::add, clock, STALL, MAX_SESSIONS);
            if (deferComputations) s.workers(InMemoryCluster.this::offloaded);
            return s;
        }

        @Override
        public NodeId self() {
            return id;
        }

        /**
         * How this node derives requesters (SEC-31): Parity's legacy policy unless {@link #useLegacyPolicy} chose
         * another, the cluster's identity of its members, the cluster's wall clock, and its own nonce memory. Sessions
         * take it when their factory is registered.
         */
        public RequesterCheck requesters() {
            if (requesters == null) useLegacyPolicy(LegacyPolicy.ALL);
            return requesters;
        }

        /** A fresh check (and nonce memory) with {@code policy}; register factories afterwards. */
        public RequesterCheck useLegacyPolicy(LegacyPolicy policy) {
            requesters = new RequesterCheck(new RequesterCheck.Settings(clusterId(), policy, RequesterCheck.Settings.DEFAULT_CLOCK_SKEW,
                    RequesterCheck.Settings.DEFAULT_MAX_LIFETIME), wallClock, new ReplayGuard());
            return requesters;
        }

        @Override
        public SortedSet<NodeId> members() {
            return memberIds();
        }

        @Override
        public Set<NodeId> connected() {
            Set<NodeId> out = new HashSet<>();
            if (down.contains(id)) return out;
            for (NodeId n : nodes.keySet()) {
                if (!n.equals(id) && !down.contains(n)) out.add(n);
            }
            return out;
        }
    }

    public final FakeClock clock = new FakeClock();

    /** The wall clock every node reads fresh authorizations' expiry with (unix seconds; tests move it). */
    public static final class TestWallClock implements WallClock {
        public long now = 1_800_000_000L;

        @Override
        public long epochSecond() {
            return now;
        }
    }

    public final TestWallClock wallClock = new TestWallClock();
    /** The nodes' cluster loop: work posted here runs in order during {@link #deliverAll}. */
    public final java.util.concurrent.Executor loop = task -> this.tasks.add(task);
    private final MessageCodec codec = ClusterMessages.codec();
    private final Map<NodeId, Node> nodes = new LinkedHashMap<>();
    private final Deque<Delivery> queue = new ArrayDeque<>();
    /** Work posted to the nodes' cluster loops (completions of asynchronous calls), run in order by deliverAll. */
    private final Deque<Runnable> tasks = new ArrayDeque<>();
    private final Set<NodeId> down = new HashSet<>();
    private Function<Delivery, List<Delivery>> interceptor = List::of;
    private Predicate<Delivery> refused = d -> false;
    private int delivered;
    /** Sessions' offloaded computations ({@link #deferComputations}), waiting for their turn. */
    private final Deque<Runnable> computations = new ArrayDeque<>();
    /** Computations taken out of the queue ({@link #holdNewestComputation}) until {@link #runHeld}. */
    private final Deque<Runnable> held = new ArrayDeque<>();
    private boolean deferComputations;
    private int computed;

    /**
     * {@code size} nodes, each with a storage opened for its node: it checks every prepared share and hands
     * out checked shares (SEC-11), as the node's own backend does, so fixtures store consistent sharings.
     */
    public InMemoryCluster(int size) {
        this(size, UnaryOperator.identity());
    }

    /** As {@link #InMemoryCluster(int)}, each node's storage seen through {@code wrap} (e.g. one that counts reads). */
    public InMemoryCluster(int size, UnaryOperator<KeyStorage> wrap) {
        for (int i = 0; i < size; i++) {
            KeyPair keys = KeyPair.random();
            Node node = new Node(keys, wrap.apply(new InMemoryKeyStorage(new NodeId(keys.publicKey()))));
            nodes.put(node.id, node);
        }
    }

    public List<Node> nodes() {
        List<Node> sorted = new ArrayList<>(nodes.values());
        sorted.sort((a, b) -> a.id.compareTo(b.id));
        return sorted;
    }

    public Node node(int index) {
        return nodes().get(index);
    }

    public Node node(NodeId id) {
        return nodes.get(id);
    }

    /** The cluster's identity of its member list (docs/auth.md §3), as every node's default check uses it. */
    public H256 clusterId() {
        return ClusterId.ofMembers(memberIds().stream().map(NodeId::publicKey).toList());
    }

    public SortedSet<NodeId> memberIds() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(nodes.keySet()));
    }

    /** Replaces the interceptor: it maps each delivery to what is actually delivered (none, one, several, altered). */
    public void intercept(Function<Delivery, List<Delivery>> interceptor) {
        this.interceptor = interceptor;
    }

    /**
     * Makes the network refuse every send {@code refuse} matches, as a transport does when the peer is not
     * connected or its queue is full: the message is not queued, and the sender's manager is told through
     * {@link ClusterSessions#onSendFailed}, from inside {@link ClusterSessions.Network#send}.
     */
    public void refuseSends(Predicate<Delivery> refuse) {
        this.refused = refuse;
    }

    private void send(Node from, NodeId to, Envelope envelope) {
        Delivery d = new Delivery(from.id, to, codec.decode(codec.encode(envelope)));
        if (refused.test(d)) {
            from.sessions.onSendFailed(to, envelope.key(), SendFailure.QUEUE_FULL);
            return;
        }
        queue.add(d);
    }

    /**
     * From now on the sessions' offloaded computations ({@code ClusterSessions.offload}) do not run inline but wait on
     * a queue of their own, as on a node's busy worker pool: {@link #deliverAll} runs the oldest one only when no task
     * and no message is left, so every message that can overtake a computation does, deterministically. Also for the
     * session managers of nodes restarted later ({@link #crash}).
     */
    public void deferComputations() {
        deferComputations = true;
        for (Node n : nodes.values()) n.sessions.workers(this::offloaded);
    }

    private void offloaded(Runnable computation) {
        computations.add(computation);
    }

    /** Runs the computations waiting now (not what their continuations post to the loops); returns how many ran. */
    public int runComputations() {
        int n = 0;
        for (int waiting = computations.size(); waiting > 0; waiting--) {
            computations.poll().run();
            computed++;
            n++;
        }
        return n;
    }

    /** Offloaded computations waiting to run ({@link #deferComputations}). */
    public int waitingComputations() {
        return computations.size();
    }

    /**
     * Takes the newest waiting computation out of the queue ({@link #deferComputations}): it runs only at
     * {@link #runHeld}, after everything {@link #deliverAll} runs meanwhile, as on a pool that is slow on one computation.
     */
    public void holdNewestComputation() {
        Runnable newest = computations.pollLast();
        if (newest == null) throw new IllegalStateException("no computation waiting");
        held.add(newest);
    }

    /** Runs the computations {@link #holdNewestComputation} held (not what their continuations post); returns how many ran. */
    public int runHeld() {
        int n = 0;
        while (!held.isEmpty()) {
            held.poll().run();
            computed++;
            n++;
        }
        return n;
    }

    /** Offloaded computations run so far ({@link #deferComputations}). */
    public int computedCount() {
        return computed;
    }

    /** Delivers queued messages (and the messages they cause) until the queue is empty. Returns how many were delivered. */
    public int deliverAll() {
        int count = 0;
        while (!queue.isEmpty() || !tasks.isEmpty() || !computations.isEmpty()) {
            if (++count > 100_000) throw new IllegalStateException("message storm");
            if (!tasks.isEmpty()) {
                tasks.poll().run();
                continue;
            }
            Delivery d = queue.poll();
            if (d == null) {
                computations.poll().run();
                computed++;
                continue;
            }
            for (Delivery actual : interceptor.apply(d)) {
                deliver(actual);
            }
        }
        return count;
    }

    /** Delivers exactly one queued message (for step-by-step tests); posted tasks run first. */
    public boolean deliverOne() {
        while (!tasks.isEmpty()) tasks.poll().run();
        Delivery d = queue.poll();
        if (d == null) return false;
        for (Delivery actual : interceptor.apply(d)) deliver(actual);
        return true;
    }

    public List<Delivery> pending() {
        return List.copyOf(queue);
    }

    /** Puts a delivery on the queue as if a node had sent it (for replay and forgery tests). */
    public void inject(Delivery d) {
        queue.add(d);
    }

    public int deliveredCount() {
        return delivered;
    }

    private void deliver(Delivery d) {
        if (down.contains(d.from()) || down.contains(d.to())) return;
        Node target = nodes.get(d.to());
        if (target == null) return;
        delivered++;
        target.sessions.onEnvelope(d.from(), d.envelope());
    }

    /** Cuts a node off: queued and future messages to and from it are lost; every other node is told. */
    public void disconnect(NodeId node) {
        down.add(node);
        for (Node other : nodes.values()) {
            if (!other.id.equals(node)) other.sessions.onNodeDisconnected(node);
        }
        for (NodeId other : nodes.keySet()) {
            if (!other.equals(node)) nodes.get(node).sessions.onNodeDisconnected(other);
        }
    }

    /**
     * Kills a node as {@code kill -9} would: its sessions vanish without running any handler, its storage
     * stays, the others see it disconnect. It restarts with a fresh session manager (returned; the caller
     * registers its factories) and stays cut off until {@link #reconnect}.
     */
    public ClusterSessions crash(NodeId node) {
        down.add(node);
        Node crashed = nodes.get(node);
        crashed.sessions = crashed.newSessions();
        for (Node other : nodes.values()) {
            if (!other.id.equals(node)) other.sessions.onNodeDisconnected(node);
        }
        return crashed.sessions;
    }

    public void reconnect(NodeId node) {
        down.remove(node);
    }

    /** Advances the shared clock and runs every node's maintenance. */
    public void advance(Duration d) {
        clock.advance(d);
        for (Node n : nodes.values()) n.sessions.tick();
    }

    public boolean allIdle() {
        return nodes.values().stream().allMatch(n -> n.sessions.activeSessions().isEmpty());
    }
}
