package dev.secretstore.protocol.session.delegation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.RecoverableSignature;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.Decryption;
import dev.secretstore.crypto.threshold.DocumentKey;
import dev.secretstore.crypto.threshold.Schnorr;
import dev.secretstore.crypto.threshold.SchnorrSignature;
import dev.secretstore.protocol.ClusterKeyServer;
import dev.secretstore.protocol.KeyServer;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.acl.AclChecker;
import dev.secretstore.protocol.session.Envelope;
import dev.secretstore.protocol.session.InMemoryCluster;
import dev.secretstore.protocol.session.InMemoryCluster.Delivery;
import dev.secretstore.protocol.session.SessionType;
import dev.secretstore.protocol.session.TestKeys;
import dev.secretstore.protocol.session.TestRequesters;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.protocol.session.consensus.ConsensusMessage;
import dev.secretstore.protocol.session.decryption.DecryptionMessage;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * SEC-40 "any member is an entry point": a member that does not hold a key answers every endpoint for it as a
 * holder would, through key-version negotiation and delegation to a holder. Every request runs through
 * {@link ClusterKeyServer} on the in-memory cluster (real codec, one FIFO queue).
 */
class EntryPointTest {
    private static final SecureRandom RNG = new SecureRandom();

    private final KeyPair author = KeyPair.random();
    private final KeyPair stranger = KeyPair.random();
    private final H256 keyId = randomId();
    private final H256 message = randomId();

    /** The ACL of every node: the author may use the key, nobody else. */
    private final AclChecker authorOnly = (requester, key) -> CompletableFuture.completedFuture(
            requester.equals(author.publicKey().toAddress()) ? AclChecker.Decision.allow("test") : AclChecker.Decision.deny("test"));

    private static H256 randomId() {
        byte[] b = new byte[32];
        RNG.nextBytes(b);
        return H256.fromBytes(b);
    }

    /** A cluster of {@code size} with a ClusterKeyServer on each node. */
    private final class Fixture {
        final InMemoryCluster cluster;
        final List<ClusterKeyServer> servers = new ArrayList<>();

        Fixture(int size) {
            this(size, storage -> storage);
        }

        Fixture(int size, java.util.function.UnaryOperator<dev.secretstore.protocol.key.KeyStorage> wrap) {
            cluster = new InMemoryCluster(size, wrap);
            for (InMemoryCluster.Node n : cluster.nodes()) {
                servers.add(new ClusterKeyServer(n.sessions, n, n.storage, authorOnly, dev.secretstore.protocol.session.admin.AdminPolicy.NONE,
                        dev.secretstore.protocol.Availability.DEFAULTS, n.requesters(), cluster.loop, RNG, cluster.clock));
            }
        }

        NodeId id(int index) {
            return cluster.node(index).id;
        }

        /** Seeds the key (threshold t, no document key) on the members at {@code holders}. */
        TestKeys.Sharing seed(int t, int... holders) {
            List<NodeId> ids = new ArrayList<>();
            for (int h : holders) ids.add(id(h));
            return TestKeys.seed(cluster, keyId, author.publicKey().toAddress(), t, TestKeys.randomIds(ids, RNG), Optional.empty(), RNG);
        }

        <T> Answer<T> ask(int via, Function<KeyServer, CompletionStage<T>> request) {
            CompletableFuture<T> f = request.apply(servers.get(via)).toCompletableFuture();
            cluster.deliverAll();
            assertThat(f).as("request through member %d answered", via).isDone();
            try {
                return new Answer<>(f.join(), null);
            } catch (CompletionException e) {
                return new Answer<>(null, (SecretStoreException) e.getCause());
            }
        }
    }

    /** A request's result or its error. */
    private record Answer<T>(T value, SecretStoreException error) {
        T ok() {
            assertThat(error).as("request failed").isNull();
            return value;
        }

        /** The error as the client sees it: kind and display text (status and body, http-api.md §7). */
        String failure() {
            assertThat(error).as("request succeeded with " + value).isNotNull();
            return error.kind() + ": " + error.displayText();
        }
    }

    /** {@code keys}' static signature over this test's key id (Parity's credential). */
    private Requester as(KeyPair keys) {
        return as(keys, keyId);
    }

