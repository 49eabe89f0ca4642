package dev.secretstore.protocol.session.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.key.KeyVersion;
import dev.secretstore.protocol.session.admin.ServersSetChangeMessage.KeyEntry;
import dev.secretstore.protocol.session.admin.ServersSetChangeMessage.VersionEntry;
import dev.secretstore.protocol.session.generation.GenerationMessage.IdNumber;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The planner's decisions for one key of t = 1 held by three nodes, removing the third. */
class SetChangePlannerTest {
    private final SecureRandom rng = new SecureRandom(new byte[] {12});
    private final List<NodeId> nodes = new TreeSet<>(List.of(node(), node(), node())).stream().toList();
    private final SortedSet<NodeId> newSet = new TreeSet<>(nodes.subList(0, 2));
    private final H256 keyId = H256.fromBytes(new byte[32]);
    private final VersionEntry old = version(nodes, 1);
    private final VersionEntry moved = version(nodes.subList(0, 2), 1);

    private static NodeId node() {
        return new NodeId(KeyPair.random().publicKey());
    }

    private static VersionEntry version(List<NodeId> holders, int firstX) {
        SortedMap<NodeId, Scalar> ids = new TreeMap<>();
        for (int i = 0; i < holders.size(); i++) ids.put(holders.get(i), Scalar.of(firstX + i));
        return new VersionEntry(KeyVersion.versionHash(ids), ids.entrySet().stream().map(e -> new IdNumber(e.getKey(), e.getValue())).toList());
    }

    private KeyEntry entry(VersionEntry... versions) {
        return new KeyEntry(keyId, 1, List.of(versions));
    }

    @Test
    void aKeyStillOnTheOldSetIsReshared() {
        SetChangePlanner.Plan plan = SetChangePlanner.plan(Map.of(nodes.get(0), List.of(entry(old)), nodes.get(1), List.of(entry(old)),
                nodes.get(2), List.of(entry(old))), newSet, rng);
        assertThat(plan.reshare()).hasSize(1);
        assertThat(plan.deferred()).isEmpty();
    }

    @Test
    void aKeyWhoseMoveOneNewHolderHasNotCommittedYetIsDeferred_issue12_defect1() {
        // the master committed the moved version; member 1 holds it only prepared (invisible to its inventory)
        SetChangePlanner.Plan plan = SetChangePlanner.plan(Map.of(nodes.get(0), List.of(entry(old, moved)), nodes.get(1), List.of(entry(old)),
                nodes.get(2), List.of(entry(old))), newSet, rng);
        assertThat(plan.deferred()).containsExactly(keyId);
        assertThat(plan.reshare()).isEmpty();
        assertThat(plan.cleanupOnly()).isEmpty();
    }

    @Test
    void onceEveryNewHolderCommittedTheMoveOnlyOldVersionsAreCleanedUp() {
        SetChangePlanner.Plan plan = SetChangePlanner.plan(Map.of(nodes.get(0), List.of(entry(old, moved)), nodes.get(1), List.of(entry(old, moved)),
                nodes.get(2), List.of(entry(old))), newSet, rng);
        assertThat(plan.deferred()).isEmpty();
        assertThat(plan.reshare()).isEmpty();
        assertThat(plan.cleanupOnly()).hasSize(1);
        assertThat(plan.cleanupOnly().get(0).version()).isEqualTo(moved.hash());
    }
}
