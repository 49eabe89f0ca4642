package dev.secretstore.protocol;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.crypto.auth.Authorization;
import dev.secretstore.protocol.acl.AclChecker;
import dev.secretstore.crypto.auth.ClusterId;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.protocol.auth.ReplayGuard;
import dev.secretstore.protocol.auth.RequesterCheck;
import dev.secretstore.protocol.auth.WallClock;
import dev.secretstore.protocol.session.admin.AdminCheck;
import dev.secretstore.protocol.session.admin.AdminPolicy;
import dev.secretstore.protocol.session.admin.ServersSetChangeSession;
import dev.secretstore.protocol.session.decryption.DecryptionSession;
import dev.secretstore.protocol.session.signing.EcdsaSigningSession;
import dev.secretstore.protocol.session.signing.SchnorrSigningSession;
import dev.secretstore.protocol.session.generation.KeyGenerationSession;
import dev.secretstore.protocol.session.resolution.PendingResolutionSession;
import dev.secretstore.protocol.session.resolution.PendingResolver;
import dev.secretstore.protocol.session.refresh.KeyRefreshSession;
import dev.secretstore.protocol.session.refresh.KeyRefresher;
import dev.secretstore.protocol.session.refresh.RefreshAuthorization;
import java.util.List;
import dev.secretstore.protocol.session.repair.RepairScheduler;
import dev.secretstore.protocol.session.repair.ShareRepairSession;
import dev.secretstore.protocol.session.Clock;
import java.time.Duration;
import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.threshold.DocumentKey;
import dev.secretstore.protocol.key.KeyMetadata;
import dev.secretstore.protocol.key.KeyRead;
import dev.secretstore.protocol.session.consensus.KeyUse;
import dev.secretstore.protocol.key.KeyStorage;
import dev.secretstore.protocol.session.AbstractSession;
import dev.secretstore.protocol.session.ClusterSessions;
import dev.secretstore.protocol.session.ClusterView;
import dev.secretstore.protocol.session.Outbox;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionType;
import dev.secretstore.protocol.session.consensus.KeyUseSession;
import dev.secretstore.protocol.session.delegation.EntryPoint;
import dev.secretstore.protocol.session.store.DocumentKeyStoreSession;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The {@link KeyServer} of one node: each request becomes a cluster session mastered here. Every session
 * step runs on the single {@code clusterLoop} executor that also delivers network messages, so the
 * protocol layer never needs locks (pure computations a session offloads come back to it there,
 * {@link ClusterSessions#offload}); callers get a stage that completes when the session ends.
 */
public final class ClusterKeyServer implements KeyServer {
    private final ClusterSessions sessions;
    private final ClusterView cluster;
    private final KeyStorage storage;
    private final Executor clusterLoop;
    private final SecureRandom random;
    private final AclChecker acl;
    private final PendingResolver resolver;
    private final RepairScheduler repair;

    private final AdminPolicy admin;
    private final Availability availability;
    private final AvailabilityStatus status = new AvailabilityStatus();
    private final Clock clock;
    private final KeyRefresher refresher;
    /** Serves requests for keys this node cannot serve itself through the holders (SEC-40). */
    private final EntryPoint entry;
    private final RequesterCheck requesters;

    public ClusterKeyServer(ClusterSessions sessions, ClusterView cluster, KeyStorage storage, AclChecker acl, Executor clusterLoop,
                            SecureRandom random, Clock clock) {
        this(sessions, cluster, storage, acl, AdminPolicy.NONE, clusterLoop, random, clock);
    }

    public ClusterKeyServer(ClusterSessions sessions, ClusterView cluster, KeyStorage storage, AclChecker acl, AdminPolicy admin,
                            Executor clusterLoop, SecureRandom random, Clock clock) {
        this(sessions, cluster, storage, acl, admin, Availability.DEFAULTS, clusterLoop, random, clock);
    }

    public ClusterKeyServer(ClusterSessions sessions, ClusterView cluster, KeyStorage storage, AclChecker acl, AdminPolicy admin,
                            Availability availability, Executor clusterLoop, SecureRandom random, Clock clock) {
        this(sessions, cluster, storage, acl, admin, availability, parityCompatible(cluster), clusterLoop, random, clock);
    }

    /**
     * @param requesters how this node derives a requester from a credential, as the entry point and as a member
     *     (SEC-31, SEC-32): its cluster identity, legacy policy, clock and nonce memory
     */
    public ClusterKeyServer(ClusterSessions sessions, ClusterView cluster, KeyStorage storage, AclChecker acl, AdminPolicy admin,
                            Availability availability, RequesterCheck requesters, Executor clusterLoop, SecureRandom random, Clock clock) {
        this.requesters = requesters;
        this.admin = admin;
        this.availability = availability;
        this.clock = clock;
        this.sessions = sessions;
        this.cluster = cluster;
        this.storage = storage;
        this.acl = acl;
        this.clusterLoop = clusterLoop;
        this.random = random;
        // Every member derives the requester from the forwarded credential with this node's own check (SEC-31).
        sessions.registerFactory(SessionType.DOCUMENT_KEY_STORE, DocumentKeyStoreSession.factory(cluster.self(), storage, requesters));
        sessions.registerFactory(SessionType.PENDING_RESOLUTION, PendingResolutionSession.factory(cluster, storage, sessions));
        this.resolver = new PendingResolver(sessions, cluster, storage, clock, random, Duration.ofSeconds(2));
        sessions.registerFactory(SessionType.KEY_GENERATION, KeyGenerationSession.factory(cluster, sessions, storage, requesters, random));
        sessions.registerFactory(SessionType.DECRYPTION, DecryptionSession.factory(cluster, sessions, storage, acl, requesters, random));
        sessions.registerFactory(SessionType.SCHNORR_SIGNING, SchnorrSigningSession.factory(cluster, sessions, storage, acl, requesters,
                random));
        sessions.registerFactory(SessionType.ECDSA_SIGNING, EcdsaSigningSession.factory(cluster, sessions, storage, acl, requesters, random));
        sessions.registerFactory(SessionType.SERVERS_SET_CHANGE, ServersSetChangeSession.factory(cluster, storage, adminCheck(), random,
                sessions::hasActiveSessions));
        sessions.registerFactory(SessionType.KEY_REFRESH, KeyRefreshSession.factory(cluster, sessions, storage, random));
        this.refresher = new KeyRefresher(sessions, cluster, storage, availability, status, clock, random, clusterLoop);
        sessions.registerFactory(SessionType.SHARE_REPAIR, ShareRepairSession.factory(cluster, storage, random));
        this.repair = new RepairScheduler(sessions, cluster, storage, clock, random, availability, status, clusterLoop);
        this.entry = new EntryPoint(sessions, cluster, storage, requesters, random, clusterLoop);
        sessions.registerFactory(SessionType.DELEGATION, EntryPoint.factory(cluster, sessions, storage, new Here(), requesters));
    }

    /**
     * Periodic maintenance, called on the cluster loop: resolves prepared writes left undecided (SEC-25) and
     * repairs keys this member missed (SEC-40).
     */
    public void maintain() {
        resolver.tick();
        refresher.tick(); // scheduled share refresh (share_refresh_interval), and the next batch of a running one
        repair.tick();
    }

    /** This node's repair and refresh counters; read on the cluster loop. */
    public AvailabilityStatus.Snapshot availabilityStatus() {
        return status.snapshot();
    }

    /** How this node checks requesters' credentials; the HTTP edge verifies with it before calling this server. */
    public RequesterCheck requesters() {
        return requesters;
    }

    /** Parity's behaviour (static signatures do everything) for a cluster identified by its member list. */
    private static RequesterCheck parityCompatible(ClusterView cluster) {
        java.util.List<PublicPoint> members = new java.util.ArrayList<>();
        for (NodeId m : cluster.members()) members.add(m.publicKey());
        return new RequesterCheck(RequesterCheck.Settings.parityCompatible(ClusterId.ofMembers(members)), WallClock.SYSTEM, new ReplayGuard());
    }

    /** The availability settings this node runs with. */
    public Availability availability() {
        return availability;
    }

    /** Runs {@code work} on the cluster loop and flattens its stage; a thrown exception fails the stage. */
    private <T> CompletionStage<T> onLoop(Supplier<CompletionStage<T>> work) {
        CompletableFuture<T> out = new CompletableFuture<>();
        try {
            clusterLoop.execute(() -> {
                try {
                    work.get().whenComplete((v, e) -> {
                        if (e != null) out.completeExceptionally(e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e);
                        else out.complete(v);
                    });
                } catch (RuntimeException e) {
                    out.completeExceptionally(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            out.completeExceptionally(SecretStoreException.of(Kind.INTERNAL, "node is shutting down"));
        }
        return out;
    }

    private <T, S extends AbstractSession<T>> CompletionStage<T> startSession(SessionType type, Function<SessionKey, Function<Outbox, S>> create) {
        SessionKey key = newKey(type);
        return sessions.recorded(key, sessions.startMaster(key, create.apply(key)).result());
    }

    /** As {@link #startSession}, for the key-use sessions composed around a consensus. */
    private <T, S extends KeyUseSession<T>> CompletionStage<T> startKeyUse(SessionType type, Function<SessionKey, Function<Outbox, S>> create) {
        SessionKey key = newKey(type);
        return sessions.recorded(key, sessions.startMaster(key, create.apply(key)).result());
    }

    private SessionKey newKey(SessionType type) {
        byte[] id = new byte[32];
        random.nextBytes(id);
        return new SessionKey(type, H256.fromBytes(id), cluster.self());
    }

    /**
     * Endpoint 1: verified, robust distributed key generation among the connected members (at least
     * {@code availability.floor(t)}); the requester, as every member derives it from its credential (SEC-31),
     * becomes the author.
     */
    @Override
    public CompletionStage<PublicPoint> generateServerKey(H256 keyId, Requester requester, long threshold) {
        return generate(keyId, requester, Operation.GENERATE_SERVER_KEY, threshold);
    }

    private CompletionStage<PublicPoint> generate(H256 keyId, Requester requester, Operation operation, long threshold) {
        return onLoop(() -> startSession(SessionType.KEY_GENERATION, key -> outbox -> KeyGenerationSession.startMaster(key, cluster,
                outbox, sessions.offload(key), storage, requesters, keyId, requester, operation, threshold, availability, random)));
    }

    @Override
    public CompletionStage<Void> storeDocumentKey(H256 keyId, Requester requester, PublicPoint commonPoint, PublicPoint encryptedPoint) {
        return onLoop(() -> entry.storeDocumentKey(keyId, requester, commonPoint, encryptedPoint,
                known -> storeHere(keyId, requester, Operation.STORE_DOCUMENT_KEY, commonPoint, encryptedPoint, known)));
    }

    /** {@code operation}: what the requester's credential authorizes, endpoint 2, or 3 for the store after its generation. */
    private CompletionStage<Void> storeHere(H256 keyId, Requester requester, Operation operation, PublicPoint commonPoint,
                                            PublicPoint encryptedPoint, Optional<KeyMetadata> known) {
        return startSession(SessionType.DOCUMENT_KEY_STORE, key -> outbox ->
                DocumentKeyStoreSession.startMaster(key, cluster, outbox, storage, requesters, keyId, requester, operation,
                        new dev.secretstore.protocol.key.DocumentKey(commonPoint, encryptedPoint), availability, known));
    }

    /**
     * Endpoint 3: endpoint 1, then this node draws M, stores (C, E) like endpoint 2 on the key it just generated
     * and returns M encrypted to the requester. This node learns M; the separate 1 + 2 flow avoids that
     * (http-api.md §6.2). Both sessions forward the requester's credential for operation 3 (SEC-31).
     */
    @Override
    public CompletionStage<byte[]> generateDocumentKey(H256 keyId, Requester requester, long threshold) {
        return generate(keyId, requester, Operation.GENERATE_DOCUMENT_KEY, threshold).thenCompose(serverKey -> {
            DocumentKey.Generated generated = DocumentKey.generate(serverKey, random);
            PublicPoint author = requesters.verify(requester.credential(), Operation.GENERATE_DOCUMENT_KEY, keyId,
                    Operation.thresholdParams(threshold)).publicKey(); // the generation accepted it: M goes to that key
            return onLoop(() -> storeHere(keyId, requester, Operation.GENERATE_DOCUMENT_KEY, generated.encrypted().commonPoint(),
                    generated.encrypted().encryptedPoint(), storage.metadata(keyId)))
                    .thenApply(stored -> Ecies.encryptToClient(author, generated.documentKey().toBytes()));
        });
    }

    /**
     * Endpoint 4: the author gets Y; anyone else is refused; no ACL call (http-api.md §6.2). The requester is the one
     * this node derives from the credential (SEC-31); Y is public, so no nonce is spent.
     */
    @Override
    public CompletionStage<PublicPoint> retrieveServerKey(H256 keyId, Requester requester) {
        return onLoop(() -> {
            Requester derived = serverKeyRequester(keyId, requester);
            return entry.retrieveServerKey(keyId, derived, known -> serverKeyHere(derived, known));
        });
    }

    private Requester serverKeyRequester(H256 keyId, Requester requester) {
        return requesters.verify(requester.credential(), Operation.RETRIEVE_SERVER_KEY, keyId, Operation.NO_PARAMS);
    }

    /** {@code key}: this node's metadata of the key (Y and the author are public: no share is unsealed). */
    private CompletionStage<PublicPoint> serverKeyHere(Requester requester, Optional<KeyMetadata> key) {
        if (key.isEmpty()) throw SecretStoreException.of(Kind.SERVER_KEY_IS_NOT_FOUND);
        if (!key.get().author().equals(requester.address())) throw SecretStoreException.of(Kind.ACCESS_DENIED);
        return CompletableFuture.completedFuture(key.get().publicKey());
    }

    /** Endpoint 5: the master assembles M and returns it encrypted to the requester (crypto.md §10.5). */
    @Override
    public CompletionStage<byte[]> retrieveDocumentKey(H256 keyId, Requester requester) {
        return onLoop(() -> {
            Optional<KeyRead> first = readOnce(keyId, DecryptionSession.PROFILE);
            return entry.retrieveDocumentKey(keyId, requester, first.map(KeyRead::key),
                    known -> documentKeyHere(keyId, requester, known, first));
        });
    }

    /**
     * This request's one storage read on this node (issue #18): the key's metadata with this node's share of the
     * version a request of {@code profile} most likely uses ({@link KeyUse#preferred}), or the metadata alone when
     * that share cannot be read ({@link KeyUse#readOnce}).
     */
    private Optional<KeyRead> readOnce(H256 keyId, KeyUse.Profile profile) {
        return KeyUse.readOnce(storage, keyId, KeyUse.preferred(cluster.self(), profile));
    }

    /** {@code first}: what this node read for the request; its share is used only if {@code known} is that metadata. */
    private CompletionStage<byte[]> documentKeyHere(H256 keyId, Requester requester, Optional<KeyMetadata> known, Optional<KeyRead> first) {
        return decrypt(keyId, requester, false, known, Set.of(), sameRead(known, first))
                .thenApply(r -> ((DecryptionSession.Plain) r).encryptedDocumentKey());
    }

    /** {@code first} if {@code known} is its metadata (no negotiation read the key again in between), else nothing. */
    private static Optional<KeyRead> sameRead(Optional<KeyMetadata> known, Optional<KeyRead> first) {
        return first.filter(r -> known.isPresent() && known.get() == r.key());
    }

    /** Endpoint 6: shadows only; M is never assembled on a node (crypto.md §10.6). */
    @Override
    public CompletionStage<ShadowRetrieval> retrieveDocumentKeyShadows(H256 keyId, Requester requester) {
        return retrieveDocumentKeyShadows(keyId, requester, Set.of());
    }

    /** Endpoint 6 without the members {@code excluded} in the decryption group (SEC-33), here or at a delegate. */
    @Override
    public CompletionStage<ShadowRetrieval> retrieveDocumentKeyShadows(H256 keyId, Requester requester, Set<NodeId> excluded) {
        Set<NodeId> without = Set.copyOf(excluded);
        return onLoop(() -> {
            Optional<KeyRead> first = readOnce(keyId, DecryptionSession.PROFILE);
            return entry.retrieveDocumentKeyShadows(keyId, requester, without, first.map(KeyRead::key),
                    known -> shadowsHere(keyId, requester, known, without, first));
        });
    }

    private CompletionStage<ShadowRetrieval> shadowsHere(H256 keyId, Requester requester, Optional<KeyMetadata> known, Set<NodeId> excluded,
                                                         Optional<KeyRead> first) {
        return decrypt(keyId, requester, true, known, excluded, sameRead(known, first))
                .thenApply(r -> ((DecryptionSession.Shadows) r).retrieval());
    }

    private CompletionStage<DecryptionSession.Result> decrypt(H256 keyId, Requester requester, boolean shadow, Optional<KeyMetadata> known,
                                                              Set<NodeId> excluded, Optional<KeyRead> first) {
        return startKeyUse(SessionType.DECRYPTION, key -> outbox -> DecryptionSession.startMaster(key, cluster, outbox,
                sessions.reentry(key), sessions.offload(key), storage, acl, requesters, keyId, requester, shadow, random, known, excluded, first));
    }

    /** Endpoint 7: threshold Schnorr signature, {@code ecies(requester, c ‖ s)} (crypto.md §10.7). */
    @Override
    public CompletionStage<byte[]> signSchnorr(H256 keyId, Requester requester, H256 messageHash) {
        return onLoop(() -> {
            Optional<KeyRead> first = readOnce(keyId, SchnorrSigningSession.PROFILE);
            return entry.signSchnorr(keyId, requester, messageHash, first.map(KeyRead::key),
                    known -> schnorrHere(keyId, requester, messageHash, known, first));
        });
    }

    private CompletionStage<byte[]> schnorrHere(H256 keyId, Requester requester, H256 messageHash, Optional<KeyMetadata> known,
                                                Optional<KeyRead> first) {
        return startKeyUse(SessionType.SCHNORR_SIGNING, key -> outbox -> SchnorrSigningSession.startMaster(key, cluster,
                outbox, sessions.reentry(key), sessions.offload(key), storage, acl, requesters, keyId, requester, messageHash, random, known,
                sameRead(known, first)));
    }

    /** Endpoint 8: threshold ECDSA signature, {@code ecies(requester, r ‖ s ‖ v)} (crypto.md §10.8); 2t ≥ N → 403 at once. */
    @Override
    public CompletionStage<byte[]> signEcdsa(H256 keyId, Requester requester, H256 messageHash) {
        return onLoop(() -> {
            Optional<KeyRead> first = readOnce(keyId, EcdsaSigningSession.PROFILE);
            return entry.signEcdsa(keyId, requester, messageHash, first.map(KeyRead::key),
                    known -> ecdsaHere(keyId, requester, messageHash, known, first));
        });
    }

    private CompletionStage<byte[]> ecdsaHere(H256 keyId, Requester requester, H256 messageHash, Optional<KeyMetadata> known,
                                              Optional<KeyRead> first) {
        return startKeyUse(SessionType.ECDSA_SIGNING, key -> outbox -> EcdsaSigningSession.startMaster(key, cluster,
                outbox, sessions.reentry(key), sessions.offload(key), storage, acl, requesters, keyId, requester, messageHash, random, known,
                sameRead(known, first)));
    }

    /** The administrator's requests are checked with this node's cluster identity, legacy policy, clock and nonces. */
    private AdminCheck adminCheck() {
        return new AdminCheck(admin, requesters);
    }

    /**
     * Endpoint 9: re-share every key to the new set (http-api.md §6 endpoint 9, SEC-24, SEC-26). Without
     * {@code admin_public} the request is refused with 403 {@code AccessDenied} before anything else.
     */
    @Override
    public CompletionStage<Void> changeServersSet(byte[] oldSetSignature, byte[] newSetSignature, Set<NodeId> newServersSet) {
        return changeServersSet(oldSetSignature, newSetSignature, newServersSet, Optional.empty());
    }

    /**
     * Endpoint 9 with the administrator's fresh authorization, if any (SEC-32, docs/auth.md §7): this node as master and
     * every member check it ({@link AdminCheck}) and spend its nonce on the session.
     */
    @Override
    public CompletionStage<Void> changeServersSet(byte[] oldSetSignature, byte[] newSetSignature, Set<NodeId> newServersSet,
                                                  Optional<Authorization> authorization) {
        if (admin.adminPublic().isEmpty()) {
            return CompletableFuture.failedFuture(SecretStoreException.of(Kind.ACCESS_DENIED));
        }
        return onLoop(() -> startSession(SessionType.SERVERS_SET_CHANGE, key -> outbox -> ServersSetChangeSession.startMaster(key,
                cluster, outbox, storage, adminCheck(), oldSetSignature, newSetSignature, authorization, newServersSet, random)));
    }

    /**
     * Extension: proactive share refresh on demand (SEC-40, docs/availability/refresh.md). Refused with 403
     * {@code AccessDenied} without {@code admin_public}, {@code ConsensusUnreachable} for a signature that does not
     * recover to it over {@link RefreshAuthorization#message}.
     */
    @Override
    public CompletionStage<Void> refreshShares(byte[] signature, List<H256> keyIds) {
        return refreshShares(signature, keyIds, Optional.empty());
    }

    /**
     * The refresh extension with the administrator's fresh authorization, if any (SEC-32, docs/auth.md §7): checked and
     * its nonce spent on this node, which starts the refresh sessions (members accept a refresh from any member, as
     * they do the scheduled ones). Under legacy policy {@code shadow-only} or {@code none} a bare signature is refused
     * (403 {@code FreshAuthorizationRequired}).
     */
    @Override
    public CompletionStage<Void> refreshShares(byte[] signature, List<H256> keyIds, Optional<Authorization> authorization) {
        if (admin.adminPublic().isEmpty()) {
            return CompletableFuture.failedFuture(SecretStoreException.of(Kind.ACCESS_DENIED));
        }
        Optional<SecretStoreException> refusal = adminCheck().refresh(keyIds, signature, authorization, new Object());
        if (refusal.isPresent()) {
            java.util.logging.Logger.getLogger(ClusterKeyServer.class.getName())
                    .warning("share refresh refused: " + refusal.get().getMessage());
            return CompletableFuture.failedFuture(refusal.get());
        }
        return onLoop(() -> refresher.refresh(keyIds));
    }

    /**
     * This node's own sessions, without looking for holders: what a request delegated to this node runs on, so a
     * delegated request never travels further (SEC-40). Only the delegated endpoints (2, 5 to 8) are used.
     */
    private final class Here implements KeyServer {
        @Override
        public CompletionStage<PublicPoint> generateServerKey(H256 keyId, Requester requester, long threshold) {
            return ClusterKeyServer.this.generateServerKey(keyId, requester, threshold);
        }

        @Override
        public CompletionStage<Void> storeDocumentKey(H256 keyId, Requester requester, PublicPoint commonPoint, PublicPoint encryptedPoint) {
            return onLoop(() -> storeHere(keyId, requester, Operation.STORE_DOCUMENT_KEY, commonPoint, encryptedPoint,
                    storage.metadata(keyId)));
        }

        @Override
        public CompletionStage<byte[]> generateDocumentKey(H256 keyId, Requester requester, long threshold) {
            return ClusterKeyServer.this.generateDocumentKey(keyId, requester, threshold);
        }

        @Override
        public CompletionStage<PublicPoint> retrieveServerKey(H256 keyId, Requester requester) {
            return onLoop(() -> serverKeyHere(serverKeyRequester(keyId, requester), storage.metadata(keyId)));
        }

        @Override
        public CompletionStage<byte[]> retrieveDocumentKey(H256 keyId, Requester requester) {
            return onLoop(() -> {
                Optional<KeyRead> first = readOnce(keyId, DecryptionSession.PROFILE);
                return documentKeyHere(keyId, requester, first.map(KeyRead::key), first);
            });
        }

        @Override
        public CompletionStage<ShadowRetrieval> retrieveDocumentKeyShadows(H256 keyId, Requester requester) {
            return retrieveDocumentKeyShadows(keyId, requester, Set.of());
        }

        @Override
        public CompletionStage<ShadowRetrieval> retrieveDocumentKeyShadows(H256 keyId, Requester requester, Set<NodeId> excluded) {
            Set<NodeId> without = Set.copyOf(excluded);
            return onLoop(() -> {
                Optional<KeyRead> first = readOnce(keyId, DecryptionSession.PROFILE);
                return shadowsHere(keyId, requester, first.map(KeyRead::key), without, first);
            });
        }

        @Override
        public CompletionStage<byte[]> signSchnorr(H256 keyId, Requester requester, H256 messageHash) {
            return onLoop(() -> {
                Optional<KeyRead> first = readOnce(keyId, SchnorrSigningSession.PROFILE);
                return schnorrHere(keyId, requester, messageHash, first.map(KeyRead::key), first);
            });
        }

        @Override
        public CompletionStage<byte[]> signEcdsa(H256 keyId, Requester requester, H256 messageHash) {
            return onLoop(() -> {
                Optional<KeyRead> first = readOnce(keyId, EcdsaSigningSession.PROFILE);
                return ecdsaHere(keyId, requester, messageHash, first.map(KeyRead::key), first);
            });
        }

        @Override
        public CompletionStage<Void> changeServersSet(byte[] oldSetSignature, byte[] newSetSignature, Set<NodeId> newServersSet) {
            return ClusterKeyServer.this.changeServersSet(oldSetSignature, newSetSignature, newServersSet);
        }

        @Override
        public CompletionStage<Void> refreshShares(byte[] signature, List<H256> keyIds) {
            return ClusterKeyServer.this.refreshShares(signature, keyIds);
        }

        @Override
        public CompletionStage<Void> changeServersSet(byte[] oldSetSignature, byte[] newSetSignature, Set<NodeId> newServersSet,
                                                      Optional<Authorization> authorization) {
            return ClusterKeyServer.this.changeServersSet(oldSetSignature, newSetSignature, newServersSet, authorization);
        }

        @Override
        public CompletionStage<Void> refreshShares(byte[] signature, List<H256> keyIds, Optional<Authorization> authorization) {
            return ClusterKeyServer.this.refreshShares(signature, keyIds, authorization);
        }
    }
}
