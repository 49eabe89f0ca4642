package dev.secretstore.protocol.session.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.NodeSetHash;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.auth.Authorization;
import dev.secretstore.crypto.auth.ClusterId;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.auth.LegacyPolicy;
import dev.secretstore.protocol.auth.ReplayGuard;
import dev.secretstore.protocol.auth.RequesterCheck;
import dev.secretstore.protocol.session.Envelope;
import dev.secretstore.protocol.session.InMemoryCluster;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionType;
import dev.secretstore.protocol.session.TestKeys;
import dev.secretstore.protocol.session.refresh.RefreshAuthorization;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * SEC-24, SEC-32 (docs/auth.md §7): administrative requests with expiry and nonce. Every member checks the
 * administrator's fresh authorization itself (cluster, operation, parameters, expiry) and spends its nonce; a replayed
 * or expired one is refused by every member even when a master forwards it; bare Parity signatures are refused under
 * {@code shadow-only} and {@code none}.
 */
class AdminAuthorizationTest {
    private static final SecureRandom RNG = new SecureRandom();
    private static final H256 CLUSTER = ClusterId.ofName("admin-test");
    private static final long NOW = 1_800_000_000L;

    private final KeyPair admin = KeyPair.random();
    private final long[] clock = {NOW};

    private AdminCheck check(LegacyPolicy legacy, ReplayGuard guard) {
        RequesterCheck.Settings settings = new RequesterCheck.Settings(CLUSTER, legacy, Duration.ofSeconds(30), Duration.ofMinutes(5));
        return new AdminCheck(new AdminPolicy(Optional.of(admin.publicKey()), false), new RequesterCheck(settings, () -> clock[0], guard));
    }

    private Authorization setChange(KeyPair signer, Collection<NodeId> oldSet, Collection<NodeId> newSet, long expires) {
        byte[] nonce = new byte[16];
        RNG.nextBytes(nonce);
        return Authorization.sign(signer, CLUSTER, Operation.CHANGE_SERVERS_SET, AdminCheck.NO_KEY,
                Operation.serversSetParams(oldSet.stream().map(NodeId::publicKey).toList(), newSet.stream().map(NodeId::publicKey).toList()),
                expires, nonce);
    }

    private static byte[] bare(KeyPair signer, Collection<NodeId> set) {
        return Ecdsa.sign(signer.secret(), NodeSetHash.of(set.stream().map(NodeId::publicKey).toList())).toBytes();
    }

    private static Kind kind(Optional<SecretStoreException> e) {
        return e.map(SecretStoreException::kind).orElse(null);
    }

    // ------------------------------------------------------------------ AdminCheck alone

    @Test
    void sec32_aFreshSetChangeAuthorizationIsAcceptedOnceForExactlyItsSets() {
        InMemoryCluster c = new InMemoryCluster(3);
        Set<NodeId> old = c.memberIds();
        Set<NodeId> next = new TreeSet<>(List.of(c.node(0).id, c.node(1).id));
        AdminCheck check = check(LegacyPolicy.NONE, new ReplayGuard());
        Authorization a = setChange(admin, old, next, NOW + 60);
        byte[] junk = new byte[65];
        assertThat(check.setChange(old, next, junk, junk, Optional.of(a), "session 1")).isEmpty();
        assertThat(check.setChange(old, next, junk, junk, Optional.of(a), "session 1")).as("the same session again").isEmpty();
        assertThat(kind(check.setChange(old, next, junk, junk, Optional.of(a), "session 2"))).as("replayed")
                .isEqualTo(Kind.INSUFFICIENT_REQUESTER_DATA);
        AdminCheck other = check(LegacyPolicy.NONE, new ReplayGuard());
        assertThat(kind(other.setChange(old, old, junk, junk, Optional.of(a), "s"))).as("re-targeted to another new set")
                .isEqualTo(Kind.INSUFFICIENT_REQUESTER_DATA);
        assertThat(kind(other.setChange(old, next, junk, junk, Optional.of(setChange(KeyPair.random(), old, next, NOW + 60)), "s")))
                .as("a valid authorization by someone else").isEqualTo(Kind.CONSENSUS_UNREACHABLE);
        assertThat(kind(other.setChange(old, next, junk, junk, Optional.of(setChange(admin, old, next, NOW - 31)), "s"))).as("expired")
                .isEqualTo(Kind.INSUFFICIENT_REQUESTER_DATA);
        assertThat(kind(other.setChange(old, next, junk, junk, Optional.of(setChange(admin, old, next, NOW + 331)), "s")))
                .as("too far ahead").isEqualTo(Kind.INSUFFICIENT_REQUESTER_DATA);
        byte[] nonce = new byte[16];
        Authorization foreign = Authorization.sign(admin, ClusterId.ofName("elsewhere"), Operation.CHANGE_SERVERS_SET, AdminCheck.NO_KEY,
                Operation.serversSetParams(old.stream().map(NodeId::publicKey).toList(), next.stream().map(NodeId::publicKey).toList()),
                NOW + 60, nonce);
        assertThat(kind(other.setChange(old, next, junk, junk, Optional.of(foreign), "s"))).as("foreign cluster")
                .isEqualTo(Kind.INSUFFICIENT_REQUESTER_DATA);
        // a present but bad authorization never falls back to valid bare signatures
        assertThat(kind(check(LegacyPolicy.ALL, new ReplayGuard()).setChange(old, next, bare(admin, old), bare(admin, next),
                Optional.of(setChange(admin, old, next, NOW - 100)), "s"))).isEqualTo(Kind.INSUFFICIENT_REQUESTER_DATA);
    }

