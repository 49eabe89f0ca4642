package dev.secretstore.protocol.session.delegation;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.protocol.KeyServer;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.auth.RequesterCheck;
import dev.secretstore.protocol.key.KeyMetadata;
import dev.secretstore.protocol.key.KeyStorage;
import dev.secretstore.protocol.session.ClusterSessions;
import dev.secretstore.protocol.session.ClusterView;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionType;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Any member is an entry point (SEC-40): a request for a key this node cannot serve itself (it lacks the key,
 * for 5 and 6 the document key, for 5 to 8 a usable version) is served through the members that hold it.
 *
 * <ol>
 *   <li><b>Negotiation</b> ({@link NegotiationSession}): every connected member reports its committed public
 *       metadata of the key; {@link Negotiation#plan} decides. Nobody holds it: this node's own answer (the 404 a
 *       holder gives for an unknown key).</li>
 *   <li><b>Endpoint 4</b> is answered here from the author and Y that at least {@code max(t+1, 2)} members
 *       reported identically, never from one member's word.</li>
 *   <li><b>Delegation</b> ({@link DelegatedRequest}): the request goes to one agreeing holder that has what is
 *       needed, which masters it as a client's request to it; its result or error (kind, detail, culprits) is
 *       this node's answer. A holder lost mid-request, or one answering a retryable error or a malformed success,
 *       is replaced by the next, at most {@link #MAX_ATTEMPTS} holders per request. A store (2) is not repeated
 *       after its holder was lost: it may have committed, so the client gets the retryable 500
 *       {@code NodeDisconnected} and decides.</li>
 * </ol>
 * Every method runs on the cluster loop; {@code local} is the ordinary session this node masters itself.
 */
public final class EntryPoint {
    private static final Logger LOG = Logger.getLogger(EntryPoint.class.getName());
    /** Holders tried per delegated request. */
    public static final int MAX_ATTEMPTS = 3;

    private final ClusterSessions sessions;
    private final ClusterView cluster;
    private final KeyStorage storage;
    private final SecureRandom random;
    private final Executor loop;
    private final RequesterCheck requesters;

    /** {@code requesters}: how this node verifies a credential before forwarding it (it spends no nonce, docs/auth.md §4). */
    public EntryPoint(ClusterSessions sessions, ClusterView cluster, KeyStorage storage, RequesterCheck requesters, SecureRandom random,
                      Executor loop) {
        this.requesters = requesters;
        this.sessions = sessions;
        this.cluster = cluster;
        this.storage = storage;
        this.random = random;
        this.loop = loop;
    }

    /**
     * The factory for {@link SessionType#DELEGATION}: answers negotiation queries from this node's metadata and
     * serves delegated requests through {@code holderServer}, which must be this node's own key server without
     * delegation (a delegated request never travels further), for the requester it derives itself from the
     * forwarded credential with {@code requesters} (SEC-31).
     */
    public static ClusterSessions.SlaveFactory factory(ClusterView cluster, ClusterSessions sessions, KeyStorage storage,
                                                       KeyServer holderServer, RequesterCheck requesters) {
        return (init, outbox) -> {
            if (init.body() instanceof DelegationMessage.Query) {
                return Optional.of(new NegotiationSession.Responder(init.key(), cluster.self(), outbox, storage));
            }
            if (init.body() instanceof DelegationMessage.Request) {
                return Optional.of(new DelegatedRequest.Serve(init.key(), cluster.self(), outbox, holderServer, requesters,
                        sessions.reentry(init.key())));
            }
            return Optional.empty();
        };
    }

    /** Endpoint 2. */
    public CompletionStage<Void> storeDocumentKey(H256 keyId, Requester requester, PublicPoint commonPoint, PublicPoint encryptedPoint,
                                                  Function<Optional<KeyMetadata>, CompletionStage<Void>> local) {
        return serve(request(Endpoint.STORE_DOCUMENT_KEY, keyId, requester, H256.fromBytes(new byte[32]), List.of(commonPoint, encryptedPoint)),
                local, Answers::stored);
    }

    /** Endpoint 4: the author check and Y from agreeing reports (never delegated). */
    public CompletionStage<PublicPoint> retrieveServerKey(H256 keyId, Requester requester, Function<Optional<KeyMetadata>, CompletionStage<PublicPoint>> local) {
        Optional<KeyMetadata> mine = storage.metadata(keyId);
        if (!lookForHolders(Endpoint.RETRIEVE_SERVER_KEY, keyId, mine)) return local.apply(mine);
        return negotiate(keyId, Endpoint.RETRIEVE_SERVER_KEY).thenCompose(reports -> {
            Negotiation.Plan plan = Negotiation.plan(Endpoint.RETRIEVE_SERVER_KEY, reports, Optional.empty());
            if (plan instanceof Negotiation.Known known) {
                LOG.info(() -> "server key " + keyId.toHex() + " answered from metadata " + reports.size() + " members reported");
                if (!known.author().equals(requester.address())) throw SecretStoreException.of(Kind.ACCESS_DENIED);
                return CompletableFuture.completedFuture(known.publicKey());
            }
            if (plan instanceof Negotiation.Unavailable u) throw SecretStoreException.of(u.kind());
            return local.apply(storage.metadata(keyId)); // read again: a write may have landed during the negotiation
        });
    }

    /** Endpoint 5. */
    public CompletionStage<byte[]> retrieveDocumentKey(H256 keyId, Requester requester, Function<Optional<KeyMetadata>, CompletionStage<byte[]>> local) {
        return retrieveDocumentKey(keyId, requester, storage.metadata(keyId), local);
    }

    /** Endpoint 5, with {@code mine}: this node's metadata of the key as the caller read it for this request. */
    public CompletionStage<byte[]> retrieveDocumentKey(H256 keyId, Requester requester, Optional<KeyMetadata> mine,
                                                       Function<Optional<KeyMetadata>, CompletionStage<byte[]>> local) {
        return serve(request(Endpoint.RETRIEVE_DOCUMENT_KEY, keyId, requester, H256.fromBytes(new byte[32]), List.of()), mine, local,
                Answers.blob(Endpoint.RETRIEVE_DOCUMENT_KEY));
    }

    /** Endpoint 6. */
    public CompletionStage<KeyServer.ShadowRetrieval> retrieveDocumentKeyShadows(H256 keyId, Requester requester,
                                                                                Function<Optional<KeyMetadata>, CompletionStage<KeyServer.ShadowRetrieval>> local) {
        return retrieveDocumentKeyShadows(keyId, requester, Set.of(), local);
    }

    /** Endpoint 6 without the members {@code excluded} in the decryption group (SEC-33); a delegate is told them. */
    public CompletionStage<KeyServer.ShadowRetrieval> retrieveDocumentKeyShadows(H256 keyId, Requester requester, Set<NodeId> excluded,
                                                                                Function<Optional<KeyMetadata>, CompletionStage<KeyServer.ShadowRetrieval>> local) {
        return retrieveDocumentKeyShadows(keyId, requester, excluded, storage.metadata(keyId), local);
    }

    /** As above, with {@code mine}: this node's metadata of the key as the caller read it for this request. */
    public CompletionStage<KeyServer.ShadowRetrieval> retrieveDocumentKeyShadows(H256 keyId, Requester requester, Set<NodeId> excluded,
                                                                                Optional<KeyMetadata> mine,
                                                                                Function<Optional<KeyMetadata>, CompletionStage<KeyServer.ShadowRetrieval>> local) {
        return serve(request(Endpoint.RETRIEVE_SHADOWS, keyId, requester, H256.fromBytes(new byte[32]), List.of(), excluded), mine, local,
                Answers::shadows);
    }

    /** Endpoint 7. */
    public CompletionStage<byte[]> signSchnorr(H256 keyId, Requester requester, H256 messageHash, Function<Optional<KeyMetadata>, CompletionStage<byte[]>> local) {
        return signSchnorr(keyId, requester, messageHash, storage.metadata(keyId), local);
    }

    /** Endpoint 7, with {@code mine}: this node's metadata of the key as the caller read it for this request. */
    public CompletionStage<byte[]> signSchnorr(H256 keyId, Requester requester, H256 messageHash, Optional<KeyMetadata> mine,
                                               Function<Optional<KeyMetadata>, CompletionStage<byte[]>> local) {
        return serve(request(Endpoint.SIGN_SCHNORR, keyId, requester, messageHash, List.of()), mine, local, Answers.blob(Endpoint.SIGN_SCHNORR));
    }

    /** Endpoint 8. */
    public CompletionStage<byte[]> signEcdsa(H256 keyId, Requester requester, H256 messageHash, Function<Optional<KeyMetadata>, CompletionStage<byte[]>> local) {
        return signEcdsa(keyId, requester, messageHash, storage.metadata(keyId), local);
    }

    /** Endpoint 8, with {@code mine}: this node's metadata of the key as the caller read it for this request. */
    public CompletionStage<byte[]> signEcdsa(H256 keyId, Requester requester, H256 messageHash, Optional<KeyMetadata> mine,
                                             Function<Optional<KeyMetadata>, CompletionStage<byte[]>> local) {
        return serve(request(Endpoint.SIGN_ECDSA, keyId, requester, messageHash, List.of()), mine, local, Answers.blob(Endpoint.SIGN_ECDSA));
    }

    private static DelegationMessage.Request request(Endpoint endpoint, H256 keyId, Requester requester, H256 messageHash,
                                                     List<PublicPoint> documentKey) {
        return request(endpoint, keyId, requester, messageHash, documentKey, Set.of());
    }

    private static DelegationMessage.Request request(Endpoint endpoint, H256 keyId, Requester requester, H256 messageHash,
                                                     List<PublicPoint> documentKey, Set<NodeId> excluded) {
        return new DelegationMessage.Request(endpoint, keyId, requester.credential(), messageHash, documentKey,
                List.copyOf(new TreeSet<>(excluded)));
    }

    private <T> CompletionStage<T> serve(DelegationMessage.Request request, Function<Optional<KeyMetadata>, CompletionStage<T>> local, Answers.Decoder<T> decoder) {
        return serve(request, storage.metadata(request.keyId()), local, decoder); // public state only
    }

    private <T> CompletionStage<T> serve(DelegationMessage.Request request, Optional<KeyMetadata> mine,
                                         Function<Optional<KeyMetadata>, CompletionStage<T>> local, Answers.Decoder<T> decoder) {
        if (!lookForHolders(request.endpoint(), request.keyId(), mine)) return local.apply(mine);
        return negotiate(request.keyId(), request.endpoint()).thenCompose(reports -> {
            Negotiation.Plan plan = Negotiation.plan(request.endpoint(), reports, mine.map(k -> NegotiationSession.held(k, request.endpoint())));
            if (plan instanceof Negotiation.Unavailable u) throw SecretStoreException.of(u.kind());
            if (!(plan instanceof Negotiation.Delegate d)) return local.apply(storage.metadata(request.keyId())); // read again, as above
            Requester requester = Answers.requester(requesters, request); // forward only what this node accepts; no nonce spent
            LOG.fine(() -> request.endpoint() + " of key " + request.keyId().toHex() + " for " + requester.address() + " to be delegated");
            CompletableFuture<T> out = new CompletableFuture<>();
            forward(request, requester, spread(withoutExcluded(d, request.excluded())), 0, decoder, out,
                    SecretStoreException.of(Kind.NODE_DISCONNECTED));
            return out;
        });
    }

    /**
     * Whether this node needs the holders: {@link Endpoint#delegationNeeded}, except while it has an undecided
     * prepared write of the key. Such a node was lost between a commit decision and its acknowledgement, or
     * during a write; it answers from its own state until the recovery path has decided the row (commit rule 6
     * of the two-phase commit, docs/architecture.md), as it always did, so that answers agree once every member
     * has resolved. Only asked when delegation would be needed, so a holder's request costs no extra read.
     */
    private boolean lookForHolders(Endpoint endpoint, H256 keyId, Optional<KeyMetadata> mine) {
        return endpoint.delegationNeeded(mine) && !storage.pendingKeyIds().contains(keyId);
    }

    /**
     * The plan without the holders the requester excluded (SEC-33: the master reports each member's proved point, so a
     * member the requester caught does not master its retry), unless no other holder is left.
     */
    private static Negotiation.Delegate withoutExcluded(Negotiation.Delegate plan, List<NodeId> excluded) {
        List<NodeId> holders = plan.holders().stream().filter(h -> !excluded.contains(h)).toList();
        return holders.isEmpty() ? plan : new Negotiation.Delegate(holders, plan.threshold());
    }

    /** The plan's holders from a random one on, in their order, so that delegated requests spread over the holders. */
    private Negotiation.Delegate spread(Negotiation.Delegate plan) {
        List<NodeId> holders = new java.util.ArrayList<>(plan.holders());
        java.util.Collections.rotate(holders, random.nextInt(holders.size()));
        return new Negotiation.Delegate(holders, plan.threshold());
    }

    private CompletionStage<Map<NodeId, DelegationMessage.Held>> negotiate(H256 keyId, Endpoint endpoint) {
        SessionKey key = newKey();
        return sessions.startMaster(key, outbox -> NegotiationSession.start(key, cluster, outbox, keyId, endpoint)).result()
                .thenApplyAsync(reports -> reports, loop); // continue as a step of its own, not inside the session's handler
    }

    /** Tries holder {@code index} of the plan; {@code last} is what the client gets when no holder is left. */
    private <T> void forward(DelegationMessage.Request request, Requester requester, Negotiation.Delegate plan, int index,
                             Answers.Decoder<T> decoder, CompletableFuture<T> out, SecretStoreException last) {
        if (index >= plan.holders().size() || index >= MAX_ATTEMPTS) {
            out.completeExceptionally(last);
            return;
        }
        NodeId holder = plan.holders().get(index);
        SessionKey key = newKey();
        LOG.info(() -> request.endpoint() + " of key " + request.keyId().toHex() + " delegated to holder " + holder.shortId() + " in "
                + key + " (attempt " + (index + 1) + ")");
        DelegatedRequest.Forward session;
        try {
            session = sessions.startMaster(key, outbox -> DelegatedRequest.Forward.start(key, cluster, outbox, holder, request, requester));
        } catch (SecretStoreException e) {
            out.completeExceptionally(e);
            return;
        }
        // SEC-29: the answer goes on only once this node's line of the attempt was written (a storage error otherwise)
        sessions.recorded(key, session.result()).whenCompleteAsync((ending, error) -> {
            if (error != null) {
                out.completeExceptionally(error);
            } else if (ending instanceof DelegatedRequest.Lost) {
                LOG.info(() -> "delegate " + holder.shortId() + " lost in " + key);
                if (request.endpoint() == Endpoint.STORE_DOCUMENT_KEY) {
                    out.completeExceptionally(SecretStoreException.of(Kind.NODE_DISCONNECTED)); // it may have committed
                } else {
                    forward(request, requester, plan, index + 1, decoder, out, SecretStoreException.of(Kind.NODE_DISCONNECTED));
                }
            } else if (((DelegatedRequest.Answered) ending).answer() instanceof DelegationMessage.Failed f) {
                SecretStoreException e = Answers.error(f, holder);
                if (e.kind().retryable()) {
                    LOG.info(() -> "delegate " + holder.shortId() + " answered the retryable " + e.kind() + " in " + key);
                    forward(request, requester, plan, index + 1, decoder, out, e);
                } else {
                    out.completeExceptionally(e);
                }
            } else {
                DelegationMessage.Succeeded s = (DelegationMessage.Succeeded) ((DelegatedRequest.Answered) ending).answer();
                T value;
                try {
                    value = decoder.decode(s, plan.threshold());
                } catch (IllegalArgumentException malformed) {
                    LOG.warning(() -> "delegate " + holder.shortId() + " answered a malformed success in " + key);
                    forward(request, requester, plan, index + 1, decoder, out, SecretStoreException.of(Kind.INVALID_MESSAGE));
                    return;
                }
                out.complete(value);
            }
        }, loop);
    }

    private SessionKey newKey() {
        byte[] id = new byte[32];
        random.nextBytes(id);
        return new SessionKey(SessionType.DELEGATION, H256.fromBytes(id), cluster.self());
    }
}
