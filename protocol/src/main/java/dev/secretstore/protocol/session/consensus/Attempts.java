package dev.secretstore.protocol.session.consensus;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.protocol.Culprit;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.key.VersionMetadata;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The master's attempts of a key-use request (identifiable abort, crypto.md §11.3): each attempt has a
 * fresh random id, a key version and a group chosen by the {@link AclConsensus}. A member blamed for a
 * faulty contribution, a refusal, a complaint or a lost connection is excluded as a {@link Culprit}; if it
 * was in the running attempt, the attempt ends and the next one starts with a new group and id while the
 * consensus still has one, otherwise the request fails with the consensus' verdict and its culprits.
 */
public final class Attempts {
    /** One attempt: its id, the key version every member uses, and the group in ascending node id order. */
    public record Attempt(H256 id, VersionMetadata version, List<NodeId> group) {
        public Attempt {
            group = List.copyOf(group);
        }

        public boolean has(NodeId member) {
            return group.contains(member);
        }

        /** The members' node ids, in group order, as the threshold math takes them. */
        public List<PublicPoint> points() {
            return group.stream().map(NodeId::publicKey).toList();
        }
    }

    /** The rounds an attempt runs (the session's computation), as the attempts component drives them. */
    public interface Rounds {
        /** A fresh attempt starts: ask its group for the first contribution. */
        void begin(Attempt attempt);

        /** The attempt is over (restart or end): drop and wipe its state. */
        void drop();

        /** Whether {@code member} already made its last contribution to the running attempt (a refusal then changes nothing). */
        boolean contributed(NodeId member);

        /**
         * A vote came in while a presumed attempt runs ({@link Attempts#presume}); rounds that wait for
         * {@link Attempts#confirmed()} before they finish check again.
         */
        default void voted() {}

        /**
         * The running attempt has every contribution it needs and computes its result (off the loop, say): a member it
         * loses now is no longer needed, so it is not blamed and the attempt goes on ({@link Attempts#lost}).
         */
        default boolean finishing() {
            return false;
        }

        /** Members whose message the running attempt still waits for and whose silence is their fault. */
        default Set<NodeId> awaited() {
            return Set.of();
        }
    }

    private final AclConsensus consensus;
    private final SecureRandom rng;
    private final Rounds rounds;
    private final Consumer<SecretStoreException> fail;
    private final Logger log;
    private final String label;
    private final List<Culprit> culprits = new ArrayList<>();
    private Attempt current;
    /** The running attempt was started before the votes (one round trip); it needs every member's yes to finish. */
    private boolean presumed;
    private int presumedCount;
    private int fallbacks;
    private int count;
    private boolean ended;

    /** {@code fail} ends the session; {@code label} names the request in logs. */
    public Attempts(AclConsensus consensus, SecureRandom rng, Rounds rounds, Consumer<SecretStoreException> fail, Logger log, String label) {
        this.consensus = consensus;
        this.rng = rng;
        this.rounds = rounds;
        this.fail = fail;
        this.log = log;
        this.label = label;
    }

    /** After a vote or an exclusion: starts an attempt if none runs and the consensus has a group, fails if it never will. */
    public void advance() {
        if (ended || current != null) return;
        AclConsensus.Choice choice = consensus.choose();
        if (choice instanceof AclConsensus.Ready r) {
            start(r);
        } else if (choice instanceof AclConsensus.Unreachable u) {
            fail.accept(failure(u.kind()));
        }
    }

    /**
     * One round trip (issue #18): starts the first attempt before any vote, with the group
     * {@link AclConsensus#presume} picks, so that its requests travel with the consensus request. Such an attempt
     * finishes only when every member of its group voted yes holding its version ({@link #confirmed()}); a member
     * of it that votes no or lacks the version ends it without blame ({@link #onVote}), and the request goes on as
     * usual from the votes. False if no attempt was started (no such group, or one runs already).
     */
    public boolean presume(NodeId self) {
        if (ended || current != null) return false;
        java.util.Optional<AclConsensus.Ready> group = consensus.presume(self);
        if (group.isEmpty()) return false;
        presumed = true;
        presumedCount++;
        start(group.get());
        return true;
    }

