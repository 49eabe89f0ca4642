package dev.secretstore.protocol.session.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.auth.Authorization;
import dev.secretstore.crypto.auth.ClusterId;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.protocol.ClusterKeyServer;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.auth.LegacyPolicy;
import dev.secretstore.protocol.auth.ReplayGuard;
import dev.secretstore.protocol.auth.RequesterCheck;
import dev.secretstore.protocol.session.InMemoryCluster;
import dev.secretstore.protocol.session.admin.AdminCheck;
import dev.secretstore.protocol.session.admin.AdminPolicy;
import dev.secretstore.protocol.Availability;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * SEC-24, SEC-32 (docs/auth.md §7): an on-demand share refresh with the administrator's fresh authorization; the node
 * that receives it checks the cluster, key ids, expiry and nonce; bare signatures are refused under legacy {@code none}.
 */
class RefreshFreshAuthorizationTest {
    static final H256 CLUSTER = ClusterId.ofName("refresh-test");
    static final long NOW = 1_800_000_000L;

    final long[] clock = {NOW};

    ClusterKeyServer server(RefreshFixture f, LegacyPolicy legacy) {
        InMemoryCluster.Node n = f.node(0);
        RequesterCheck check = new RequesterCheck(new RequesterCheck.Settings(CLUSTER, legacy, Duration.ofSeconds(30), Duration.ofMinutes(5)),
                () -> clock[0], new ReplayGuard());
        return new ClusterKeyServer(n.sessions, n, n.storage, RefreshFixture.ALLOW_ALL, new AdminPolicy(Optional.of(f.admin.publicKey()), false),
                Availability.DEFAULTS, check, f.cluster.loop, RefreshFixture.RNG, f.cluster.clock);
    }

    /** Runs the cluster until idle; the stage must have failed (a refresh that was let through completes instead). */
    static dev.secretstore.protocol.SecretStoreException refused(RefreshFixture f, java.util.concurrent.CompletionStage<?> stage) {
        f.cluster.deliverAll();
        assertThat(stage.toCompletableFuture()).isCompletedExceptionally();
        return RefreshFixture.failure(stage);
    }

    static Authorization authorize(KeyPair signer, List<H256> keys, long expires) {
        byte[] nonce = new byte[16];
        RefreshFixture.RNG.nextBytes(nonce);
        return Authorization.sign(signer, CLUSTER, Operation.REFRESH_SHARES, AdminCheck.NO_KEY, RefreshAuthorization.message(keys), expires, nonce);
    }

    @Test
    void sec32_aFreshAuthorizationRefreshesOnceAndBareSignaturesAreRefusedUnderNone() {
        RefreshFixture f = new RefreshFixture(3, 1);
        ClusterKeyServer server = server(f, LegacyPolicy.NONE);
        H256 old = f.latest(f.node(0).id).id();
        List<H256> keys = List.of(f.keyId);
        byte[] bare = dev.secretstore.crypto.Ecdsa.sign(f.admin.secret(), RefreshAuthorization.message(keys)).toBytes();
        assertThat(refused(f, server.refreshShares(bare, keys)).kind()).isEqualTo(Kind.FRESH_AUTHORIZATION_REQUIRED);
        assertThat(refused(f, server.refreshShares(new byte[65], keys, Optional.of(authorize(f.admin, keys, NOW - 31)))).kind())
                .as("expired").isEqualTo(Kind.INSUFFICIENT_REQUESTER_DATA);
        assertThat(refused(f, server.refreshShares(new byte[65], keys, Optional.of(authorize(f.admin, List.of(), NOW + 60)))).kind())
                .as("signed for other key ids").isEqualTo(Kind.INSUFFICIENT_REQUESTER_DATA);
        assertThat(refused(f, server.refreshShares(new byte[65], keys, Optional.of(authorize(KeyPair.random(), keys, NOW + 60)))).kind())
                .as("not the administrator").isEqualTo(Kind.CONSENSUS_UNREACHABLE);
        f.cluster.deliverAll();
        for (InMemoryCluster.Node n : f.cluster.nodes()) assertThat(f.versions(n.id)).containsExactly(old);

        Authorization a = authorize(f.admin, keys, NOW + 60);
        f.done(server.refreshShares(new byte[65], keys, Optional.of(a)));
        for (InMemoryCluster.Node n : f.cluster.nodes()) assertThat(f.versions(n.id)).doesNotContain(old).hasSize(1);
        assertThat(refused(f, server.refreshShares(new byte[65], keys, Optional.of(a))).kind()).as("replayed")
                .isEqualTo(Kind.INSUFFICIENT_REQUESTER_DATA);
    }

    @Test
    void sec32_bareSignaturesStillWorkUnderLegacyAll() {
        RefreshFixture f = new RefreshFixture(3, 1);
        ClusterKeyServer server = server(f, LegacyPolicy.ALL);
        H256 old = f.latest(f.node(0).id).id();
        List<H256> keys = List.of(f.keyId);
        f.done(server.refreshShares(dev.secretstore.crypto.Ecdsa.sign(f.admin.secret(), RefreshAuthorization.message(keys)).toBytes(), keys));
        for (InMemoryCluster.Node n : f.cluster.nodes()) assertThat(f.versions(n.id)).doesNotContain(old);
    }
}