    private static Requester as(KeyPair keys, H256 key) {
        return TestRequesters.ofStatic(keys, key);
    }

    private static String failure(Kind kind) {
        return kind + ": " + SecretStoreException.of(kind).displayText();
    }

    private PublicPoint documentKey(KeyPair requester, byte[] blob) {
        return PublicPoint.fromBytes(Ecies.decryptFromServer(requester.secret(), blob));
    }

    private PublicPoint documentKey(KeyPair requester, KeyServer.ShadowRetrieval r) {
        List<SecretScalar> shadows = new ArrayList<>();
        for (byte[] blob : r.decryptShadows()) shadows.add(SecretScalar.fromBytes(Ecies.decryptFromServer(requester.secret(), blob)));
        return Decryption.clientCombine(r.decryptedSecret(), r.commonPoint(), shadows);
    }

    /**
     * Issue #18, one storage read per member per request: for a key use (5 to 8) every member, the master included,
     * reads the store once (the key's metadata with its share of the version the request uses), whichever member
     * takes the request; the entry point's read is the session's. Endpoint 4 reads the metadata once.
     */
    @Test
    void sec40_eachMemberReadsTheStoreOncePerRequest() {
        Fixture f = new Fixture(3, dev.secretstore.protocol.key.CountingKeyStorage::new);
        f.seed(1, 0, 1, 2);
        PublicPoint c = SecretScalar.random().mulG();
        PublicPoint e = SecretScalar.random().mulG();
        f.ask(0, s -> s.storeDocumentKey(keyId, as(author), c, e)).ok();
        Map<String, Function<KeyServer, CompletionStage<?>>> requests = new java.util.LinkedHashMap<>();
        requests.put("shadows", s -> s.retrieveDocumentKeyShadows(keyId, as(author)));
        requests.put("document key", s -> s.retrieveDocumentKey(keyId, as(author)));
        requests.put("schnorr", s -> s.signSchnorr(keyId, as(author), message));
        requests.put("ecdsa", s -> s.signEcdsa(keyId, as(author), message));
        for (int via = 0; via < 3; via++) {
            for (Map.Entry<String, Function<KeyServer, CompletionStage<?>>> r : requests.entrySet()) {
                f.cluster.nodes().forEach(n -> counting(n).resetCounts());
                f.ask(via, r.getValue()::apply).ok();
                for (InMemoryCluster.Node n : f.cluster.nodes()) {
                    dev.secretstore.protocol.key.CountingKeyStorage st = counting(n);
                    assertThat(st.metadataReads() + st.reads().size() + st.gets())
                            .as("%s through member %d: storage reads on member %s", r.getKey(), via, n.id.shortId()).isEqualTo(1);
                }
            }
        }
        dev.secretstore.protocol.key.CountingKeyStorage master = counting(f.cluster.node(0));
        master.resetCounts();
        f.ask(0, s -> s.retrieveServerKey(keyId, as(author))).ok();
        assertThat(master.metadataReads()).isEqualTo(1);
        assertThat(master.reads()).isEmpty();
    }

    private static dev.secretstore.protocol.key.CountingKeyStorage counting(InMemoryCluster.Node n) {
        return (dev.secretstore.protocol.key.CountingKeyStorage) n.storage;
    }

    private Requester freshly(KeyPair keys, Fixture f, Operation operation, H256 params) {
        return TestRequesters.fresh(keys, f.cluster.clusterId(), operation, keyId, params, f.cluster.wallClock.epochSecond() + 60);
    }

