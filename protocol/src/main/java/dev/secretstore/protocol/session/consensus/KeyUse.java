package dev.secretstore.protocol.session.consensus;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.crypto.threshold.ProofContext;
import dev.secretstore.protocol.Culprit;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.acl.AclChecker;
import dev.secretstore.protocol.acl.PinnedBlock;
import dev.secretstore.protocol.auth.RequesterCheck;
import dev.secretstore.protocol.key.KeyMetadata;
import dev.secretstore.protocol.key.KeyRead;
import dev.secretstore.protocol.key.KeyStorage;
import dev.secretstore.protocol.key.VersionMetadata;
import dev.secretstore.protocol.session.ClusterSessions;
import dev.secretstore.protocol.session.ClusterView;
import dev.secretstore.protocol.session.Offload;
import dev.secretstore.protocol.session.Outbox;
import dev.secretstore.protocol.session.Session;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionMessage;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.IntUnaryOperator;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The part every session that uses a key on a requester's behalf composes (document key retrieval,
 * Schnorr and ECDSA signing): identity, outcome and audit line of the request, the ACL consensus
 * ({@link AclConsensus} on the master, {@link ConsensusMember} on every node asked) and the master's
 * {@link Attempts}. The session adds its rounds ({@link Attempts.Rounds} on the master, its own member
 * role) and hands every message it does not handle itself to {@link #handle}.
 *
 * <p><b>Consensus.</b> The master pins one chain block (acl-and-config.md §2.3) and sends the request
 * to every connected holder of a candidate version, itself included. Each node asked answers from its
 * own ACL, asynchronously, back on the cluster loop (SEC-21: errors deny; the master's own failing check
 * is a 500, §2.4), naming the versions it holds committed; a node holding none says no without an ACL
 * call. The master then runs attempts ({@link Attempts}) until one succeeds or no group remains. One
 * audit line per request (SEC-29).
 *
 * <p><b>Who asked</b> (SEC-31, SEC-32). The request carries the requester's own credential, never an address
 * on the master's word. Every node asked, the master included, derives the requester from it with its own
 * {@link RequesterCheck} (signature, legacy policy, expiry, the nonce spent on this session's key) and asks
 * its ACL about that requester only; the master derives it once, when it asks, and answers its own request with it.
 * The derivation's ECDSA recovery is pure and runs through the session's {@link Offload} ({@link #offload(Offload)});
 * the policy, the expiry and the nonce are checked in the session's steps. A node that cannot derive one answers no and ends its side of the
 * session blaming the master ({@link Culprit.Reason#UNAUTHORIZED_REQUEST}); the master's request then ends
 * with the usual consensus error.
 *
 * <p><b>Delivery.</b> Every message, the master's to itself included, goes through the outbox and comes
 * back through the session manager's queue: nothing is handled re-entrantly.
 *
 * @param <T> the master's result; members finish with {@code null}
 */
public final class KeyUse<T> {
    /**
     * What kind of key use: its log label, group size for a threshold, which versions it can use at all, and the
     * operations (HTTP endpoints) a requester's credential may authorize it for.
     */
    public record Profile(String label, IntUnaryOperator groupSize, Predicate<VersionMetadata> usable, Set<Operation> operations) {
        public Profile {
            operations = Set.copyOf(operations);
        }

        public Profile(String label, IntUnaryOperator groupSize, Set<Operation> operations) {
            this(label, groupSize, v -> true, operations);
        }
    }

    /** Master: this node's committed key metadata (if any), the versions a request may use, and whom it asks. */
    public record Located(Optional<KeyMetadata> key, List<VersionMetadata> candidates, SortedSet<NodeId> asked) {}

    private final SessionKey key;
    private final NodeId self;
    private final SortedSet<NodeId> participants;
    private final Outbox outbox;
    private final Profile profile;
    private final KeyStorage storage;
    private final AclChecker acl;
    private final RequesterCheck requesters;
    private final Executor reentry;
    private final H256 keyId;
    private final Logger log;
    private final CompletableFuture<T> result = new CompletableFuture<>();
    private SecretStoreException failure;
    private Runnable release = () -> { };
    private final ConsensusMember member;
    /** Member: the master, once it asked for work the requester did not authorize (SEC-31); this side then ends failed. */
    private Culprit unauthorized;
    /**
     * This request's one storage read (issue #18): the key's metadata with this node's share of the version a group
     * most likely uses. {@link #read} serves that version from it; any other version is read from storage.
     */
    private Optional<KeyRead> firstRead = Optional.empty();
    /** Member: what runs once this node answered the consensus request (a held presumed attempt). */
    private Runnable afterAnswer = () -> { };
    /** Master: start the first attempt together with the consensus request ({@link #askWithFirstAttempt}). */
    private boolean presumeFirst;
    /** Master: member round trips this request used, and whether one is in flight (no member answered since). */
    private int roundTrips;
    private boolean inFlight;

    /** Where this node's derivation of the requester from a credential runs (its ECDSA recovery); {@link #offload(Offload)}. */
    private Offload offload = Offload.INLINE;

    // ---- master only
    /** Who asked: as the caller passed it until {@link #claim}, then as this node derived it from the credential. */
    private Requester requester;
    /** Master: the message hash {@link #ask} derived {@link #requester} for; null until then. */
    private H256 claimedFor;
    private final Operation operation;
    private AclConsensus consensus;
    /** Master: the key as {@link #locate} read it; its own consensus request is answered from it, not a second read. */
    private Optional<KeyMetadata> located = Optional.empty();
    private Attempts attempts;
    private Attempts.Rounds rounds;
    /** This node's own ACL decision and the block it judged at, once its ACL answered (SEC-29). */
    private Boolean aclAllowed;
    private OptionalLong aclBlock = OptionalLong.empty();

    /**
     * {@code requester} and {@code operation}: who asked for what, on the master (its credential is forwarded and
     * checked by every node asked); null on members. {@code requesters}: how this node derives a requester from a
     * credential (SEC-31).
     */
    public KeyUse(SessionKey key, NodeId self, Set<NodeId> participants, Outbox outbox, Profile profile, KeyStorage storage,
                  AclChecker acl, RequesterCheck requesters, Executor reentry, H256 keyId, Requester requester, Operation operation,
                  Logger log) {
        if (operation != null && !profile.operations().contains(operation)) {
            throw new IllegalArgumentException(profile.label() + " does not serve operation " + operation);
        }
        this.key = key;
        this.self = self;
        this.participants = new TreeSet<>(participants);
        this.outbox = outbox;
        this.profile = profile;
        this.storage = storage;
        this.acl = acl;
        this.requesters = java.util.Objects.requireNonNull(requesters, "requesters");
        this.reentry = reentry;
        this.keyId = keyId;
        this.requester = requester;
        this.operation = operation;
        this.log = log;
        this.member = new ConsensusMember(self);
    }

    // ================================================================== creation

    /** Master: the stored key, the candidate versions (newest first) and whom to ask: itself and every connected holder of one. */
    public static Located locate(ClusterView cluster, KeyStorage storage, H256 keyId, Profile profile) {
        return locate(cluster, storage.metadata(keyId), profile); // public state only: nothing unsealed to choose
    }

    /** As above, from the key's metadata the caller already read for this request (one read per request). */
    public static Located locate(ClusterView cluster, Optional<KeyMetadata> key, Profile profile) {
        List<VersionMetadata> candidates = key.map(k -> AclConsensus.candidates(k, profile.groupSize().applyAsInt(k.threshold()),
                profile.usable())).orElse(List.of());
        SortedSet<NodeId> asked = new TreeSet<>();
        asked.add(cluster.self());
        for (VersionMetadata v : candidates) {
            for (NodeId holder : v.idNumbers().keySet()) {
                if (cluster.isConnected(holder)) asked.add(holder);
            }
        }
        return new Located(key, candidates, asked);
    }

    /** Builds a member's session from the master's consensus request; refuses one that does not name this node and the master. */
    public static ClusterSessions.SlaveFactory memberFactory(ClusterView cluster, MemberConstructor constructor) {
        return (init, outbox) -> {
            if (!(init.body() instanceof ConsensusMessage.Request m)) return Optional.empty();
            NodeId self = cluster.self();
            if (!m.consensusGroup().contains(self) || !m.consensusGroup().contains(init.master())) return Optional.empty();
            return Optional.of(constructor.create(init.key(), self, m, outbox));
        };
    }

    /** Creates a member's session from a checked consensus request. */
    @FunctionalInterface
    public interface MemberConstructor {
        Session create(SessionKey key, NodeId self, ConsensusMessage.Request request, Outbox outbox);
    }

    /**
     * Master: opens the consensus over {@code found} with the session's rounds; fails at once (and returns
     * false) for an unknown key (404) or a key without a usable version. When too few holders are connected
     * the request still asks the connected ones, so that their answers decide between a refusal and the
     * temporary variant ({@link AclConsensus#choose()}).
     */
    public boolean open(Located found, Attempts.Rounds rounds, SecureRandom rng) {
        return open(found, rounds, rng, Set.of());
    }

    /**
     * As {@link #open(Located, Attempts.Rounds, SecureRandom)}, never choosing a node of {@code withoutMembers} for a
     * group (the requester asked to leave them out, SEC-33). They are still asked, but their votes do not count; they
     * are not culprits, and when too few others remain the request is {@code CONSENSUS_UNREACHABLE} as usual.
     */
    public boolean open(Located found, Attempts.Rounds rounds, SecureRandom rng, Set<NodeId> withoutMembers) {
        if (found.key().isEmpty()) {
            fail(SecretStoreException.of(Kind.SERVER_KEY_IS_NOT_FOUND));
            return false;
        }
        this.rounds = rounds;
        this.located = found.key();
        int groupSize = profile.groupSize().applyAsInt(found.key().get().threshold());
        consensus = new AclConsensus(found.candidates(), participants, groupSize);
        withoutMembers.forEach(consensus::exclude);
        attempts = new Attempts(consensus, rng, rounds, this::fail, log, profile.label() + " with key " + keyId.toHex() + " session " + key);
        if (found.candidates().isEmpty()) {
            fail(SecretStoreException.of(Kind.CONSENSUS_UNREACHABLE));
            return false;
        }
        attempts.advance();
        return !isFinished();
    }

    /** What to wipe when the session ends either way (the member's secrets). */
    public void onEnd(Runnable release) {
        this.release = release;
    }

    /**
     * Master: derives the requester from its credential for this session's operation with {@code params} (the
     * message hash to sign, zero for decryption) exactly as every member will (SEC-31), spending a fresh
     * authorization's nonce on this session. A credential this node does not accept ends the request with the
     * check's error (400 bad signature or authorization, 403 fresh authorization required, retryable 500 while
     * the nonce memory is full); returns false then.
     */
    public boolean claim(H256 params) {
        try {
            requester = requesters.claim(requester.credential(), operation, keyId, params, key);
            claimedFor = params;
            return true;
        } catch (SecretStoreException e) {
            refuseCredential(e);
            return false;
        }
    }

    /**
     * Where this node derives the requester from a credential (the ECDSA recovery of the master's {@link #ask} and of
     * every member's answer to the consensus request): through the session's {@link Offload}, off the cluster loop in
     * a node. Every check that needs this node's policy, clock or nonce memory stays in the session's steps
     * ({@link RequesterCheck#admit}, {@link RequesterCheck#spend}). {@link Offload#INLINE} unless set; set it before
     * the first message.
     */
    public void offload(Offload offload) {
        this.offload = java.util.Objects.requireNonNull(offload, "offload");
    }

    /**
     * Master: {@link #claim}, with the recovery through the {@link #offload(Offload)}: {@code then} runs, as a step of
     * the session, once the requester is derived; a refused credential ends the request as in {@link #claim}.
     */
    private void claimThen(H256 params, Runnable then) {
        RequesterCheck.Admitted admitted;
        try {
            admitted = requesters.admit(requester.credential(), operation, keyId, params);
        } catch (SecretStoreException e) {
            refuseCredential(e);
            return;
        }
        offload.run(admitted::recover, recovered -> {
            if (isFinished()) return;
            try {
                requester = requesters.spend(recovered, key);
            } catch (SecretStoreException e) {
                refuseCredential(e);
                return;
            }
            claimedFor = params;
            then.run();
        }, e -> {
            if (refusal(e)) {
                refuseCredential((SecretStoreException) e);
            } else if (e instanceof SecretStoreException s) {
                fail(s); // not the credential's fault (the node is shutting down, say): the request just fails
            } else {
                throw e;
            }
        });
    }

    /** Whether an offloaded recovery failed because of the credential ({@link RequesterCheck.Admitted#recover()}'s error). */
    private static boolean refusal(RuntimeException e) {
        return e instanceof SecretStoreException s && s.kind() == Kind.INSUFFICIENT_REQUESTER_DATA;
    }

    private void refuseCredential(SecretStoreException e) {
        log.warning(() -> profile.label() + " with key " + keyId.toHex() + " in " + key + ": requester's credential refused: "
                + e.displayText());
        fail(e);
    }

    /**
     * Master: {@link #claim}s the requester for {@code messageHash}, pins the chain block and asks every node of
     * the consensus, itself included, forwarding the requester's credential. With an {@link #offload(Offload)} the
     * claim's recovery runs off the loop and the rest follows as a step of the session.
     */
    public void ask(H256 messageHash) {
        claimThen(messageHash, () -> askClaimed(messageHash));
    }

    private void askClaimed(H256 messageHash) {
        List<H256> versions = consensus.candidateVersions().stream().map(VersionMetadata::id).toList();
        pinBlock(block -> {
            ConsensusMessage.Request request = new ConsensusMessage.Request(keyId, requester.credential(), operation, versions,
                    messageHash, List.copyOf(participants), PinnedBlock.toWire(block));
            // Itself first: its own ACL answer (which starts a presumed attempt) is then ahead of every member's.
            send(self, request);
            for (NodeId node : participants) {
                if (!node.equals(self)) send(node, request);
            }
        });
    }

    /**
     * Master: {@link #ask}, and as soon as this node's own ACL said yes (on the loop, long before a member's answer
     * can come back), the first attempt's requests to the group {@link AclConsensus#presume} picks, so that they
     * travel in the same round trip as the consensus request (issue #18: the common path costs one member round
     * trip). Each member answers such a request only after its own ACL said yes and only for a version it holds
     * committed; the attempt finishes only once every member's yes arrived, and any refusal, fault, missing version
     * or lost member falls back to the attempts chosen from the votes ({@link Attempts#presume}). A master whose own
     * ACL refuses asks nobody for a contribution before the votes.
     */
    public void askWithFirstAttempt(H256 messageHash) {
        presumeFirst = true;
        ask(messageHash);
    }

    /**
     * Master: picks the chain block every member checks at (acl-and-config.md §2.3) and continues with it:
     * before this returns when the head is known (every checker without a chain), otherwise on the loop. A
     * head the checker cannot give is a 500 (§2.4, SEC-21).
     */
    public void pinBlock(Consumer<OptionalLong> then) {
        PinnedBlock.pin(acl, reentry, block -> {
            if (!isFinished()) then.accept(block);
        }, error -> {
            if (isFinished()) return;
            log.warning(() -> "ACL denied key " + keyId.toHex() + " for " + requester.address() + " in " + key
                    + ": cannot pin a chain block: " + error);
            fail(SecretStoreException.of(Kind.INTERNAL, "cannot read the chain head for the ACL check"));
        });
    }

    /**
     * Asks this node's own ACL; any exceptional completion or missing answer is a denial (SEC-21). The
     * answer comes back on the loop, is logged with its chain view, and reaches {@code then} unless the
     * session ended. On the master a failing check ends the request with a 500 instead (§2.4).
     */
    public void askOwnAcl(Address address, OptionalLong block, Consumer<Boolean> then) {
        CompletionStage<AclChecker.Decision> stage;
        try {
            stage = acl.check(address, keyId, block);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenCompleteAsync((decision, error) -> {
            boolean allowed = error == null && decision != null && decision.allowed();
            if (isMaster() && (error != null || decision == null || decision.error().isPresent())) {
                String detail = decision != null && decision.error().isPresent() ? decision.error().get()
                        : "ACL check failed: " + (error == null ? "no answer" : error.getClass().getSimpleName());
                log.warning(() -> "ACL check failed on the master for key " + keyId.toHex() + " in " + key + ": " + detail);
                fail(SecretStoreException.of(Kind.INTERNAL, detail));
                return;
            }
            log.info(() -> "ACL " + (allowed ? "allowed" : "denied") + " " + profile.label() + " with key " + keyId.toHex() + " for "
                    + address + " in " + key + " at " + (decision == null ? "error: " + error : decision.evaluatedAt()));
            if (isFinished()) return;
            aclAllowed = allowed;
            aclBlock = block;
            then.accept(allowed);
        }, reentry);
    }

    // ================================================================== messages

    /**
     * Handles the consensus messages; false for any other (the session's rounds). Requests and the
     * outcome must come from the master; answers only matter on the master.
     */
    public boolean handle(NodeId from, SessionMessage m) {
        if (!from.equals(self)) inFlight = false; // a member answered: the next request to members is another round trip
        if (!(m instanceof ConsensusMessage c)) return false;
        boolean fromMaster = from.equals(key.master());
        if (c instanceof ConsensusMessage.Request r) {
            if (fromMaster) onRequest(r);
        } else if (c instanceof ConsensusMessage.Response r) {
            if (isMaster() && consensus != null && consensus.record(from, r.allowed(), r.committed())) {
                attempts.onVote(from);
                attempts.advance();
                if (presumeFirst && from.equals(self)) attempts.presume(self); // nothing if an attempt runs or it said no
            }
        } else if (c instanceof ConsensusMessage.Refused r) {
            if (isMaster() && attempts != null && attempts.inAttempt(r.attemptId(), from) && !rounds.contributed(from)) {
                attempts.blame(new Culprit(from, Culprit.Reason.REFUSED, "refused the " + profile.label() + " request"));
            }
        } else if (c instanceof ConsensusMessage.Done d) {
            if (fromMaster && !isMaster()) {
                if (d.success() && unauthorized == null) {
                    succeed(null);
                } else {
                    fail(SecretStoreException.of(Kind.CONSENSUS_UNREACHABLE));
                }
            }
        }
        return true;
    }

    /**
     * Member (the master too): derives the requester from the forwarded credential (SEC-31), then answers the
     * consensus from its committed versions and its own ACL about that requester.
     */
    private void onRequest(ConsensusMessage.Request r) {
        if (member.wasAsked()) return; // repeated (SEC-18): no second read
        Optional<KeyMetadata> stored;
        try {
            if (!isMaster()) firstRead = readOnce(storage, keyId, ConsensusMember.preferred(self, r.versions(), profile.usable()));
            stored = isMaster() ? located : firstRead.map(KeyRead::key);
        } catch (RuntimeException e) {
            // A damaged store cannot serve this key; answer no at once rather than leaving the master waiting.
            log.log(Level.WARNING, profile.label() + " " + key + ": cannot read key " + keyId.toHex() + ": " + e.getMessage());
            stored = Optional.empty();
        }
        Optional<List<H256>> held = member.open(r, keyId, stored, profile.usable());
        if (held.isEmpty()) return; // repeated
        if (isMaster() && ownRequest(r)) {
            consider(r, requester, held.get()); // derived by this node's own check when it asked (claim)
            return;
        }
        RequesterCheck.Admitted admitted;
        try {
            admitted = admit(r);
        } catch (SecretStoreException e) {
            refuseRequest(e);
            return;
        }
        // the recovery is pure; the nonce, the answer and the ACL call are steps of the session again
        offload.run(admitted::recover, recovered -> {
            if (isFinished()) return;
            Requester derived;
            try {
                derived = requesters.spend(recovered, key);
            } catch (SecretStoreException e) {
                refuseRequest(e);
                return;
            }
            consider(r, derived, held.get());
        }, e -> {
            if (!refusal(e)) throw e; // not the credential's fault: this side fails without blaming the master
            refuseRequest((SecretStoreException) e);
        });
    }

    /**
     * Master: {@code r} is the request this node built in {@link #ask} from the requester it derived ({@link #claim}):
     * the same credential, operation and message hash, with the nonce already spent on this session. Its answer then
     * uses that requester instead of deriving it a second time.
     */
    private boolean ownRequest(ConsensusMessage.Request r) {
        return claimedFor != null && r.operation() == operation && r.messageHash().equals(claimedFor)
                && java.util.Arrays.equals(r.credential().encode(), requester.credential().encode());
    }

    /** Member: the requester is derived; answers no without a held version, else asks this node's ACL about it. */
    private void consider(ConsensusMessage.Request r, Requester derived, List<H256> held) {
        member.authorized(derived, r.operation());
        if (held.isEmpty()) {
            // acl-and-config.md §1: a node without a requested version says no without calling the ACL.
            answer(false);
            return;
        }
        askOwnAcl(derived.address(), PinnedBlock.fromWire(r.block()), this::answer);
    }

    /** Member: sends this node's consensus answer, then runs what waited for it ({@link #afterAnswer}). */
    private void answer(boolean allowed) {
        toMaster(member.answer(allowed));
        Runnable then = afterAnswer;
        afterAnswer = () -> { };
        then.run();
    }

    /**
     * Member: runs {@code work} once this node answered the consensus request: at once if it already did, else right
     * after its answer (its ACL decided). A presumed attempt's request waits here, so this node never contributes to
     * a request before its own ACL check allowed it.
     */
    public void afterAnswer(Runnable work) {
        if (member.answered()) {
            work.run();
        } else {
            Runnable before = afterAnswer;
            afterAnswer = () -> {
                before.run();
                work.run();
            };
        }
    }

    /** {@code r}'s credential as this node's own check admits it, its recovery still to run; throws the check's error. */
    private RequesterCheck.Admitted admit(ConsensusMessage.Request r) {
        if (!profile.operations().contains(r.operation())) {
            throw SecretStoreException.of(Kind.INSUFFICIENT_REQUESTER_DATA,
                    "operation " + r.operation().code() + " is not a " + profile.label() + " operation");
        }
        return requesters.admit(r.credential(), r.operation(), keyId, r.messageHash());
    }

    /**
     * Member: the request's credential does not authorize it here. Says no and ends this node's side, blaming the
     * master for asking (SEC-31); only a full nonce memory (retryable, nobody's fault) blames nobody.
     */
    private void refuseRequest(SecretStoreException e) {
        answer(false);
        if (isMaster()) return; // claim() already ended the request with this error
        if (e.kind() == Kind.TOO_EARLY_FOR_REQUEST) {
            log.warning(() -> profile.label() + " " + key + ": cannot check the requester now (nonce memory full); answered no");
            fail(e);
            return;
        }
        blameMaster(e, "requester's credential refused: " + e.displayText());
    }

    /** Member: ends this node's side with {@code error}, naming the master as the culprit (SEC-31). */
    private void blameMaster(SecretStoreException error, String why) {
        Culprit culprit = new Culprit(key.master(), Culprit.Reason.UNAUTHORIZED_REQUEST, why);
        log.warning(() -> profile.label() + " with key " + keyId.toHex() + " in " + key + ": refused the master's request; blaming "
                + culprit);
        fail(error.withCulprits(List.of(culprit)));
    }

    /**
     * Member: this node's checked share of {@code versionId} with the key's metadata, in one storage read
     * (only that share is unsealed); empty if the version is not committed here.
     */
    public Optional<KeyRead> read(H256 versionId) {
        if (firstRead.flatMap(KeyRead::share).filter(s -> s.version().id().equals(versionId)).isPresent()) return firstRead;
        return storage.read(keyId, versionId).filter(r -> r.share().isPresent());
    }

    /**
     * Master: this request's one storage read (the key's metadata, and this node's share of the version
     * {@link #preferred} picks), so that its own contribution needs no second read.
     */
    public void firstRead(Optional<KeyRead> read) {
        this.firstRead = read;
    }

    /**
     * A request's one storage read: the key's metadata with this node's share of the version {@code preferred} picks.
     * When that share cannot be read (a damaged row: {@code DATABASE}, SEC-11) the metadata alone is read instead, so
     * the fault shows where it did before: at this node's contribution, which then reads the share again and refuses.
     */
    public static Optional<KeyRead> readOnce(KeyStorage storage, H256 keyId, dev.secretstore.protocol.key.VersionSelector preferred) {
        try {
            return storage.read(keyId, preferred);
        } catch (SecretStoreException e) {
            return storage.metadata(keyId).map(k -> new KeyRead(k, Optional.empty()));
        }
    }

    /**
     * The version a master's request most likely uses, whose share it reads with the metadata: the newest candidate
     * ({@link AclConsensus#candidates}) that {@code self} holds.
     */
    public static dev.secretstore.protocol.key.VersionSelector preferred(NodeId self, Profile profile) {
        return key -> AclConsensus.candidates(key, profile.groupSize().applyAsInt(key.threshold()), profile.usable()).stream()
                .filter(v -> v.isHolder(self)).findFirst();
    }

    /** To the master (to itself on the master, through the queue like any message). */
    public void toMaster(SessionMessage m) {
        outbox.send(key.master(), m);
    }

    /** Master: the same message to every member of {@code attempt}, itself included. */
    public void toGroup(Attempts.Attempt attempt, SessionMessage m) {
        for (NodeId member : attempt.group()) send(member, m);
    }

    /** Sends {@code m}; on the master, a request to another member starts a round trip unless one is in flight. */
    public void send(NodeId to, SessionMessage m) {
        if (isMaster() && !to.equals(self) && !inFlight) {
            roundTrips++;
            inFlight = true;
        }
        outbox.send(to, m);
    }

    /**
     * A member's message within a round the master started (a nonce deal to another member of the group): sent, never
     * counted as a round trip of the master's, since it travels while the master's request of that round is out.
     */
    public void sendWithinRound(NodeId to, SessionMessage m) {
        outbox.send(to, m);
    }

    /**
     * Member: refuses {@code attempt} because the master asked for something the requester did not authorize (a
     * partial of another operation, or for another requester key). This node withdraws its approval (it refuses
     * every later attempt too, so the master learns at once that no group remains) and its side ends, when the
     * master ends the request, blaming the master (SEC-31).
     */
    public void refuseUnauthorized(H256 attempt, String reason) {
        member.withdraw();
        toMaster(new ConsensusMessage.Refused(attempt));
        if (isMaster() || unauthorized != null) return;
        unauthorized = new Culprit(key.master(), Culprit.Reason.UNAUTHORIZED_REQUEST, reason);
        log.warning(() -> profile.label() + " with key " + keyId.toHex() + " in " + key + ": refused attempt " + attempt
                + "; blaming " + unauthorized);
    }

    /** Member: if there is a {@code reason}, logs it and refuses {@code attempt}; true if it refused. */
    public boolean refuseIf(H256 attempt, Optional<String> reason) {
        if (reason.isEmpty()) return false;
        log.warning(() -> profile.label() + " " + key + ": refused attempt " + attempt + " (" + reason.get() + ")");
        toMaster(new ConsensusMessage.Refused(attempt));
        return true;
    }

    /** What proofs of {@code prover} in {@code attempt} are bound to (SEC-16). */
    public ProofContext proofContext(H256 attempt, NodeId prover) {
        return new ProofContext(keyId, key.sessionId(), attempt, prover.publicKey());
    }

    // ================================================================== lifecycle

    public void onNodeDisconnected(NodeId node) {
        if (isFinished()) return;
        if (!isMaster()) {
            if (node.equals(key.master())) fail(SecretStoreException.of(Kind.NODE_DISCONNECTED));
            return;
        }
        if (!node.equals(self) && attempts != null) attempts.lost(node);
    }

    /** Stalled (SEC-19): the master names the members it still waits for, then the request ends. */
    public void onTimeout() {
        if (isMaster() && !isFinished() && attempts != null) attempts.stalled();
        fail(SecretStoreException.of(Kind.NODE_DISCONNECTED));
    }

    public void succeed(T value) {
        if (isFinished()) return;
        finish(true);
        result.complete(value);
    }

    /** Ends with {@code error}; on the master the request's culprits are attached unless the error names its own. */
    public void fail(SecretStoreException error) {
        if (isFinished()) return;
        SecretStoreException e = attempts != null && error.culprits().isEmpty() && !attempts.culprits().isEmpty()
                ? error.withCulprits(attempts.culprits()) : error;
        if (unauthorized != null && e.culprits().isEmpty()) e = e.withCulprits(List.of(unauthorized));
        failure = e;
        finish(false);
        result.completeExceptionally(e);
    }

    private void finish(boolean success) {
        release.run();
        if (!isMaster()) return;
        if (attempts != null) attempts.close();
        for (NodeId n : participants) {
            if (!n.equals(self)) outbox.send(n, new ConsensusMessage.Done(success));
        }
    }

    /**
     * This member's audit facts (SEC-29): the operation and requester as this node knows them (the master: as it
     * claimed them; a member: as it derived them from the forwarded credential), its own ACL decision and block.
     * Empty on a member that was never asked (no consensus request reached it).
     */
    public Optional<dev.secretstore.protocol.session.AuditFacts> auditFacts() {
        Requester who = isMaster() ? requester : member.requester();
        Operation op = isMaster() ? operation : member.operation();
        if (!isMaster() && !member.wasAsked()) return Optional.empty();
        String opName = op != null ? op.name().toLowerCase(java.util.Locale.ROOT) : key.type().name().toLowerCase(java.util.Locale.ROOT);
        return Optional.of(new dev.secretstore.protocol.session.AuditFacts(opName, keyId,
                Optional.ofNullable(who).map(Requester::address),
                who == null ? member.credentialKind() : dev.secretstore.protocol.session.AuditFacts.credentialKind(who.credential()),
                Optional.ofNullable(aclAllowed), aclBlock));
    }

    // ================================================================== views

    public SessionKey key() {
        return key;
    }

    public NodeId self() {
        return self;
    }

    public Set<NodeId> participants() {
        return participants;
    }

    public boolean isMaster() {
        return key.master().equals(self);
    }

    /** Master: who asked. */
    public Requester requester() {
        return requester;
    }

    public ConsensusMember member() {
        return member;
    }

    /** Master: the attempts (null on members). */
    public Attempts attempts() {
        return attempts;
    }

    public CompletableFuture<T> result() {
        return result;
    }

    public boolean isFinished() {
        return result.isDone();
    }

    public Optional<SecretStoreException> failure() {
        return Optional.ofNullable(failure);
    }

    /** Master: nodes excluded from this request (blamed, refused, lost); for the audit line and tests. */
    public Set<NodeId> excludedNodes() {
        return consensus == null ? Set.of() : consensus.excluded();
    }

    /**
     * Nodes blamed for a faulty contribution or refusal (crypto.md §11.3), not the ones merely lost; for metrics. On
     * a member: the master, if it asked for a request the requester did not authorize (SEC-31).
     */
    public Set<NodeId> blamed() {
        Set<NodeId> out = new TreeSet<>();
        List<Culprit> culprits = attempts != null ? attempts.culprits() : failure == null ? List.of() : failure.culprits();
        for (Culprit c : culprits) {
            if (!c.lost()) out.add(c.node());
        }
        return out;
    }

    /** Master: how many attempts were started. */
    public int attemptCount() {
        return attempts == null ? 0 : attempts.count();
    }

    /**
     * Master: how many member round trips this request used: each time it sent requests to other members after
     * one of them had answered (or first). The consensus request with a presumed attempt is one; the {@code Done}
     * that ends a request is not counted (nothing waits for it). Zero on members and for a request that asked no
     * other member.
     */
    public int roundTrips() {
        return isMaster() ? roundTrips : 0;
    }
}
