package dev.secretstore.protocol.session.repair;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.key.DocumentKey;
import dev.secretstore.protocol.key.KeyMetadata;
import dev.secretstore.protocol.key.VersionMetadata;
import dev.secretstore.protocol.session.generation.GenerationMessage.IdNumber;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * "Never on one member's word" (SEC-40): the public data of a key a repairing member accepts is what at least
 * {@code t+1} members report identically, so at least one of them is honest when at most {@code t} are faulty.
 * Pure functions over the members' reports.
 */
final class KeyAgreement {
    private KeyAgreement() {}

    /**
     * How many members must report a fact identically: {@code t+1}, and never fewer than two, so a single member
     * cannot plant a key it made up by claiming {@code t = 0} for it.
     */
    static int required(int t) {
        return Math.max(t + 1, 2);
    }

    /** One member's committed facts of a key, decoded and validated (ids derived from id numbers and nonce). */
    record Report(Address author, int threshold, PublicPoint publicKey, Optional<DocumentKey> documentKey, List<VersionMetadata> versions) {
        Report {
            versions = List.copyOf(versions);
        }

        Optional<Integer> position(H256 versionId) {
            for (int i = 0; i < versions.size(); i++) {
                if (versions.get(i).id().equals(versionId)) return Optional.of(i);
            }
            return Optional.empty();
        }
    }

    /** The key-level facts a version agreement is about. */
    private record KeyFacts(Address author, int threshold, PublicPoint publicKey) {}

    private record Candidate(KeyFacts key, VersionMetadata version) {}

    /**
     * What the repairing member accepts: the key's facts, the newest version naming it that {@code t+1} of its
     * holders report identically ({@code holders}: those reporters, ascending), and the document key if
     * {@code t+1} members with the same key facts report the same one.
     */
    record Choice(Address author, int threshold, PublicPoint publicKey, VersionMetadata version, List<NodeId> holders,
                  Optional<DocumentKey> documentKey) {
        Choice {
            holders = List.copyOf(holders);
        }
    }

    /** The wire form of a member's committed key. */
    static RepairMessage.KeyFacts toWire(KeyMetadata key) {
        List<PublicPoint> doc = key.documentKey().map(d -> List.of(d.commonPoint(), d.encryptedPoint())).orElse(List.of());
        List<RepairMessage.VersionFacts> versions = key.versions().stream().map(v -> new RepairMessage.VersionFacts(v.id(),
                v.nonce().stream().toList(), v.idNumbers().entrySet().stream().map(e -> new IdNumber(e.getKey(), e.getValue())).toList(),
                v.commitments())).toList();
        return new RepairMessage.KeyFacts(key.author(), key.threshold(), key.publicKey(), doc, versions);
    }

    /** Decodes a member's report; empty when it is malformed (an id that does not match its id numbers, a bad length). */
    static Optional<Report> fromWire(RepairMessage.KeyFacts facts) {
        try {
            if (facts.threshold() < 0 || facts.versions().isEmpty()) return Optional.empty();
            if (facts.documentKey().size() != 0 && facts.documentKey().size() != 2) return Optional.empty();
            Optional<DocumentKey> doc = facts.documentKey().isEmpty() ? Optional.empty()
                    : Optional.of(new DocumentKey(facts.documentKey().get(0), facts.documentKey().get(1)));
            List<VersionMetadata> versions = new ArrayList<>();
            for (RepairMessage.VersionFacts v : facts.versions()) {
                if (v.nonce().size() > 1) return Optional.empty();
                Map<NodeId, Scalar> ids = new TreeMap<>();
                for (IdNumber n : v.idNumbers()) {
                    if (ids.put(n.node(), n.x()) != null) return Optional.empty();
                }
                VersionMetadata m = VersionMetadata.restore(v.id(), v.nonce().stream().findFirst(), ids, v.commitments());
                m.thresholdIds(); // SEC-02: distinct, non-zero id numbers
                versions.add(m);
            }
            return Optional.of(new Report(facts.author(), facts.threshold(), facts.publicKey(), doc, versions));
        } catch (RuntimeException malformed) {
            return Optional.empty();
        }
    }