    /**
     * SEC-31, SEC-32: the entry point verifies a fresh authorization without spending it, so the holder it delegates to and
     * that holder's members can; the second use of the same authorization is refused.
     */
    @Test
    void aDelegatedFreshAuthorizationIsSpentOnceByTheHoldersSession_SEC31() {
        Fixture f = new Fixture(4);
        TestKeys.Sharing key = f.seed(1, 1, 2, 3); // member 0 holds nothing
        Requester once = freshly(author, f, Operation.SIGN_SCHNORR, message);
        byte[] blob = f.ask(0, s -> s.signSchnorr(keyId, once, message)).ok();
        SchnorrSignature sig = SchnorrSignature.fromBytes(Ecies.decryptFromServer(author.secret(), blob));
        assertThat(Schnorr.verify(key.publicKey(), message, sig)).isTrue();
        assertThat(f.ask(0, s -> s.signSchnorr(keyId, once, message)).failure()).as("replayed through the same entry point")
                .startsWith(Kind.INSUFFICIENT_REQUESTER_DATA + ": ");
        assertThat(f.ask(0, s -> s.signSchnorr(keyId, freshly(author, f, Operation.SIGN_SCHNORR, randomId()), message)).failure())
                .as("another message hash is refused by the entry point before it forwards anything")
                .startsWith(Kind.INSUFFICIENT_REQUESTER_DATA + ": ");
    }

    /** SEC-31: endpoint 4 is answered for the requester the answering node derives from the credential itself. */
    @Test
    void theServerKeyGoesToTheAuthorOfTheCredential_SEC31() {
        Fixture f = new Fixture(4);
        TestKeys.Sharing key = f.seed(1, 1, 2, 3);
        for (int via : new int[] {0, 1}) { // through a non-holder (negotiated) and a holder (its own metadata)
            assertThat(f.ask(via, s -> s.retrieveServerKey(keyId, freshly(author, f, Operation.RETRIEVE_SERVER_KEY, Operation.NO_PARAMS))).ok())
                    .isEqualTo(key.publicKey());
            assertThat(f.ask(via, s -> s.retrieveServerKey(keyId, freshly(author, f, Operation.RETRIEVE_DOCUMENT_KEY, Operation.NO_PARAMS)))
                    .failure()).as("the author's authorization of another endpoint").startsWith(Kind.INSUFFICIENT_REQUESTER_DATA + ": ");
        }
    }

    @Test
    void aNonHolderAnswersEveryEndpointAsAHolderWould_SEC40() {
        Fixture f = new Fixture(4);
        TestKeys.Sharing key = f.seed(1, 1, 2, 3); // member 0 was added later: it holds nothing
        int entry = 0;
        int holder = 1;

        // 4: Y for the author, 403 for anyone else
        assertThat(f.ask(entry, s -> s.retrieveServerKey(keyId, as(author))).ok()).isEqualTo(key.publicKey());
        assertThat(f.ask(entry, s -> s.retrieveServerKey(keyId, as(stranger))).failure())
                .isEqualTo(f.ask(holder, s -> s.retrieveServerKey(keyId, as(stranger))).failure())
                .isEqualTo(failure(Kind.ACCESS_DENIED));

        // 5, 6 before any document key: 404 DocumentKeyIsNotFound
        assertThat(f.ask(entry, s -> s.retrieveDocumentKey(keyId, as(author))).failure())
                .isEqualTo(f.ask(holder, s -> s.retrieveDocumentKey(keyId, as(author))).failure())
                .isEqualTo(failure(Kind.DOCUMENT_KEY_IS_NOT_FOUND));
        assertThat(f.ask(entry, s -> s.retrieveDocumentKeyShadows(keyId, as(author))).failure())
                .isEqualTo(failure(Kind.DOCUMENT_KEY_IS_NOT_FOUND));

        // 2: a stranger is refused; the author stores through the non-holder; storing again is refused
        DocumentKey.Generated dk = DocumentKey.generate(key.publicKey(), RNG);
        PublicPoint c = dk.encrypted().commonPoint();
        PublicPoint e = dk.encrypted().encryptedPoint();
        assertThat(f.ask(entry, s -> s.storeDocumentKey(keyId, as(stranger), c, e)).failure())
                .isEqualTo(f.ask(holder, s -> s.storeDocumentKey(keyId, as(stranger), c, e)).failure())
                .isEqualTo(failure(Kind.ACCESS_DENIED));
        f.ask(entry, s -> s.storeDocumentKey(keyId, as(author), c, e)).ok();
        for (int h = 1; h <= 3; h++) {
            assertThat(f.cluster.node(h).storage.metadata(keyId).orElseThrow().documentKey()).as("holder %d", h).isPresent();
        }
        assertThat(f.cluster.node(entry).storage.metadata(keyId)).as("the entry node still holds nothing").isEmpty();
        assertThat(f.ask(entry, s -> s.storeDocumentKey(keyId, as(author), c, e)).failure())
                .isEqualTo(f.ask(holder, s -> s.storeDocumentKey(keyId, as(author), c, e)).failure())
                .isEqualTo(failure(Kind.DOCUMENT_KEY_ALREADY_STORED));

        // 5, 6: the document key, plainly and from shadows
        assertThat(documentKey(author, f.ask(entry, s -> s.retrieveDocumentKey(keyId, as(author))).ok())).isEqualTo(dk.documentKey());
        assertThat(documentKey(author, f.ask(entry, s -> s.retrieveDocumentKeyShadows(keyId, as(author))).ok())).isEqualTo(dk.documentKey());
        assertThat(documentKey(author, f.ask(holder, s -> s.retrieveDocumentKeyShadows(keyId, as(author))).ok())).isEqualTo(dk.documentKey());

        // 7, 8: signatures that verify under Y
        byte[] schnorr = f.ask(entry, s -> s.signSchnorr(keyId, as(author), message)).ok();
        assertThat(Schnorr.verify(key.publicKey(), message, SchnorrSignature.fromBytes(Ecies.decryptFromServer(author.secret(), schnorr))))
                .isTrue();
        byte[] ecdsa = f.ask(entry, s -> s.signEcdsa(keyId, as(author), message)).ok();
        RecoverableSignature sig = RecoverableSignature.fromBytes(Ecies.decryptFromServer(author.secret(), ecdsa));
        assertThat(Ecdsa.verify(key.publicKey(), sig, message)).isTrue();

        // 5 to 8 for someone the holders' ACL refuses: the holders' consensus decides, not the entry node
        for (Function<KeyServer, CompletionStage<?>> refused : List.<Function<KeyServer, CompletionStage<?>>>of(
                s -> s.retrieveDocumentKey(keyId, as(stranger)),
                s -> s.retrieveDocumentKeyShadows(keyId, as(stranger)),
                s -> s.signSchnorr(keyId, as(stranger), message),
                s -> s.signEcdsa(keyId, as(stranger), message))) {
            assertThat(f.ask(entry, refused::apply).failure())
                    .isEqualTo(f.ask(holder, refused::apply).failure())
                    .isEqualTo(failure(Kind.CONSENSUS_UNREACHABLE));
        }
        assertThat(f.cluster.allIdle()).isTrue();
    }

