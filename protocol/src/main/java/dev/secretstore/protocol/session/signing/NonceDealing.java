package dev.secretstore.protocol.session.signing;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.threshold.CommitmentVector;
import dev.secretstore.crypto.threshold.Polynomial;
import dev.secretstore.protocol.Culprit;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.key.KeyRead;
import dev.secretstore.protocol.key.KeyVersion;
import dev.secretstore.protocol.key.OwnShare;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.consensus.Attempts;
import dev.secretstore.protocol.session.consensus.KeyUse;
import dev.secretstore.protocol.session.dealing.DealingMessage;
import dev.secretstore.protocol.session.dealing.FeldmanDealing;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.logging.Logger;

/**
 * How a signing session runs {@link FeldmanDealing} for its nonces, once per attempt (crypto.md
 * §10.3.4): on the master a {@link FeldmanDealing.Master} per attempt whose verdicts go to the attempts
 * component, on every group member a {@link FeldmanDealing.Member} whose polynomials are hedged with the
 * member's share of the attempt's key version (SEC-08). The scheme says which sharings it deals, keeps
 * what it needs of its own polynomials, and gets the agreed vectors.
 */
final class NonceDealing {
    private final KeyUse<?> use;
    private final IntFunction<List<FeldmanDealing.Sharing>> sharings;
    private final IntFunction<Integer> groupSize;
    private final boolean keepShares;
    private final Consumer<List<Polynomial>> keepOwn;
    private final Runnable dropNonces;
    private final BiConsumer<Attempts.Attempt, Map<NodeId, List<CommitmentVector>>> agreed;
    private final Consumer<H256> bound;
    private final SecureRandom rng;
    private final Logger log;

    // ---- master, per attempt
    private Attempts.Attempt attempt;
    private FeldmanDealing.Master master;

    // ---- member, per attempt
    /** A presumed attempt's request that came before this node's own ACL answered; it waits for the answer. */
    private DealingMessage.Request waiting;
    private FeldmanDealing.Member member;
    private KeyVersion version;

    /**
     * @param sharings   the scheme's sharings for a key threshold, in wire order
     * @param keepShares whether the member needs the sums of the dealt shares ({@link #takeSums})
     * @param keepOwn    member: keeps what the scheme needs of its own polynomials before they are wiped
     * @param dropNonces member: wipes the scheme's nonce material (a new attempt, a failed dealing, the end)
     * @param agreed     master: every dealer's vectors agreed; the scheme's rounds go on
     * @param bound      member: the dealing of the attempt completed here and every vector is bound to its dealer's
     *                   committed hash ({@link FeldmanDealing.Member#boundToHashes}); the scheme may contribute at once,
     *                   ahead of this member's ready report (one round trip less, issue #18)
     */
    NonceDealing(KeyUse<?> use, IntFunction<List<FeldmanDealing.Sharing>> sharings, IntFunction<Integer> groupSize, boolean keepShares,
                 Consumer<List<Polynomial>> keepOwn, Runnable dropNonces,
                 BiConsumer<Attempts.Attempt, Map<NodeId, List<CommitmentVector>>> agreed, Consumer<H256> bound, SecureRandom rng,
                 Logger log) {
        this.use = use;
        this.sharings = sharings;
        this.groupSize = groupSize;
        this.keepShares = keepShares;
        this.keepOwn = keepOwn;
        this.dropNonces = dropNonces;
        this.agreed = agreed;
        this.bound = bound;
        this.rng = rng;
        this.log = log;
    }

    // ================================================================== master

    /** A fresh attempt: the group deals fresh nonces. */
    void begin(Attempts.Attempt a) {
        attempt = a;
        master = new FeldmanDealing.Master(sharings.apply(a.version().threshold()), a.id(), a.group());
        use.toGroup(a, master.request(a.version().id()));
    }

    void drop() {
        attempt = null;
        master = null;
    }

    /** Members the dealing still waits for (named when the session stalls). */
    Set<NodeId> awaited() {
        return master == null ? Set.of() : master.awaited();
    }

    private void step(FeldmanDealing.Step step) {
        if (step instanceof FeldmanDealing.Blame b) {
            List<Culprit> culprits = b.culprits();
            for (Culprit c : culprits.subList(0, culprits.size() - 1)) use.attempts().exclude(c);
            use.attempts().blame(culprits.get(culprits.size() - 1));
        } else if (step instanceof FeldmanDealing.Agreed a) {
            Attempts.Attempt current = attempt;
            master = null; // the dealing of this attempt is over
            agreed.accept(current, a.vectors());
        }
    }

    // ================================================================== routing

