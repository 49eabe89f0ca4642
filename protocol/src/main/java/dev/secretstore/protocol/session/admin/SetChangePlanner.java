package dev.secretstore.protocol.session.admin;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.threshold.IdNumbers;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.key.VersionMetadata;
import dev.secretstore.protocol.session.admin.ServersSetChangeMessage.KeyEntry;
import dev.secretstore.protocol.session.admin.ServersSetChangeMessage.KeyPlan;
import dev.secretstore.protocol.session.admin.ServersSetChangeMessage.Keep;
import dev.secretstore.protocol.session.admin.ServersSetChangeMessage.VersionEntry;
import dev.secretstore.protocol.session.generation.GenerationMessage.IdNumber;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Decides, from every node's key inventory, what a servers set change does to each key (pure, no I/O).
 *
 * <p>Per key: the version to re-share is the newest one that at least {@code t+1} nodes of the session
 * reported holding (SEC-26: newest usable, not hash order as in Parity). If its holders already are
 * exactly the new set, nothing is re-shared, and only older versions left anywhere are cleaned up.
 * Otherwise its dealers are {@code t+1} of the nodes that hold it, staying holders keep their id
 * numbers and added nodes get fresh ones (crypto.md §10.1, §10.9). A key that would end with fewer
 * than {@code t+1} holders, or that has no version with {@code t+1} holders among the session's nodes,
 * is <em>at risk</em>: the change is refused unless key loss is allowed, in which case the key is
 * left exactly as it is.
 *
 * <p>A key of which some node reports a version newer than the chosen one whose holders are exactly the
 * new set is <em>deferred</em>: an interrupted change already moved it, the master committed that version,
 * and the holders that have not committed it yet hold it prepared for the commit's recovery path
 * (issue #12 defect 1). Re-sharing it again would give the same id numbers, hence the same version id; a
 * repeat of the change after the recovery path ran finds the version reported by every new holder and
 * only cleans up.
 */
public final class SetChangePlanner {
    private SetChangePlanner() {}

    /** The outcome: keys to re-share, keys that only need old versions removed, keys at risk, and deferred keys. */
    public record Plan(List<KeyPlan> reshare, List<Keep> cleanupOnly, List<H256> atRisk, List<H256> deferred) {
        public Plan {
            reshare = List.copyOf(reshare);
            cleanupOnly = List.copyOf(cleanupOnly);
            atRisk = List.copyOf(atRisk);
            deferred = List.copyOf(deferred);
        }
    }

    private static final class Candidate {
        final VersionEntry version;
        final Set<NodeId> reporters = new TreeSet<>();
        int rank;

        Candidate(VersionEntry version) {
            this.version = version;
        }
    }

    public static Plan plan(Map<NodeId, List<KeyEntry>> inventories, SortedSet<NodeId> newSet, SecureRandom rng) {
        Map<H256, Map<H256, Candidate>> byKey = new TreeMap<>();
        Map<H256, Integer> thresholds = new HashMap<>();
        Map<H256, Set<NodeId>> keyHolders = new HashMap<>();
        for (Map.Entry<NodeId, List<KeyEntry>> inv : new TreeMap<>(inventories).entrySet()) {
            for (KeyEntry key : inv.getValue()) {
                thresholds.merge(key.keyId(), key.threshold(), Math::max);
                keyHolders.computeIfAbsent(key.keyId(), k -> new HashSet<>()).add(inv.getKey());
                Map<H256, Candidate> versions = byKey.computeIfAbsent(key.keyId(), k -> new LinkedHashMap<>());
                for (int i = 0; i < key.versions().size(); i++) {
                    VersionEntry v = key.versions().get(i);
                    Candidate c = versions.computeIfAbsent(v.hash(), h -> new Candidate(v));
                    c.reporters.add(inv.getKey());
                    c.rank = Math.max(c.rank, i);
                }
            }
        }
        List<KeyPlan> reshare = new ArrayList<>();
        List<Keep> cleanup = new ArrayList<>();
        List<H256> atRisk = new ArrayList<>();
        List<H256> deferred = new ArrayList<>();
        for (Map.Entry<H256, Map<H256, Candidate>> e : byKey.entrySet()) {
            H256 keyId = e.getKey();
            int t = thresholds.get(keyId);
            Candidate chosen = e.getValue().values().stream()
                    .filter(c -> c.reporters.size() >= t + 1)
                    .max(Comparator.<Candidate>comparingInt(c -> c.rank).thenComparing(c -> c.version.hash()))
                    .orElse(null);
            if (chosen == null || newSet.size() < t + 1) {
                atRisk.add(keyId);
                continue;
            }
            Map<NodeId, Scalar> oldIds = new TreeMap<>();
            chosen.version.idNumbers().forEach(id -> oldIds.put(id.node(), id.x()));
            boolean holdersAreNewSet = oldIds.keySet().equals(newSet) && chosen.reporters.containsAll(newSet);
            if (holdersAreNewSet) {
                boolean leftovers = e.getValue().size() > 1 || !newSet.containsAll(keyHolders.get(keyId));
                if (leftovers) cleanup.add(new Keep(keyId, chosen.version.hash()));
                continue;
            }
            int chosenRank = chosen.rank;
            boolean movedElsewhere = e.getValue().values().stream()
                    .anyMatch(c -> c.rank > chosenRank && holders(c.version).equals(newSet));
            if (movedElsewhere) {
                deferred.add(keyId);
                continue;
            }
            reshare.add(new KeyPlan(keyId, chosen.version.hash(), chosen.reporters.stream().limit(t + 1L).toList(),
                    newIdNumbers(oldIds, newSet, rng)));
        }
        return new Plan(reshare, cleanup, atRisk, deferred);
    }

    private static Set<NodeId> holders(VersionEntry version) {
        Set<NodeId> out = new TreeSet<>();
        version.idNumbers().forEach(id -> out.add(id.node()));
        return out;
    }

    /** Staying holders keep x_j; added nodes get fresh numbers distinct from all old ones. */
    private static List<IdNumber> newIdNumbers(Map<NodeId, Scalar> oldIds, Collection<NodeId> newSet, SecureRandom rng) {
        IdNumbers oldNumbers = VersionMetadata.thresholdIds(oldIds);
        List<PublicPoint> keep = new ArrayList<>();
        List<PublicPoint> added = new ArrayList<>();
        for (NodeId n : newSet) {
            (oldIds.containsKey(n) ? keep : added).add(n.publicKey());
        }
        IdNumbers fresh = IdNumbers.redistribute(oldNumbers, keep, added, rng);
        return newSet.stream().map(n -> new IdNumber(n, fresh.of(n.publicKey()))).toList();
    }
}