    /**
     * SEC-33: through a non-holder, the shadows come with their members and proved points, which name a member that
     * encrypted another d_i than it proved; the requester's exclusion reaches the delegate, which is never the
     * excluded member, and the retry gives the right key.
     */
    @Test
    void aDelegatedShadowRetrievalCarriesTheCheckDataAndTheExclusions_SEC33() {
        Fixture f = new Fixture(4);
        TestKeys.Sharing key = f.seed(1, 1, 2, 3);
        DocumentKey.Generated dk = DocumentKey.generate(key.publicKey(), RNG);
        f.ask(0, s -> s.storeDocumentKey(keyId, as(author), dk.encrypted().commonPoint(), dk.encrypted().encryptedPoint())).ok();
        NodeId liar = f.id(1);
        List<NodeId> delegates = new ArrayList<>();
        f.cluster.intercept(d -> {
            if (d.envelope().body() instanceof DelegationMessage.Request) delegates.add(d.to());
            if (d.from().equals(liar) && d.envelope().body() instanceof DecryptionMessage.ShadowPartialResponse r) {
                byte[] other = Ecies.encryptToClient(author.publicKey(), SecretScalar.random(RNG).toBytes());
                Envelope e = d.envelope();
                return List.of(new Delivery(d.from(), d.to(), new Envelope(e.type(), e.sessionId(), e.master(), e.sender(),
                        new DecryptionMessage.ShadowPartialResponse(r.attemptId(), r.shadowPoint(), r.w(), r.proof(), other))));
            }
            return List.of(d);
        });
        KeyServer.ShadowRetrieval caught = f.ask(0, s -> s.retrieveDocumentKeyShadows(keyId, as(author))).ok();
        assertThat(delegates).as("delegated").hasSize(1);
        // t+1 members, the liar among them: the delegate (drawn at random) and the lowest other holder (issue #18)
        assertThat(caught.checks()).extracting(KeyServer.ShadowCheck::node).hasSize(2).contains(liar);
        assertThat(mismatching(caught)).containsExactly(liar);

        for (int i = 0; i < 12; i++) { // a delegate is drawn at random: 12 draws would pick the liar with 99 % if allowed
            delegates.clear();
            KeyServer.ShadowRetrieval retry = f.ask(0, s -> s.retrieveDocumentKeyShadows(keyId, as(author), java.util.Set.of(liar))).ok();
            assertThat(delegates).as("an excluded member does not master the retry").hasSize(1).doesNotContain(liar);
            assertThat(retry.checks()).extracting(KeyServer.ShadowCheck::node).containsExactly(f.id(2), f.id(3));
            assertThat(mismatching(retry)).isEmpty();
            assertThat(documentKey(author, retry)).isEqualTo(dk.documentKey());
        }
        assertThat(f.cluster.allIdle()).isTrue();
    }

