package dev.secretstore.protocol.session.consensus;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.key.KeyMetadata;
import dev.secretstore.protocol.key.VersionMetadata;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A member's side of the ACL consensus (every holder asked, the master included), as pure state: what
 * it was asked, the versions it holds committed among those, whether it approved, and which attempts it
 * answered. Its decisions are functions of that state: the {@link ConsensusMessage.Response} it sends and
 * why it refuses an attempt.
 */
public final class ConsensusMember {
    private final NodeId self;
    private boolean asked;
    /** The kind of credential the master's request carried (SEC-29); empty until asked. */
    private Optional<String> credentialKind = Optional.empty();
    private boolean approved;
    /** True once this node sent its answer to the consensus request. */
    private boolean decided;
    /** The requester this node derived itself from the request's credential (SEC-31); null until then or if it refused. */
    private Requester requester;
    private Operation operation;
    private List<NodeId> consensusGroup = List.of();
    private final Map<H256, VersionMetadata> held = new LinkedHashMap<>();
    private final Set<H256> answered = new HashSet<>();

    public ConsensusMember(NodeId self) {
        this.self = self;
    }

    /**
     * Takes the master's request: remembers the consensus, and finds the versions of
     * {@code stored} (this node's committed key metadata, nothing unsealed) the request names, that list this node as a holder and
     * that the session can use. Empty for a repeated request or one for another key.
     *
     * @return the held version hashes, newest first; none means "say no without asking the ACL"
     */
    public Optional<List<H256>> open(ConsensusMessage.Request r, H256 keyId, Optional<KeyMetadata> stored, Predicate<VersionMetadata> usable) {
        if (asked || !r.keyId().equals(keyId)) return Optional.empty();
        asked = true;
        credentialKind = dev.secretstore.protocol.session.AuditFacts.credentialKind(r.credential());
        consensusGroup = r.consensusGroup();
        if (stored.isPresent()) {
            for (H256 hash : r.versions()) {
                stored.get().version(hash)
                        .filter(v -> v.isHolder(self) && usable.test(v))
                        .ifPresent(v -> held.put(hash, v));
            }
        }
        return Optional.of(List.copyOf(held.keySet()));
    }

    /** Remembers the requester this node derived from the request's credential for {@code operation} (SEC-31). */
    public void authorized(Requester derived, Operation operation) {
        this.requester = derived;
        this.operation = operation;
    }

    /** This node's answer once its ACL decided: yes only with a held version and a requester it derived itself. */
    public ConsensusMessage.Response answer(boolean allowed) {
        approved = allowed && !held.isEmpty() && requester != null;
        decided = true;
        return new ConsensusMessage.Response(approved, approved ? new ArrayList<>(held.keySet()) : List.of());
    }

    /** True once this node answered the consensus request (its ACL decided, or it said no without asking). */
    public boolean answered() {
        return decided;
    }

    /** Whether this node approved the request and holds {@code version} committed: it may contribute to an attempt with it. */
    public boolean approvedWith(H256 version) {
        return approved && held.containsKey(version);
    }

    /**
     * The newest of the request's versions that this node holds committed and can use: the one a group most likely
     * uses, whose share this node reads together with the metadata (one storage read per request).
     */
    public static dev.secretstore.protocol.key.VersionSelector preferred(NodeId self, List<H256> requested,
                                                                          Predicate<VersionMetadata> usable) {
        return key -> {
            for (H256 hash : requested) {
                Optional<VersionMetadata> v = key.version(hash).filter(m -> m.isHolder(self) && usable.test(m));
                if (v.isPresent()) return v;
            }
            return Optional.empty();
        };
    }

    /** Withdraws this node's approval: it refuses every later attempt (the master asked for something unauthorized). */
    public void withdraw() {
        approved = false;
    }

    /** The requester this node derived from the request's credential; null if it did not accept the credential. */
    public Requester requester() {
        return requester;
    }

    /** True once the master's consensus request reached this node. */
    public boolean wasAsked() {
        return asked;
    }

    /** The kind of credential the master's request carried ({@code static}, {@code fresh}); empty until asked. */
    public Optional<String> credentialKind() {
        return credentialKind;
    }

    /** The operation the requester's credential was accepted for; null if it was not. */
    public Operation operation() {
        return operation;
    }

    /** Every node of the consensus (the only ones that may be in a group or deal to this node). */
    public List<NodeId> consensusGroup() {
        return consensusGroup;
    }

    /** A version this node reported committed. */
    public Optional<VersionMetadata> version(H256 hash) {
        return Optional.ofNullable(held.get(hash));
    }

    /** True the first time {@code attempt} is asked for; each attempt id is answered once (SEC-18). */
    public boolean firstRequest(H256 attempt) {
        return answered.add(attempt);
    }

    /** Why this node will not contribute to an attempt with {@code group} of {@code version}, if it will not. */
    public Optional<String> refusal(List<NodeId> group, H256 version) {
        if (!approved) return Optional.of("this node did not approve the request");
        if (!group.contains(self)) return Optional.of("not a member of the group");
        if (!consensusGroup.containsAll(group)) return Optional.of("group names a node outside the consensus");
        if (new HashSet<>(group).size() != group.size()) return Optional.of("group lists a node twice");
        if (!held.containsKey(version)) return Optional.of("version " + version + " is not committed here");
        return Optional.empty();
    }
}
