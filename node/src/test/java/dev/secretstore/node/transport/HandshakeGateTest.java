package dev.secretstore.node.transport;

import dev.secretstore.http.SourceKey;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** SEC-36: the per-source accounting of the cluster port, on a fake clock. */
class HandshakeGateTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(123 * SECOND);
    private static final TransportConfig.Admission DEFAULTS = TransportConfig.Admission.defaults();

    private static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private HandshakeGate gate(TransportConfig.Admission a, int global) {
        return new HandshakeGate(a, global, now::get);
    }

    private static List<HandshakeGate.Ticket> admitted(HandshakeGate g, String address, int n) {
        List<HandshakeGate.Ticket> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            HandshakeGate.Ticket t = g.admit(ip(address));
            assertThat(t.refusal()).as("connection %d from %s", i, address).isNull();
            out.add(t);
        }
        return out;
    }

    @Test
    void oneSourceGetsAtMostItsSlots_SEC36() {
        HandshakeGate g = gate(DEFAULTS, 64);
        List<HandshakeGate.Ticket> held = admitted(g, "10.0.0.9", 4);
        assertThat(g.admit(ip("10.0.0.9")).refusal()).isEqualTo(Refusal.SOURCE_PENDING);
        assertThat(g.pending(ip("10.0.0.9"))).isEqualTo(4);
        // another address is unaffected
        assertThat(g.admit(ip("10.0.0.10")).refusal()).isNull();
        held.get(0).release();
        held.get(0).release(); // idempotent
        assertThat(g.pending(ip("10.0.0.9"))).isEqualTo(3);
        assertThat(g.admit(ip("10.0.0.9")).refusal()).isNull();
    }

    @Test
    void ipv6CountsPerSlash64Prefix_SEC36() {
        HandshakeGate g = gate(DEFAULTS, 64);
        for (int i = 1; i <= 4; i++) {
            assertThat(g.admit(ip("2001:db8:1:2::" + Integer.toHexString(i * 0x1111))).refusal()).isNull();
        }
        assertThat(g.admit(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")).refusal()).isEqualTo(Refusal.SOURCE_PENDING);
        assertThat(g.admit(ip("2001:db8:1:3::1")).refusal()).isNull();
        assertThat(SourceKey.of(ip("2001:db8:1:2:abcd::1")).text()).isEqualTo("2001:db8:1:2:0:0:0:0/64");
        assertThat(SourceKey.of(ip("::ffff:192.0.2.7"))).isEqualTo(SourceKey.of(ip("192.0.2.7")));
    }

    @Test
    void tokenBucketBoundsHandshakesPerSourceAndRefills_SEC36() {
        HandshakeGate g = gate(DEFAULTS, 64); // burst 8, 2 per second
        for (int i = 0; i < 8; i++) {
            admitted(g, "10.0.0.9", 1).get(0).release(); // connect, fail the handshake, reconnect
        }
        assertThat(g.admit(ip("10.0.0.9")).refusal()).isEqualTo(Refusal.SOURCE_RATE);
        now.addAndGet(SECOND / 4);
        assertThat(g.admit(ip("10.0.0.9")).refusal()).as("half a token").isEqualTo(Refusal.SOURCE_RATE);
        now.addAndGet(SECOND / 4);
        admitted(g, "10.0.0.9", 1).get(0).release();
        assertThat(g.admit(ip("10.0.0.9")).refusal()).isEqualTo(Refusal.SOURCE_RATE);
        // over a long run the source gets its rate, nothing more
        int got = 0;
        for (int tick = 0; tick < 1000; tick++) {
            now.addAndGet(SECOND / 100);
            HandshakeGate.Ticket t = g.admit(ip("10.0.0.9"));
            if (t.refusal() == null) {
                got++;
                t.release();
            }
        }
        assertThat(got).isBetween(19, 21); // 10 s at 2 per second
    }

    @Test
    void nonMemberSourcesShareTheGlobalCapMembersDoNot_SEC36() {
        HandshakeGate g = gate(DEFAULTS, 8);
        g.setMembers(List.of(List.of(ip("10.1.0.1")), List.of(ip("10.1.0.2"))));
        for (int i = 0; i < 8; i++) {
            admitted(g, "10.0.0." + (i / 4 + 1), 1); // hold the 8 global slots from two addresses
            admitted(g, "10.0.0." + (i / 4 + 1), 0);
        }
        assertThat(g.nonMemberPending()).isEqualTo(8);
        assertThat(g.admit(ip("10.0.0.77")).refusal()).isEqualTo(Refusal.PENDING);
        // a member's address still gets its own slots: the configured ones plus one per member there
        admitted(g, "10.1.0.1", 5);
        assertThat(g.admit(ip("10.1.0.1")).refusal()).isEqualTo(Refusal.SOURCE_PENDING);
        admitted(g, "10.1.0.2", 1);
        assertThat(g.nonMemberPending()).isEqualTo(8);
    }

    @Test
    void membersSharingAnAddressGetSlotsAndTokensForEach_SEC36() {
        // a dev cluster: six members on one address, all dialing one node at start
        HandshakeGate g = gate(DEFAULTS, 64);
        List<List<InetAddress>> six = new ArrayList<>();
        for (int i = 0; i < 6; i++) six.add(List.of(ip("127.0.0.1")));
        g.setMembers(six);
        admitted(g, "127.0.0.1", 10); // 4 + 6
        assertThat(g.admit(ip("127.0.0.1")).refusal()).isEqualTo(Refusal.SOURCE_PENDING);
        assertThat(g.isMemberSource(ip("127.0.0.1"))).isTrue();
        assertThat(g.isMemberSource(ip("127.0.0.2"))).isFalse();
    }

    @Test
    void globalRateBoundsManySourcesButNotMembers_SEC36() {
        TransportConfig.Admission a = new TransportConfig.Admission(4, 2, 8, 10, 10, false,
                DEFAULTS.resolveInterval(), DEFAULTS.resolveMinSpacing(), DEFAULTS.refusalLogInterval());
        HandshakeGate g = gate(a, 64);
        g.setMembers(List.of(List.of(ip("10.1.0.1"))));
        for (int i = 0; i < 10; i++) admitted(g, "10.2.0." + i, 1).get(0).release();
        assertThat(g.admit(ip("10.2.1.1")).refusal()).isEqualTo(Refusal.RATE);
        admitted(g, "10.1.0.1", 1);
    }

    @Test
    void membersOnlyRefusesOtherSourcesBeforeAnything_SEC36() {
        HandshakeGate g = gate(DEFAULTS.withMembersOnly(true), 64);
        g.setMembers(List.of(List.of(ip("10.1.0.1"), ip("2001:db8::1"))));
        assertThat(g.admit(ip("10.0.0.9")).refusal()).isEqualTo(Refusal.NOT_MEMBER_ADDRESS);
        assertThat(g.trackedSources()).isZero();
        admitted(g, "10.1.0.1", 1);
        admitted(g, "2001:db8::77", 1); // same /64
        g.setMembers(List.of(List.of(ip("10.1.0.3")))); // re-resolved: the member moved
        assertThat(g.admit(ip("10.1.0.1")).refusal()).isEqualTo(Refusal.NOT_MEMBER_ADDRESS);
        admitted(g, "10.1.0.3", 1);
    }

    @Test
    void idleSourcesAreForgottenSoMemoryStaysBounded_SEC36() {
        HandshakeGate g = gate(new TransportConfig.Admission(4, 2, 8, 1000, 1000, false,
                DEFAULTS.resolveInterval(), DEFAULTS.resolveMinSpacing(), DEFAULTS.refusalLogInterval()), 64);
        for (int i = 0; i < 50; i++) {
            for (int k = 0; k < 4; k++) admitted(g, "10.3.0." + i, 1).get(0).release(); // 4 tokens: 2 s to refill
        }
        now.addAndGet(SECOND); // the sweep runs, but every bucket is still refilling
        assertThat(g.trackedSources()).isEqualTo(50);
        HandshakeGate.Ticket held = admitted(g, "10.4.0.1", 1).get(0);
        now.addAndGet(SECOND + SECOND / 10);
        assertThat(g.trackedSources()).isEqualTo(1); // only the one holding a slot
        now.addAndGet(10 * SECOND);
        assertThat(g.trackedSources()).isEqualTo(1);
        held.release();
        now.addAndGet(10 * SECOND);
        assertThat(g.trackedSources()).isZero();
    }
}