    /** The members whose decrypted d_i does not match the W_i reported with it (SEC-33). */
    private List<NodeId> mismatching(KeyServer.ShadowRetrieval r) {
        List<NodeId> out = new ArrayList<>();
        for (int i = 0; i < r.decryptShadows().size(); i++) {
            SecretScalar d = SecretScalar.fromBytes(Ecies.decryptFromServer(author.secret(), r.decryptShadows().get(i)));
            if (!d.mulG().equals(r.checks().get(i).w())) out.add(r.checks().get(i).node());
        }
        return out;
    }

    @Test
    void aKeyUnknownOnEveryMemberIsTheSame404AsFromAHolder_SEC40() {
        Fixture f = new Fixture(3);
        PublicPoint p = KeyPair.random().publicKey();
        List<Function<KeyServer, CompletionStage<?>>> endpoints = List.of(
                s -> s.storeDocumentKey(keyId, as(author), p, p),
                s -> s.retrieveServerKey(keyId, as(author)),
                s -> s.retrieveDocumentKey(keyId, as(author)),
                s -> s.retrieveDocumentKeyShadows(keyId, as(author)),
                s -> s.signSchnorr(keyId, as(author), message),
                s -> s.signEcdsa(keyId, as(author), message));
        for (Function<KeyServer, CompletionStage<?>> endpoint : endpoints) {
            assertThat(f.ask(0, endpoint::apply).failure()).isEqualTo(failure(Kind.SERVER_KEY_IS_NOT_FOUND));
        }
    }

    @Test
    void aHolderLostDuringDelegationIsReplacedByAnother_SEC40() {
        Fixture f = new Fixture(4);
        TestKeys.Sharing key = f.seed(1, 1, 2, 3);
        List<NodeId> delegates = new ArrayList<>();
        f.cluster.intercept(d -> {
            if (d.envelope().body() instanceof DelegationMessage.Request) delegates.add(d.to());
            // the first delegate is lost once it has started the request's own session (its consensus request)
            if (delegates.size() == 1 && d.from().equals(delegates.get(0)) && d.envelope().type() == SessionType.SCHNORR_SIGNING
                    && d.envelope().body() instanceof ConsensusMessage.Request) {
                f.cluster.disconnect(delegates.get(0));
                return List.of();
            }
            return List.of(d);
        });
        byte[] blob = f.ask(0, s -> s.signSchnorr(keyId, as(author), message)).ok();
        assertThat(Schnorr.verify(key.publicKey(), message, SchnorrSignature.fromBytes(Ecies.decryptFromServer(author.secret(), blob))))
                .isTrue();
        assertThat(delegates).hasSize(2).doesNotHaveDuplicates();
    }