    /**
     * The version (and document key) {@code self} should hold according to at least {@code t+1} reporters, each a
     * holder of that version, none of them in {@code excluded}; empty if no version naming {@code self} has that
     * much agreement.
     */
    static Optional<Choice> choose(NodeId self, Map<NodeId, Report> reports, Collection<NodeId> excluded) {
        Map<Candidate, TreeSet<NodeId>> support = new LinkedHashMap<>();
        for (Map.Entry<NodeId, Report> e : reports.entrySet()) {
            NodeId reporter = e.getKey();
            Report r = e.getValue();
            if (excluded.contains(reporter) || reporter.equals(self)) continue;
            KeyFacts key = new KeyFacts(r.author(), r.threshold(), r.publicKey());
            for (VersionMetadata v : r.versions()) {
                if (!v.isHolder(self) || !v.isHolder(reporter) || v.threshold() != r.threshold()
                        || !v.commitments().get(0).equals(r.publicKey())) continue;
                support.computeIfAbsent(new Candidate(key, v), c -> new TreeSet<>()).add(reporter);
            }
        }
        List<Candidate> agreed = new ArrayList<>();
        support.forEach((c, who) -> {
            if (who.size() >= required(c.key().threshold())) agreed.add(c);
        });
        if (agreed.isEmpty()) return Optional.empty();
        Map<NodeId, Report> agreeing = new TreeMap<>();
        for (Candidate c : agreed) support.get(c).forEach(n -> agreeing.put(n, reports.get(n)));
        Candidate best = newest(agreed, support, agreeing); // the order only from members that are part of an agreement
        return Optional.of(new Choice(best.key().author(), best.key().threshold(), best.key().publicKey(), best.version(),
                List.copyOf(support.get(best)), documentKey(best.key(), reports, excluded, self)));
    }

    /**
     * The newest agreed version: A is newer than B when more of the reporters that list both list A after B
     * (holders append versions in the order they commit them). The candidate newer than the most others wins;
     * ties go to the one more reporters agree on, then to the larger version id (deterministic).
     */
    private static Candidate newest(List<Candidate> agreed, Map<Candidate, TreeSet<NodeId>> support, Map<NodeId, Report> reports) {
        Map<Candidate, Integer> wins = new HashMap<>();
        for (Candidate a : agreed) {
            int w = 0;
            for (Candidate b : agreed) {
                if (a == b) continue;
                int after = 0;
                int before = 0;
                for (Report r : reports.values()) {
                    Optional<Integer> pa = r.position(a.version().id());
                    Optional<Integer> pb = r.position(b.version().id());
                    if (pa.isEmpty() || pb.isEmpty()) continue;
                    if (pa.get() > pb.get()) after++;
                    else before++;
                }
                if (after > before) w++;
            }
            wins.put(a, w);
        }
        return agreed.stream().max(Comparator.<Candidate>comparingInt(wins::get)
                .thenComparingInt(c -> support.get(c).size())
                .thenComparing(c -> c.version().id())).orElseThrow();
    }

    private static Optional<DocumentKey> documentKey(KeyFacts key, Map<NodeId, Report> reports, Collection<NodeId> excluded, NodeId self) {
        Map<DocumentKey, Set<NodeId>> support = new HashMap<>();
        reports.forEach((reporter, r) -> {
            if (excluded.contains(reporter) || reporter.equals(self) || r.documentKey().isEmpty()) return;
            if (!new KeyFacts(r.author(), r.threshold(), r.publicKey()).equals(key)) return;
            support.computeIfAbsent(r.documentKey().get(), d -> new TreeSet<>()).add(reporter);
        });
        return support.entrySet().stream().filter(e -> e.getValue().size() >= required(key.threshold())).map(Map.Entry::getKey).findFirst();
    }
}