    @Test
    void sec32_bareAdministratorSignaturesOnlyUnderLegacyAll() {
        InMemoryCluster c = new InMemoryCluster(3);
        Set<NodeId> old = c.memberIds();
        List<H256> keys = List.of(H256.keccak("k".getBytes()));
        byte[] refreshSig = Ecdsa.sign(admin.secret(), RefreshAuthorization.message(keys)).toBytes();
        assertThat(check(LegacyPolicy.ALL, new ReplayGuard()).setChange(old, old, bare(admin, old), bare(admin, old), Optional.empty(), "s"))
                .isEmpty();
        assertThat(check(LegacyPolicy.ALL, new ReplayGuard()).refresh(keys, refreshSig, Optional.empty(), "s")).isEmpty();
        for (LegacyPolicy p : List.of(LegacyPolicy.SHADOW_ONLY, LegacyPolicy.NONE)) {
            assertThat(kind(check(p, new ReplayGuard()).setChange(old, old, bare(admin, old), bare(admin, old), Optional.empty(), "s")))
                    .as(p.configName()).isEqualTo(Kind.FRESH_AUTHORIZATION_REQUIRED);
            assertThat(kind(check(p, new ReplayGuard()).refresh(keys, refreshSig, Optional.empty(), "s")))
                    .as(p.configName()).isEqualTo(Kind.FRESH_AUTHORIZATION_REQUIRED);
        }
    }

    @Test
    void sec32_aFreshRefreshAuthorizationBindsTheKeyIdsAndIsUsedOnce() {
        List<H256> keys = List.of(H256.keccak("k".getBytes()), H256.keccak("l".getBytes()));
        Authorization a = Authorization.sign(admin, CLUSTER, Operation.REFRESH_SHARES, AdminCheck.NO_KEY, RefreshAuthorization.message(keys),
                NOW + 60, new byte[16]);
        AdminCheck check = check(LegacyPolicy.NONE, new ReplayGuard());
        assertThat(check.refresh(List.of(keys.get(1), keys.get(0)), new byte[0], Optional.of(a), "r1")).isEmpty();
        assertThat(kind(check.refresh(keys, new byte[0], Optional.of(a), "r2"))).as("replayed").isEqualTo(Kind.INSUFFICIENT_REQUESTER_DATA);
        assertThat(kind(check(LegacyPolicy.NONE, new ReplayGuard()).refresh(keys.subList(0, 1), new byte[0], Optional.of(a), "r")))
                .as("other key ids").isEqualTo(Kind.INSUFFICIENT_REQUESTER_DATA);
    }

    // ------------------------------------------------------------------ over a cluster: every member checks