    @Test
    void aRetryableAnswerIsRetriedOnAnotherHolderAndTheAttemptsAreBounded_SEC40() {
        Fixture f = new Fixture(5);
        TestKeys.Sharing key = f.seed(1, 1, 2, 3, 4);
        List<NodeId> delegates = new ArrayList<>();
        int[] rewrite = {1};
        f.cluster.intercept(d -> {
            if (d.envelope().body() instanceof DelegationMessage.Request) delegates.add(d.to());
            if (d.envelope().body() instanceof DelegationMessage.Succeeded && rewrite[0]-- > 0) {
                return List.of(new Delivery(d.from(), d.to(), new Envelope(d.envelope().type(), d.envelope().sessionId(),
                        d.envelope().master(), d.envelope().sender(),
                        new DelegationMessage.Failed(Kind.NODE_DISCONNECTED, "", List.of(), List.of()))));
            }
            return List.of(d);
        });
        // no document key anywhere: the holder's 404 is final (not retryable), no second holder is asked
        assertThat(f.ask(0, s -> s.retrieveDocumentKeyShadows(keyId, as(author))).failure())
                .isEqualTo(failure(Kind.DOCUMENT_KEY_IS_NOT_FOUND));
        assertThat(delegates).hasSize(1);

        delegates.clear();
        rewrite[0] = 1;
        byte[] sig = f.ask(0, s -> s.signSchnorr(keyId, as(author), message)).ok();
        assertThat(Schnorr.verify(key.publicKey(), message, SchnorrSignature.fromBytes(Ecies.decryptFromServer(author.secret(), sig))))
                .isTrue();
        assertThat(delegates).as("the retryable answer sent the request to a second holder").hasSize(2).doesNotHaveDuplicates();

        delegates.clear();
        rewrite[0] = Integer.MAX_VALUE;
        assertThat(f.ask(0, s -> s.signSchnorr(keyId, as(author), message)).failure()).isEqualTo(failure(Kind.NODE_DISCONNECTED));
        assertThat(delegates).as("at most MAX_ATTEMPTS holders per request").hasSize(EntryPoint.MAX_ATTEMPTS);
    }

    @Test
    void aLyingHoldersMetadataAloneIsNotEnoughForTheServerKey_SEC40() {
        // N = 4, t = 1, holders 1, 2, 3; member 3 lies about the key's author and Y
        Fixture f = new Fixture(4);
        TestKeys.Sharing key = f.seed(1, 1, 2, 3);
        NodeId liar = f.id(3);
        PublicPoint fakeY = KeyPair.random().publicKey();
        Address fakeAuthor = stranger.publicKey().toAddress();
        f.cluster.intercept(d -> {
            if (d.from().equals(liar) && d.envelope().body() instanceof DelegationMessage) {
                DelegationMessage lie = new DelegationMessage.Held(fakeAuthor, 0, fakeY, true, true);
                if (d.envelope().body() instanceof DelegationMessage.Held || d.envelope().body() instanceof DelegationMessage.NotHeld) {
                    return List.of(new Delivery(d.from(), d.to(), new Envelope(d.envelope().type(), d.envelope().sessionId(),
                            d.envelope().master(), d.envelope().sender(), lie)));
                }
            }
            return List.of(d);
        });
        // two honest holders agree: the lie changes nothing
        assertThat(f.ask(0, s -> s.retrieveServerKey(keyId, as(author))).ok()).isEqualTo(key.publicKey());
        assertThat(f.ask(0, s -> s.retrieveServerKey(keyId, as(stranger))).failure()).isEqualTo(failure(Kind.ACCESS_DENIED));

        // with the honest holders away the liar's word alone is no answer (even claiming t = 0)
        f.cluster.disconnect(f.id(1));
        f.cluster.disconnect(f.id(2));
        assertThat(f.ask(0, s -> s.retrieveServerKey(keyId, as(stranger))).failure())
                .isEqualTo(failure(Kind.CONSENSUS_TEMPORARY_UNREACHABLE));

        // a key nobody holds, claimed by the liar alone: no answer from its word either
        H256 unknown = randomId();
        assertThat(f.ask(0, s -> s.retrieveServerKey(unknown, as(stranger, unknown))).failure())
                .isEqualTo(failure(Kind.CONSENSUS_TEMPORARY_UNREACHABLE));
    }

