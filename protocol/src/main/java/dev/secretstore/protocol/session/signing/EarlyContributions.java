package dev.secretstore.protocol.session.signing;

import dev.secretstore.protocol.NodeId;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A signing master's contributions of the running attempt that members sent ahead of its request (issue #18: a member
 * whose nonce dealing completed with every vector bound to its dealer's committed hash contributes right before its
 * ready report). They are held unverified and unused until the attempt's public values are fixed (the vectors agreed),
 * then {@linkplain #release released}: the members whose contribution did not come are asked for it, and the held ones
 * go to verification (SEC-13, SEC-14: nothing unverified is ever used). One per master; not thread-safe (the session's
 * steps).
 */
final class EarlyContributions<T> {
    private final Map<NodeId, T> held = new HashMap<>();

    /** Holds {@code member}'s contribution until {@link #release}; the first one of a member counts. */
    void hold(NodeId member, T contribution) {
        held.putIfAbsent(member, contribution);
    }

    /** True while {@code member}'s contribution is held. */
    boolean holds(NodeId member) {
        return held.containsKey(member);
    }

    /**
     * The attempt's public values are fixed: {@code ask} each member of {@code group} whose contribution is not held,
     * then {@code verify} each held one, as long as the attempt still runs ({@code running}: a verification that blames
     * inline ends it, and the rest are then dropped with it). Nothing stays held.
     */
    void release(Collection<NodeId> group, Consumer<NodeId> ask, BiConsumer<NodeId, T> verify, BooleanSupplier running) {
        for (NodeId member : group) {
            if (!held.containsKey(member)) ask.accept(member);
        }
        Map<NodeId, T> received = new HashMap<>(held);
        held.clear();
        for (Map.Entry<NodeId, T> entry : received.entrySet()) {
            if (!running.getAsBoolean()) return;
            verify.accept(entry.getKey(), entry.getValue());
        }
    }

    /** Drops every held contribution (the attempt ended). */
    void clear() {
        held.clear();
    }
}