    /** Handles the dealing messages; false for any other. */
    boolean handle(NodeId from, SessionMessage m) {
        if (!(m instanceof DealingMessage d)) return false;
        boolean fromMaster = from.equals(use.key().master());
        if (d instanceof DealingMessage.Request r) {
            if (fromMaster) onRequest(r);
        } else if (d instanceof DealingMessage.Hashes h) {
            if (fromMaster) onHashes(h);
        } else if (d instanceof DealingMessage.Deal deal) {
            onDeal(from, deal);
        } else if (use.isMaster() && master != null) {
            if (d instanceof DealingMessage.Hash h) {
                master.onHash(from, h).ifPresent(hashes -> use.toGroup(attempt, hashes));
            } else if (d instanceof DealingMessage.Commitment c) {
                step(master.onCommitment(from, c));
            } else if (d instanceof DealingMessage.Ready r) {
                step(master.onReady(from, r));
            } else if (d instanceof DealingMessage.Complaint c) {
                step(master.onComplaint(from, c));
            }
        }
        return true;
    }

    // ================================================================== member

    /**
     * A request that comes before this node answered the consensus (the presumed attempt the master sent right behind
     * its consensus request, issue #18) waits for this node's own ACL answer (SEC-21): nothing derived from the share,
     * not even the hash of hedged nonce vectors, leaves this node before its own yes. At most one waits.
     */
    private void onRequest(DealingMessage.Request r) {
        if (use.member().answered()) {
            start(r, false);
            return;
        }
        if (waiting != null) return; // a master presumes one attempt
        waiting = r;
        use.afterAnswer(() -> {
            DealingMessage.Request w = waiting;
            waiting = null;
            if (w != null && !use.isFinished()) start(w, true);
        });
    }

    /**
     * Starts this node's dealing for {@code r}, or refuses it. A presumed request ({@code presumed}) that this node's ACL
     * refused, or for a version it does not hold committed, gets no answer at all: its vote already told the master,
     * which falls back without blame.
     */
    private void start(DealingMessage.Request r, boolean presumed) {
        if (!use.member().firstRequest(r.attemptId())) return; // each attempt id is answered once
        if (presumed && !use.member().approvedWith(r.version())) {
            log.fine(() -> "signing " + use.key() + ": presumed attempt " + r.attemptId() + " not answered (this node's vote said why)");
            return;
        }
        dropMember(); // a new attempt: the previous nonces are destroyed unused (SEC-08)
        Optional<String> refusal = use.member().refusal(r.group(), r.version());
        if (refusal.isEmpty()) {
            int size = groupSize.apply(use.member().version(r.version()).orElseThrow().threshold());
            if (r.group().size() != size) refusal = Optional.of("group size is not " + size);
        }
        if (use.refuseIf(r.attemptId(), refusal)) return;
        // The one storage read of this attempt: the checked share hedges the nonces and signs later.
        version = use.read(r.version()).flatMap(KeyRead::share).map(OwnShare::keyVersion).orElse(null);
        if (use.refuseIf(r.attemptId(), version == null ? Optional.of("version " + r.version() + " cannot be read") : Optional.empty())) return;
        member = new FeldmanDealing.Member(sharings.apply(version.threshold()), use.self(), use.key().master(), r.attemptId(), r.group(),
                version.thresholdIds(), keepShares, use::sendWithinRound);
        FeldmanDealing.Member m = member;
        member.beforeReady(() -> {
            if (m == member && m.boundToHashes()) bound.accept(m.attempt());
        });
        member.start(version.share(), use.proofContext(r.attemptId(), use.self()), rng, keepOwn);
    }

    private void onHashes(DealingMessage.Hashes h) {
        if (member == null) return;
        Optional<String> refusal = member.reveal(h);
        if (refusal.isPresent()) {
            dropNonces.run();
            use.refuseIf(h.attemptId(), refusal);
        }
    }

    private void onDeal(NodeId from, DealingMessage.Deal d) {
        if (member == null || !use.member().consensusGroup().contains(from)) {
            d.shares().forEach(dev.secretstore.crypto.SecretScalar::destroy); // stale: nobody deals before every member committed
            return;
        }
        member.onDeal(from, d).ifPresent(reason -> {
            log.warning(() -> "signing " + use.key() + ": " + reason);
            dropNonces.run();
        });
    }

    /** Wipes the member's dealing and the scheme's nonces. */
    void dropMember() {
        waiting = null;
        dropNonces.run();
        if (member != null) member.destroy();
        member = null;
        version = null;
    }

    /** Member: {@code attempt}'s dealing completed here without a complaint. */
    boolean ready(H256 attemptId) {
        return isAttempt(attemptId) && member.ready();
    }

    /** Member: {@code attempt} is the one this node deals for. */
    boolean isAttempt(H256 attemptId) {
        return member != null && member.attempt().equals(attemptId);
    }

    /** Member: the dealing of the current attempt. */
    FeldmanDealing.Member member() {
        return member;
    }

    /** Member: the key version of the current attempt. */
    KeyVersion version() {
        return version;
    }
}