    @Test
    void aDelegatedRequestIsNeverDelegatedFurther_SEC40() {
        Fixture f = new Fixture(4);
        f.seed(1, 1, 2);
        NodeId entry = f.id(0);
        NodeId nonHolder = f.id(3);
        List<DelegationMessage> fromNonHolder = new ArrayList<>();
        f.cluster.intercept(d -> {
            if (d.from().equals(nonHolder) && d.envelope().body() instanceof DelegationMessage m) fromNonHolder.add(m);
            return List.of(d);
        });
        DelegationMessage.Request forged = new DelegationMessage.Request(Endpoint.SIGN_SCHNORR, keyId, as(author).credential(), message,
                List.of());
        f.cluster.inject(new Delivery(entry, nonHolder, new Envelope(SessionType.DELEGATION, randomId(), entry, entry, forged)));
        f.cluster.deliverAll();
        assertThat(fromNonHolder).as("it answers as a member without the key, and asks nobody").hasSize(1);
        DelegationMessage.Failed answer = (DelegationMessage.Failed) fromNonHolder.get(0);
        assertThat(answer.kind()).isEqualTo(Kind.SERVER_KEY_IS_NOT_FOUND);
    }

    @Test
    void aStoreWhoseHolderWasLostIsNotRepeatedOnAnother_SEC40() {
        Fixture f = new Fixture(4);
        TestKeys.Sharing key = f.seed(1, 1, 2, 3);
        DocumentKey.Generated dk = DocumentKey.generate(key.publicKey(), RNG);
        List<NodeId> delegates = new ArrayList<>();
        f.cluster.intercept(d -> {
            if (d.envelope().body() instanceof DelegationMessage.Request) delegates.add(d.to());
            if (d.envelope().body() instanceof DelegationMessage.Succeeded) { // committed, but the answer is lost with its holder
                f.cluster.disconnect(d.from());
                return List.of();
            }
            return List.of(d);
        });
        assertThat(f.ask(0, s -> s.storeDocumentKey(keyId, as(author), dk.encrypted().commonPoint(), dk.encrypted().encryptedPoint()))
                .failure()).isEqualTo(failure(Kind.NODE_DISCONNECTED));
        assertThat(delegates).as("a store that may have committed is left to the client's retry").hasSize(1);
        assertThat(f.cluster.node(2).storage.metadata(keyId).orElseThrow().documentKey()).isPresent();
    }

    @Test
    void theHolderTrustsTheEntryNodeNoMoreThanAClient_SEC31_SEC40() {
        Fixture f = new Fixture(3);
        f.seed(1, 1, 2);
        NodeId entry = f.id(0);
        NodeId holder = f.id(1);
        List<DelegationMessage> answers = new ArrayList<>();
        f.cluster.intercept(d -> {
            if (d.from().equals(holder) && d.envelope().type() == SessionType.DELEGATION) answers.add((DelegationMessage) d.envelope().body());
            return List.of(d);
        });
        dev.secretstore.protocol.session.MemberOutcomes outcomes = dev.secretstore.protocol.session.MemberOutcomes.watch(f.cluster);
        // SEC-31: the author's fresh authorization to sign another message: the holder derives no requester from it
        Requester otherMessage = TestRequesters.fresh(author, f.cluster.clusterId(), Operation.SIGN_SCHNORR, keyId,
                H256.keccak(new byte[] {9}), f.cluster.wallClock.epochSecond() + 60);
        DelegationMessage.Request forged = new DelegationMessage.Request(Endpoint.SIGN_SCHNORR, keyId, otherMessage.credential(), message,
                List.of());
        SessionKey forgedKey = new SessionKey(SessionType.DELEGATION, randomId(), entry);
        f.cluster.inject(new Delivery(entry, holder, new Envelope(SessionType.DELEGATION, forgedKey.sessionId(), entry, entry, forged)));
        // a stranger's own signature: the holders' ACL consensus refuses it as it would a client
        DelegationMessage.Request stranger = new DelegationMessage.Request(Endpoint.SIGN_SCHNORR, keyId, as(this.stranger).credential(),
                message, List.of());
        f.cluster.inject(new Delivery(entry, holder, new Envelope(SessionType.DELEGATION, randomId(), entry, entry, stranger)));
        f.cluster.deliverAll();
        assertThat(answers).extracting(a -> ((DelegationMessage.Failed) a).kind())
                .containsExactlyInAnyOrder(Kind.INSUFFICIENT_REQUESTER_DATA, Kind.CONSENSUS_UNREACHABLE);
        assertThat(outcomes.culprits(holder, SessionType.DELEGATION)).as("the holder blames the entry node for the forged credential only")
                .extracting(dev.secretstore.protocol.Culprit::node, dev.secretstore.protocol.Culprit::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(entry, dev.secretstore.protocol.Culprit.Reason.UNAUTHORIZED_REQUEST));
    }

