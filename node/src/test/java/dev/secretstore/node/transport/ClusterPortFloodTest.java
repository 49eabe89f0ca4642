package dev.secretstore.node.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.KeyPair;
import dev.secretstore.protocol.NodeId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SEC-36 with real sockets: an attacker on 127.0.0.2 (Linux routes all of 127/8 to loopback) holds
 * idle connections to every member's cluster port and replays a captured non-member handshake
 * message in a loop, while a restarted member on 127.0.0.1 reconnects to all its peers.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClusterPortFloodTest {
    private static final InetAddress MEMBERS = InetAddress.getLoopbackAddress();
    private static final InetAddress ATTACKER = address("127.0.0.2");
    private static final TransportConfig.Admission ADMISSION = TransportConfig.Admission.defaults()
            .withRefusalLogInterval(Duration.ofMillis(500));
    /** Production timers: a 5 s handshake timeout (idle slots are held that long), 100 ms..10 s backoff. */
    private static final TransportConfig CONFIG = TransportConfig.defaults().withIoThreads(1).withAdmission(ADMISSION);
    private static final int IDLE_SOCKETS_PER_TARGET = 2000;

    private final List<ClusterTransport> started = new ArrayList<>();
    private final AtomicBoolean attacking = new AtomicBoolean();
    private final AtomicLong attempts = new AtomicLong();
    private final ExecutorService attacker = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "attacker");
        t.setDaemon(true);
        return t;
    });
    private final Logger transportLog = Logger.getLogger("dev.secretstore.node.transport");
    private final List<LogRecord> logged = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.INFO.intValue()) logged.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    private static InetAddress address(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @AfterEach
    void stop() throws Exception {
        attacking.set(false);
        attacker.shutdownNow();
        attacker.awaitTermination(10, TimeUnit.SECONDS);
        transportLog.removeHandler(capture);
        started.forEach(ClusterTransport::close);
    }

    private ClusterTransport start(KeyPair key, InetSocketAddress listen, Map<NodeId, InetSocketAddress> members,
                                   ClusterTransportTest.Recorder r) {
        ClusterTransport t = new ClusterTransport(key, listen, members, r, CONFIG);
        started.add(t);
        t.start();
        return t;
    }

    private static NodeId id(KeyPair k) {
        return new NodeId(k.publicKey());
    }

    /** Three members, low < mid < high: mid dials high, low dials mid. */
    private final class Cluster {
        final List<KeyPair> keys = new ArrayList<>();
        final Map<NodeId, InetSocketAddress> members = new HashMap<>();
        final ClusterTransport[] nodes = new ClusterTransport[3];
        final ClusterTransportTest.Recorder[] recorders = new ClusterTransportTest.Recorder[3];

        Cluster() throws Exception {
            for (int i = 0; i < 3; i++) keys.add(KeyPair.random());
            keys.sort(Comparator.comparing(ClusterPortFloodTest::id));
            for (KeyPair k : keys) members.put(id(k), new InetSocketAddress(MEMBERS, 1));
            for (int i = 2; i >= 0; i--) {
                recorders[i] = new ClusterTransportTest.Recorder();
                nodes[i] = start(keys.get(i), new InetSocketAddress(MEMBERS, 0), Map.copyOf(members), recorders[i]);
                members.put(id(keys.get(i)), nodes[i].localAddress());
            }
            for (int i = 0; i < 3; i++) awaitConnected(nodes[i], others(i), Duration.ofSeconds(10));
        }

        Set<NodeId> others(int i) {
            Set<NodeId> s = new java.util.HashSet<>(members.keySet());
            s.remove(id(keys.get(i)));
            return s;
        }

        /** Closes the middle member and starts it again on the same port; returns how long it took to reconnect. */
        Duration restartMiddle(Duration deadline) throws Exception {
            InetSocketAddress port = nodes[1].localAddress();
            nodes[1].close();
            recorders[1] = new ClusterTransportTest.Recorder();
            long t0 = System.nanoTime();
            nodes[1] = start(keys.get(1), port, Map.copyOf(members), recorders[1]);
            boolean ok = awaitConnected(nodes[1], others(1), deadline);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(ok).as("restarted member reconnected to all peers within %s", deadline).isTrue();
            return took;
        }
    }

    private static boolean awaitConnected(ClusterTransport node, Set<NodeId> peers, Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (!node.connectedPeers().equals(peers)) {
            if (System.nanoTime() > end) return false;
            Thread.sleep(5);
        }
        return true;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already gone
        }
    }

    /**
     * Connects from {@code from}, sends {@code message1} and reports whether the target closed
     * without sending a byte; its reset may come before the write, even during the connect.
     */
    private static boolean closedWithoutAnyByte(InetAddress from, InetSocketAddress target, byte[] message1) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(from, 0));
            s.connect(target, 5000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(new byte[] {(byte) (message1.length >> 8), (byte) message1.length});
            out.write(message1);
            out.flush();
            return s.getInputStream().read() == -1;
        } catch (java.net.ConnectException notListening) {
            throw notListening;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }

    private Socket attackerSocket(InetSocketAddress target) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(ATTACKER, 0));
        s.connect(target, 1000);
        attempts.incrementAndGet();
        return s;
    }

    /**
     * Opens an idle connection every 2 ms and keeps each open for 6 s, past the target's 5 s
     * handshake timeout (at most {@value #IDLE_SOCKETS_PER_TARGET} at a time): every slot the target
     * frees is taken again at once.
     */
    private void holdIdle(InetSocketAddress target) {
        ArrayDeque<Socket> open = new ArrayDeque<>();
        ArrayDeque<Long> openedAt = new ArrayDeque<>();
        try {
            while (attacking.get()) {
                long now = System.nanoTime();
                while (!open.isEmpty() && (now - openedAt.peek() > 6_000_000_000L || open.size() >= IDLE_SOCKETS_PER_TARGET)) {
                    closeQuietly(open.poll());
                    openedAt.poll();
                }
                try {
                    open.add(attackerSocket(target));
                    openedAt.add(now);
                } catch (IOException e) {
                    // refused (the member is down) or reset: try again
                }
                Thread.sleep(2);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.forEach(ClusterPortFloodTest::closeQuietly);
        }
    }

    /** Replays one captured non-member message 1 on fresh connections, as fast as the target answers. */
    private void replay(InetSocketAddress target, byte[] message1) {
        byte[] frame = new byte[2 + message1.length];
        frame[0] = (byte) (message1.length >> 8);
        frame[1] = (byte) message1.length;
        System.arraycopy(message1, 0, frame, 2, message1.length);
        while (attacking.get() && !Thread.currentThread().isInterrupted()) {
            try (Socket s = attackerSocket(target)) {
                s.setSoTimeout(2000);
                OutputStream out = s.getOutputStream();
                out.write(frame);
                out.flush();
                InputStream in = s.getInputStream();
                while (in.read() >= 0) {
                    // the target closes without a reply
                }
            } catch (IOException e) {
                // reset or refused: again
            }
        }
    }

    private void attack(Cluster c, List<InetSocketAddress> ports) {
        attacking.set(true);
        for (int i = 0; i < ports.size(); i++) {
            InetSocketAddress port = ports.get(i);
            byte[] captured = NoiseIkHandshake.initiator(KeyPair.random(), c.keys.get(i).publicKey(),
                    NoiseIkHandshake.defaultPrologue()).writeMessage1();
            attacker.execute(() -> holdIdle(port));
            attacker.execute(() -> replay(port, captured));
        }
    }

    private long logLines() {
        return logged.size();
    }

    /**
     * SEC-36: while an attacker holds idle connections and replays handshakes against every member,
     * a restarted member reconnects to all peers at once (well before the 5 s handshake timeout
     * that frees a held slot), the attacker's source never holds more than its share of slots,
     * its replays cost bounded elliptic-curve work, and the log grows by a bounded number of lines.
     */
    @Test
    void restartedMemberReconnectsWhileAnAttackerFloodsTheClusterPorts_SEC36() throws Exception {
        Cluster c = new Cluster();
        List<InetSocketAddress> ports = List.of(c.nodes[0].localAddress(), c.nodes[1].localAddress(), c.nodes[2].localAddress());
        Duration quiet = c.restartMiddle(Duration.ofSeconds(10));

        transportLog.addHandler(capture);
        long t0 = System.nanoTime();
        attack(c, ports);
        Thread.sleep(1500); // the attacker takes every slot it can
        ClusterTransport high = c.nodes[2];
        assertThat(high.gate().pending(ATTACKER)).as("attacker's slots at the attacked member")
                .isBetween(1, ADMISSION.pendingPerSource());
        Duration attacked = c.restartMiddle(Duration.ofSeconds(30));
        Thread.sleep(1000); // and some more attack on the restarted member
        long attackSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) + 1;
        attacking.set(false);

        System.out.printf("SEC-36 measurement: restarted member reconnected to 2 peers in %d ms without attack, "
                + "%d ms under attack (%d attacker connections in %d s; %d log lines; handshakes done by the attacked "
                + "member: %d)%n", quiet.toMillis(), attacked.toMillis(), attempts.get(), attackSeconds, logLines(),
                high.refusals().total(Refusal.UNKNOWN_KEY));
        assertThat(attacked).as("reconnection under attack, far below the 5 s handshake timeout")
                .isLessThan(Duration.ofSeconds(3));
        for (ClusterTransport n : c.nodes) {
            assertThat(n.gate().pending(ATTACKER)).isLessThanOrEqualTo(ADMISSION.pendingPerSource());
            assertThat(n.gate().pending(MEMBERS)).as("members' slots are not held by anyone").isZero();
        }
        // bounded elliptic-curve work: replays that reached the handshake (unknown_key)
        long maxHandshakes = ADMISSION.burstPerSource() + (long) (ADMISSION.ratePerSource() * attackSeconds);
        assertThat(high.refusals().total(Refusal.UNKNOWN_KEY)).isLessThanOrEqualTo(maxHandshakes);
        assertThat(high.refusals().total(Refusal.SOURCE_RATE) + high.refusals().total(Refusal.SOURCE_PENDING))
                .as("refused at accept").isGreaterThan(100);

        // bounded log: per node one summary line per 0.5 s, plus the restart's own lines
        assertThat(attempts.get()).as("attacker connections").isGreaterThan(500);
        long bound = 3 * (2 * attackSeconds + 2) + 20;
        assertThat(logLines()).as("log lines during the attack").isLessThanOrEqualTo(bound);
        java.util.logging.SimpleFormatter text = new java.util.logging.SimpleFormatter();
        assertThat(logged).anySatisfy(r -> assertThat(text.formatMessage(r))
                .contains("refused or closed before authentication").contains("127.0.0.2="));
    }

    /**
     * SEC-36, {@code cluster_accept_from = "members"}: a connection from an address the member list
     * does not resolve to is closed at accept, before any handshake work, even when it carries a
     * member's valid message 1; the same message from a member's address completes.
     */
    @Test
    void membersOnlyRefusesOtherAddressesAtAccept_SEC36() throws Exception {
        List<KeyPair> keys = new ArrayList<>(List.of(KeyPair.random(), KeyPair.random()));
        keys.sort(Comparator.comparing(ClusterPortFloodTest::id));
        ClusterTransportTest.Recorder rec = new ClusterTransportTest.Recorder();
        ClusterTransport node = new ClusterTransport(keys.get(1), new InetSocketAddress(MEMBERS, 0),
                Map.of(id(keys.get(0)), new InetSocketAddress(MEMBERS, 1)), rec,
                CONFIG.withAdmission(ADMISSION.withMembersOnly(true)));
        started.add(node);
        node.start();
        byte[] message1 = NoiseIkHandshake.initiator(keys.get(0), keys.get(1).publicKey(), NoiseIkHandshake.defaultPrologue()).writeMessage1();
        assertThat(closedWithoutAnyByte(ATTACKER, node.localAddress(), message1)).isTrue();
        assertThat(node.refusals().total(Refusal.NOT_MEMBER_ADDRESS)).isEqualTo(1);
        assertThat(node.gate().trackedSources()).as("no slot, no token taken").isZero();
        try (RawPeer member = new RawPeer(node.localAddress())) {
            member.handshake(keys.get(0), keys.get(1).publicKey());
            assertThat(rec.nextConnected()).isEqualTo(id(keys.get(0)));
        }
        assertThat(node.refusals().total(Refusal.NOT_MEMBER_ADDRESS)).isEqualTo(1);
    }

    /**
     * SEC-36: replays alone (no idle sockets holding the slots) reach the handshake at the source's
     * rate, burst included, and no faster; the rest are refused at accept without a reply.
     */
    @Test
    void replayedHandshakesCostBoundedWorkPerSource_SEC36() throws Exception {
        KeyPair key = KeyPair.random();
        ClusterTransport node = new ClusterTransport(key, new InetSocketAddress(MEMBERS, 0), Map.of(),
                new ClusterTransportTest.Recorder(), CONFIG);
        started.add(node);
        node.start();
        byte[] captured = NoiseIkHandshake.initiator(KeyPair.random(), key.publicKey(), NoiseIkHandshake.defaultPrologue()).writeMessage1();
        long t0 = System.nanoTime();
        attacking.set(true);
        attacker.execute(() -> replay(node.localAddress(), captured));
        Thread.sleep(2000);
        attacking.set(false);
        attacker.shutdown();
        assertThat(attacker.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        double seconds = (System.nanoTime() - t0) / 1e9;
        long handshakes = node.refusals().total(Refusal.UNKNOWN_KEY);
        assertThat(handshakes).as("handshakes done")
                .isBetween((long) ADMISSION.burstPerSource(), ADMISSION.burstPerSource() + (long) Math.ceil(ADMISSION.ratePerSource() * seconds));
        assertThat(node.refusals().total(Refusal.SOURCE_RATE)).as("replays refused at accept").isGreaterThan(10 * handshakes);
    }

    /**
     * SEC-36: with {@code cluster_accept_from = "members"}, a member given by a host name that now
     * resolves to a new address is refused once, which triggers a resolution, and is let in after.
     */
    @Test
    void refusedMemberAddressIsResolvedAgainAndLetIn_SEC36() throws Exception {
        List<KeyPair> keys = new ArrayList<>(List.of(KeyPair.random(), KeyPair.random()));
        keys.sort(Comparator.comparing(ClusterPortFloodTest::id));
        java.util.concurrent.atomic.AtomicReference<InetAddress> dns = new java.util.concurrent.atomic.AtomicReference<>(address("10.9.9.9"));
        java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();
        ClusterTransportTest.Recorder rec = new ClusterTransportTest.Recorder();
        Duration minSpacing = Duration.ofMillis(200);
        TransportConfig.Admission spacing = new TransportConfig.Admission(ADMISSION.pendingPerSource(), ADMISSION.ratePerSource(),
                ADMISSION.burstPerSource(), ADMISSION.nonMemberRate(), ADMISSION.nonMemberBurst(), true,
                ADMISSION.resolveInterval(), minSpacing, ADMISSION.refusalLogInterval());
        ClusterTransport node = new ClusterTransport(keys.get(1), new InetSocketAddress(MEMBERS, 0),
                Map.of(id(keys.get(0)), InetSocketAddress.createUnresolved("member.test", 1)), rec,
                CONFIG.withAdmission(spacing), host -> {
                    lookups.incrementAndGet();
                    return new InetAddress[] {dns.get()};
                });
        started.add(node);
        node.start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!node.gate().isMemberSource(address("10.9.9.9")) && System.nanoTime() < end) Thread.sleep(5);
        assertThat(lookups.get()).as("resolved at start").isEqualTo(1);
        Thread.sleep(minSpacing.toMillis() + 50); // a refusal may trigger a resolution only this long after the last

        dns.set(MEMBERS); // the member moved to 127.0.0.1
        byte[] message1 = NoiseIkHandshake.initiator(keys.get(0), keys.get(1).publicKey(), NoiseIkHandshake.defaultPrologue()).writeMessage1();
        assertThat(closedWithoutAnyByte(MEMBERS, node.localAddress(), message1)).isTrue();
        assertThat(node.refusals().total(Refusal.NOT_MEMBER_ADDRESS)).isEqualTo(1);
        while (!node.gate().isMemberSource(MEMBERS) && System.nanoTime() < end) Thread.sleep(5);
        assertThat(lookups.get()).isEqualTo(2);
        try (RawPeer member = new RawPeer(node.localAddress())) {
            member.handshake(keys.get(0), keys.get(1).publicKey());
            assertThat(rec.nextConnected()).isEqualTo(id(keys.get(0)));
        }
    }
}