    private final Map<NodeId, ReplayGuard> guards = new HashMap<>();

    private InMemoryCluster cluster(int n, Function<Integer, LegacyPolicy> legacy) {
        InMemoryCluster c = new InMemoryCluster(n);
        for (int i = 0; i < n; i++) {
            InMemoryCluster.Node node = c.node(i);
            ReplayGuard guard = new ReplayGuard();
            guards.put(node.id, guard);
            node.sessions.registerFactory(SessionType.SERVERS_SET_CHANGE,
                    ServersSetChangeSession.factory(node, node.storage, check(legacy.apply(i), guard), RNG, node.sessions::hasActiveSessions));
        }
        return c;
    }

    private ServersSetChangeSession start(InMemoryCluster c, int master, LegacyPolicy legacy, List<Integer> newSet,
                                          Optional<Authorization> authorization, KeyPair bareSigner) {
        InMemoryCluster.Node m = c.node(master);
        Set<NodeId> oldSet = new TreeSet<>(m.connected());
        oldSet.add(m.id);
        Set<NodeId> next = new TreeSet<>();
        newSet.forEach(i -> next.add(c.node(i).id));
        byte[] id = new byte[32];
        RNG.nextBytes(id);
        SessionKey key = new SessionKey(SessionType.SERVERS_SET_CHANGE, H256.fromBytes(id), m.id);
        return m.sessions.startMaster(key, outbox -> ServersSetChangeSession.startMaster(key, m, outbox, m.storage,
                check(legacy, guards.get(m.id)), bare(bareSigner, oldSet), bare(bareSigner, next), authorization, next, RNG));
    }

    private static Kind failure(ServersSetChangeSession s) {
        assertThat(s.result()).isCompletedExceptionally();
        try {
            s.result().join();
            throw new AssertionError("not failed");
        } catch (CompletionException e) {
            return ((SecretStoreException) e.getCause()).kind();
        }
    }

    private H256 seed(InMemoryCluster c) {
        byte[] b = new byte[32];
        RNG.nextBytes(b);
        H256 keyId = H256.fromBytes(b);
        TestKeys.seed(c, keyId, Address.fromBytes(new byte[20]), 1,
                TestKeys.randomIds(List.of(c.node(0).id, c.node(1).id, c.node(2).id), RNG), Optional.empty(), RNG);
        return keyId;
    }

    /** Replaces the authorization of every Init the master sends to another member; records the members' refusals. */
    private List<Kind> forwardInstead(InMemoryCluster c, NodeId master, Authorization forged) {
        List<Kind> refusals = new ArrayList<>();
        c.intercept(d -> {
            if (d.from().equals(master) && !d.to().equals(master) && d.envelope().body() instanceof ServersSetChangeMessage.Init init) {
                var swapped = new ServersSetChangeMessage.Init(init.oldSet(), init.newSet(), init.oldSetSignature(), init.newSetSignature(),
                        forged.toBytes());
                Envelope e = d.envelope();
                return List.of(new InMemoryCluster.Delivery(d.from(), d.to(), new Envelope(e.type(), e.sessionId(), e.master(), e.sender(), swapped)));
            }
            if (d.envelope().body() instanceof ServersSetChangeMessage.Refused r) refusals.add(r.reason());
            return List.of(d);
        });
        return refusals;
    }

    @Test
    void sec32_aFreshAuthorizationAloneChangesTheSetUnderLegacyNone() {
        InMemoryCluster c = cluster(4, i -> LegacyPolicy.NONE);
        H256 keyId = seed(c);
        Set<NodeId> all = c.memberIds();
        // the path's bare signatures are by someone else: with the header they are ignored
        ServersSetChangeSession s = start(c, 0, LegacyPolicy.NONE, List.of(0, 1, 2, 3),
                Optional.of(setChange(admin, all, all, NOW + 60)), KeyPair.random());
        c.deliverAll();
        assertThat(s.result()).isCompleted();
        assertThat(c.node(3).storage.get(keyId)).isPresent();
        for (NodeId n : all) assertThat(guards.get(n).size()).as("every member spent the nonce").isEqualTo(1);
    }