    /**
     * After {@code node}'s vote was recorded: a presumed attempt whose member cannot contribute (said no, or does not
     * hold the attempt's version committed) ends without blame, the fallback to an attempt chosen from the votes;
     * otherwise the rounds hear of it ({@link Rounds#voted()}).
     */
    public void onVote(NodeId node) {
        if (current == null || !presumed || !current.has(node)) return;
        if (!consensus.approved(node, current.version().id())) {
            fallbacks++;
            log.fine(() -> label + ": presumed group member " + node.shortId() + " cannot contribute; falling back to the votes");
            end();
            return;
        }
        rounds.voted();
    }

    /**
     * Whether every member of the running attempt approved the request with its version: always for an attempt chosen
     * from the votes, and for a presumed one once every member's yes arrived. Rounds finish only a confirmed attempt.
     */
    public boolean confirmed() {
        if (current == null) return false;
        if (!presumed) return true;
        for (NodeId member : current.group()) {
            if (!consensus.approved(member, current.version().id())) return false;
        }
        return true;
    }

    private void start(AclConsensus.Ready r) {
        count++;
        byte[] id = new byte[32];
        rng.nextBytes(id);
        current = new Attempt(H256.fromBytes(id), r.version(), r.group());
        log.fine(() -> label + " attempt " + count + " with version " + r.version().id() + " and group "
                + r.group().stream().map(NodeId::shortId).toList());
        rounds.begin(current);
    }

    /** The attempt cannot finish through nobody's fault (a zero challenge or aggregate): again, with fresh randomness. */
    public void restart() {
        end();
        advance();
    }

    /** Ends the running attempt, if any. */
    public void end() {
        if (current == null) return;
        current = null;
        presumed = false;
        rounds.drop();
    }

    /** The session ended: no attempt starts any more. */
    public void close() {
        end();
        ended = true;
    }

    /**
     * Identifiable abort: excludes the culprit's node from this request and logs why; if it was in the
     * running attempt, the next attempt starts (or the request fails). Once per node.
     */
    public void blame(Culprit culprit) {
        if (ended || !exclude(culprit)) return;
        if (current != null && current.has(culprit.node())) end();
        advance();
    }

    /** Excludes the culprit's node without moving on (the caller blames another node next). */
    public boolean exclude(Culprit culprit) {
        boolean added = culprit.lost() ? consensus.lose(culprit.node()) : consensus.exclude(culprit.node());
        if (!added) return false;
        culprits.add(culprit);
        log.warning(() -> label + ": " + culprit.node().toHex() + " excluded: " + culprit.reason() + " (" + culprit.detail() + ")");
        return true;
    }

    /** A node's connection dropped: blamed if the running attempt needs it, otherwise just no longer asked. */
    public void lost(NodeId node) {
        if (current != null && current.has(node) && !rounds.finishing()) {
            blame(new Culprit(node, Culprit.Reason.DISCONNECTED, "disconnected during the computation"));
        } else if (consensus.lose(node)) {
            advance(); // an undecided voter counts as lost; a spare yes-sayer is no longer usable
        }
    }

    /** Stalled (SEC-19): names the members the running attempt still waits for. */
    public void stalled() {
        if (current == null) return;
        for (NodeId node : new LinkedHashSet<>(rounds.awaited())) {
            exclude(new Culprit(node, Culprit.Reason.NO_ANSWER, "no answer before the stall timeout"));
        }
    }

    /** {@code kind} with this request's culprits attached. */
    public SecretStoreException failure(SecretStoreException.Kind kind) {
        return SecretStoreException.of(kind).withCulprits(culprits);
    }

    /** The running attempt, or null between attempts. */
    public Attempt current() {
        return current;
    }

    /** {@code attempt} is the running attempt and {@code member} is in its group. */
    public boolean inAttempt(H256 attempt, NodeId member) {
        return current != null && current.id().equals(attempt) && current.has(member);
    }

    /** How many attempts were started. */
    public int count() {
        return count;
    }

    /** How many attempts were started before the votes ({@link #presume}), and how many of them a vote ended. */
    public int presumedCount() {
        return presumedCount;
    }

    public int fallbacks() {
        return fallbacks;
    }

    /** Whether the running attempt was started before the votes. */
    public boolean isPresumed() {
        return current != null && presumed;
    }

    /** Every node excluded, in the order it was blamed. */
    public List<Culprit> culprits() {
        return List.copyOf(culprits);
    }
}
