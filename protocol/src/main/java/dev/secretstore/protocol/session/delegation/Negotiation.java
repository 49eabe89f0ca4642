package dev.secretstore.protocol.session.delegation;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException.Kind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Key-version negotiation's decision, as a pure function of what the connected members reported (SEC-40).
 *
 * <p><b>Trust.</b> The key's public identity (author, threshold t, Y) is taken only from reports that agree on
 * all three: the largest group of identical reports must be the only one of its size and hold at least
 * {@code max(t+1, 2)} members (t from the group's own reports; the entry node's own committed metadata, when
 * it has the key, counts as one of them), so neither one other member's word nor a minority that disagrees
 * with a larger group decides anything. Endpoint 4 answers from that identity; the other
 * endpoints are delegated only to members of that group.
 */
public final class Negotiation {
    private Negotiation() {}

    /** What the entry node does next. */
    public sealed interface Plan {}

    /** Nobody else holds what is needed (or the entry node holds the key and nobody agrees on more): master it here. */
    public record RunLocally() implements Plan {}

    /** Endpoint 4: the key's author and Y, as at least {@code max(t+1, 2)} members reported them identically. */
    public record Known(Address author, PublicPoint publicKey) implements Plan {}

    /**
     * Forward the request to these holders, one at a time in this order (ascending node id, the ones that have
     * what the endpoint needs); {@code threshold} is the key's agreed t (endpoint 6 checks t+1 shadows with it).
     */
    public record Delegate(List<NodeId> holders, int threshold) implements Plan {
        public Delegate {
            holders = List.copyOf(holders);
            if (holders.isEmpty()) throw new IllegalArgumentException("no holder to delegate to");
        }
    }

    /** Members report the key but not enough agree: end with {@code kind} (retryable: holders may come back). */
    public record Unavailable(Kind kind) implements Plan {}

    /** What agreeing reports must share. */
    private record Identity(Address author, int threshold, PublicPoint publicKey) {}

    /**
     * @param reports the members' reports of the key (members that do not hold it are absent)
     * @param own     the entry node's own report from its committed metadata, if it holds the key: its own storage
     *                counts as one agreeing voice (never as a delegate)
     */
    public static Plan plan(Endpoint endpoint, Map<NodeId, DelegationMessage.Held> reports, Optional<DelegationMessage.Held> own) {
        boolean heldLocally = own.isPresent();
        if (reports.isEmpty()) return new RunLocally(); // unknown everywhere else: the entry node's own answer (404 when it lacks it too)
        Map<Identity, SortedSet<NodeId>> groups = new HashMap<>();
        reports.forEach((node, r) -> groups.computeIfAbsent(identity(r), i -> new TreeSet<>()).add(node));
        own.ifPresent(r -> groups.computeIfAbsent(identity(r), i -> new TreeSet<>()));
        Identity winner = null;
        int best = 0;
        boolean tie = false;
        for (Map.Entry<Identity, SortedSet<NodeId>> g : groups.entrySet()) {
            int size = g.getValue().size() + (own.isPresent() && identity(own.get()).equals(g.getKey()) ? 1 : 0);
            if (size > best) {
                winner = g.getKey();
                best = size;
                tie = false;
            } else if (size == best) {
                tie = true;
            }
        }
        if (tie || best < required(winner.threshold())) {
            if (heldLocally) return new RunLocally();
            return new Unavailable(endpoint == Endpoint.STORE_DOCUMENT_KEY ? Kind.NODE_DISCONNECTED : Kind.CONSENSUS_TEMPORARY_UNREACHABLE);
        }
        if (endpoint == Endpoint.RETRIEVE_SERVER_KEY) return new Known(winner.author(), winner.publicKey());
        SortedSet<NodeId> agreeing = groups.get(winner);
        List<NodeId> suitable = new ArrayList<>();
        for (NodeId node : agreeing) {
            DelegationMessage.Held r = reports.get(node);
            if (r.usable() && (!endpoint.needsDocumentKey() || r.documentKey())) suitable.add(node);
        }
        if (!suitable.isEmpty()) return new Delegate(suitable, winner.threshold());
        // Nobody has more than the entry node: its own answer. Without the key itself, a holder's answer
        // (404 DocumentKeyIsNotFound, 403 ConsensusUnreachable) is what a client asking a holder gets.
        return heldLocally ? new RunLocally() : new Delegate(List.copyOf(agreeing), winner.threshold());
    }

    private static Identity identity(DelegationMessage.Held r) {
        return new Identity(r.author(), r.threshold(), r.publicKey());
    }

    /** How many identical reports make a key's public data: t+1, and never a single member. */
    static long required(int threshold) {
        return Math.max((long) threshold + 1, 2);
    }
}