    @Test
    void sec32_aReplayedAdministratorAuthorizationIsRefusedByEveryMember() {
        InMemoryCluster c = cluster(4, i -> LegacyPolicy.NONE);
        H256 keyId = seed(c);
        Set<NodeId> all = c.memberIds();
        Authorization first = setChange(admin, all, all, NOW + 60);
        ServersSetChangeSession s1 = start(c, 0, LegacyPolicy.NONE, List.of(0, 1, 2, 3), Optional.of(first), admin);
        c.deliverAll();
        assertThat(s1.result()).isCompleted();
        // straight replay through another master: refused there
        ServersSetChangeSession s2 = start(c, 1, LegacyPolicy.NONE, List.of(0, 1, 2, 3), Optional.of(first), admin);
        c.deliverAll();
        assertThat(failure(s2)).isEqualTo(Kind.INSUFFICIENT_REQUESTER_DATA);
        // a master that checks a new authorization but forwards the spent one: every other member refuses it
        List<Kind> refusals = forwardInstead(c, c.node(2).id, first);
        ServersSetChangeSession s3 = start(c, 2, LegacyPolicy.NONE, List.of(0, 1, 2, 3), Optional.of(setChange(admin, all, all, NOW + 60)), admin);
        c.deliverAll();
        assertThat(s3.result()).isCompletedExceptionally();
        assertThat(refusals).hasSize(3).containsOnly(Kind.INSUFFICIENT_REQUESTER_DATA);
        assertThat(c.node(3).storage.get(keyId).orElseThrow().versions()).hasSize(1); // nothing re-shared again
    }

    @Test
    void sec32_anExpiredAdministratorAuthorizationIsRefusedByEveryMember() {
        InMemoryCluster c = cluster(4, i -> LegacyPolicy.NONE);
        H256 keyId = seed(c);
        Set<NodeId> all = c.memberIds();
        ServersSetChangeSession s1 = start(c, 0, LegacyPolicy.NONE, List.of(0, 1, 2, 3), Optional.of(setChange(admin, all, all, NOW - 31)), admin);
        c.deliverAll();
        assertThat(failure(s1)).isEqualTo(Kind.INSUFFICIENT_REQUESTER_DATA);
        List<Kind> refusals = forwardInstead(c, c.node(0).id, setChange(admin, all, all, NOW - 31));
        ServersSetChangeSession s2 = start(c, 0, LegacyPolicy.NONE, List.of(0, 1, 2, 3), Optional.of(setChange(admin, all, all, NOW + 60)), admin);
        c.deliverAll();
        assertThat(s2.result()).isCompletedExceptionally();
        assertThat(refusals).hasSize(3).containsOnly(Kind.INSUFFICIENT_REQUESTER_DATA);
        assertThat(c.node(3).storage.get(keyId)).isEmpty();
    }

    @Test
    void sec32_bareSignaturesAreRefusedByMembersWhosePolicyIsNotAll() {
        // the master still runs Parity's policy, the members do not: they refuse what it forwards
        InMemoryCluster c = cluster(4, i -> i == 0 ? LegacyPolicy.ALL : LegacyPolicy.SHADOW_ONLY);
        H256 keyId = seed(c);
        List<Kind> refusals = new ArrayList<>();
        c.intercept(d -> {
            if (d.envelope().body() instanceof ServersSetChangeMessage.Refused r) refusals.add(r.reason());
            return List.of(d);
        });
        ServersSetChangeSession s = start(c, 0, LegacyPolicy.ALL, List.of(0, 1, 2, 3), Optional.empty(), admin);
        c.deliverAll();
        assertThat(s.result()).isCompletedExceptionally();
        assertThat(refusals).hasSize(3).containsOnly(Kind.FRESH_AUTHORIZATION_REQUIRED);
        assertThat(c.node(3).storage.get(keyId)).isEmpty();
        // and a master under shadow-only refuses them itself (403)
        ServersSetChangeSession s2 = start(c, 1, LegacyPolicy.SHADOW_ONLY, List.of(0, 1, 2, 3), Optional.empty(), admin);
        assertThat(failure(s2)).isEqualTo(Kind.FRESH_AUTHORIZATION_REQUIRED);
    }
}