    @Test
    void aMemberWithAnUndecidedWriteOfTheKeyAnswersFromItsOwnStateUntilItIsResolved() {
        Fixture f = new Fixture(3);
        Map<NodeId, dev.secretstore.crypto.Scalar> ids = TestKeys.randomIds(List.of(f.id(0), f.id(1), f.id(2)), RNG);
        TestKeys.Sharing key = TestKeys.deal(keyId, author.publicKey().toAddress(), 1, ids, Optional.empty(), RNG);
        for (int i = 0; i < 3; i++) {
            f.cluster.node(i).storage.prepareNewKey(key.of(f.id(i)));
            if (i != 0) f.cluster.node(i).storage.commit(keyId); // member 0 was lost before it committed
        }
        assertThat(f.ask(0, s -> s.retrieveServerKey(keyId, as(author))).failure()).isEqualTo(failure(Kind.SERVER_KEY_IS_NOT_FOUND));
        f.cluster.node(0).storage.commit(keyId); // what the recovery path does
        assertThat(f.ask(0, s -> s.retrieveServerKey(keyId, as(author))).ok()).isEqualTo(key.publicKey());
    }

    @Test
    void aMemberWhoseOnlyVersionCannotServeTheRequestDelegatesIt_SEC40() {
        Fixture f = new Fixture(4);
        TestKeys.Sharing key = f.seed(1, 1, 2, 3);
        // member 0 holds only an older sharing of the same key with two holders: too few for ECDSA's 2t+1
        Map<NodeId, dev.secretstore.protocol.key.KeyVersion> old = TestKeys.versions(key.secret(), 1,
                TestKeys.randomIds(List.of(f.id(0), f.id(1)), RNG), RNG);
        f.cluster.node(0).storage.prepareNewKey(new dev.secretstore.protocol.key.KeyShare(keyId, author.publicKey().toAddress(), 1,
                key.publicKey(), Optional.empty(), List.of(old.get(f.id(0)))));
        f.cluster.node(0).storage.commit(keyId);

        byte[] blob = f.ask(0, s -> s.signEcdsa(keyId, as(author), message)).ok();
        RecoverableSignature sig = RecoverableSignature.fromBytes(Ecies.decryptFromServer(author.secret(), blob));
        assertThat(Ecdsa.verify(key.publicKey(), sig, message)).isTrue();
    }

    @Test
    void aHolderThatMissedTheDocumentKeyAnswersAsTheOtherHoldersWithOneOfThemDown_SEC40() {
        Fixture f = new Fixture(3);
        TestKeys.Sharing key = f.seed(1, 0, 1, 2);
        DocumentKey.Generated dk = DocumentKey.generate(key.publicKey(), RNG);
        for (int h : new int[] {0, 1}) { // member 2 missed the store
            f.cluster.node(h).storage.prepareDocumentKey(keyId, new dev.secretstore.protocol.key.DocumentKey(dk.encrypted().commonPoint(),
                    dk.encrypted().encryptedPoint()));
            f.cluster.node(h).storage.commit(keyId);
        }
        assertThat(documentKey(author, f.ask(2, s -> s.retrieveDocumentKey(keyId, as(author))).ok())).isEqualTo(dk.documentKey());
        f.cluster.disconnect(f.id(1));
        // member 0's report and member 2's own metadata agree (t+1 = 2), so member 2 asks member 0, and gets what a
        // client asking member 0 gets: member 2's share cannot decrypt without (C, E) until repair, so no group exists
        assertThat(f.ask(2, s -> s.retrieveDocumentKeyShadows(keyId, as(author))).failure())
                .isEqualTo(f.ask(0, s -> s.retrieveDocumentKeyShadows(keyId, as(author))).failure())
                .isEqualTo(failure(Kind.CONSENSUS_TEMPORARY_UNREACHABLE));
    }
}
