package dev.secretstore.node.scenario;

import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.NodeSetHash;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.RecoverableSignature;
import dev.secretstore.crypto.threshold.EncryptedDocumentKey;
import dev.secretstore.crypto.threshold.SchnorrSignature;
import dev.secretstore.node.http.ErrorResponses;
import dev.secretstore.protocol.ClusterKeyServer;
import dev.secretstore.protocol.KeyServer;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.acl.AclChecker;
import dev.secretstore.protocol.session.InMemoryCluster;
import dev.secretstore.protocol.session.InMemoryCluster.Delivery;
import dev.secretstore.protocol.session.admin.AdminPolicy;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * {@link ClusterUnderTest} over the protocol's {@link InMemoryCluster}: one {@link ClusterKeyServer}
 * (the facade the HTTP adapter calls) per node, every message through the real codec, a fake clock.
 *
 * <p>"Lose a member" cuts it off ({@link InMemoryCluster#disconnect}: queued and later messages to and
 * from it are lost, every node is told). "Lose it at a step": a step is one kind of cluster message
 * (session type and message class, e.g. {@code KEY_GENERATION/Deal}), learnt from a clean run in the
 * order the kinds first appear; the member is cut off just before the first message of that kind is
 * delivered, so that message is lost if the member sends or receives it. Waiting is fake time: the
 * clock moves one second at a time with every node's session maintenance and pending-write resolver.
 */
public final class InMemoryClusterUnderTest implements ClusterUnderTest {
    private static final Duration TICK = Duration.ofSeconds(1);

    /** A kind of cluster message: session type and message class. */
    record MessageKind(String name) implements Step {}

    private final InMemoryCluster cluster;
    private final List<ClusterKeyServer> servers = new ArrayList<>();
    private final KeyPair requester = KeyPair.random();
    private final KeyPair admin = KeyPair.random();
    private final Set<Integer> lost = new HashSet<>();
    private List<String> recording;
    private int armedMember = -1;
    private String armedKind;

    public InMemoryClusterUnderTest(int size) {
        cluster = new InMemoryCluster(size);
        SecureRandom random = new SecureRandom();
        AdminPolicy policy = new AdminPolicy(Optional.of(admin.publicKey()), false);
        // Only the author ever asks, and the process cluster's policy file allows authors: the same answers.
        AclChecker acl = (address, keyId) -> CompletableFuture.completedFuture(AclChecker.Decision.allow("scenario"));
        for (InMemoryCluster.Node node : cluster.nodes()) {
            // The cluster loop is the test thread: work runs at once, messages wait in the cluster's queue.
            servers.add(new ClusterKeyServer(node.sessions, node, node.storage, acl, policy, Runnable::run, random,
                    cluster.clock));
        }
        cluster.intercept(this::intercept);
    }

    private List<Delivery> intercept(Delivery d) {
        String kind = d.envelope().type() + "/" + d.envelope().body().getClass().getSimpleName();
        if (recording != null && !recording.contains(kind)) recording.add(kind);
        if (kind.equals(armedKind)) {
            int member = armedMember;
            armedKind = null;
            armedMember = -1;
            lose(member);
        }
        return List.of(d);
    }

    @Override
    public int size() {
        return servers.size();
    }

    @Override
    public KeyPair requester() {
        return requester;
    }

    /** The requester with Parity's credential for {@code keyId}: its signature over the key id (SEC-31: members check it). */
    private Requester asRequester(H256 keyId) {
        return new Requester(requester.publicKey(), requester.address(),
                new dev.secretstore.protocol.auth.Credential.Static(dev.secretstore.crypto.Ecdsa.sign(requester.secret(), keyId)));
    }

    /**
     * Starts the request on member {@code via}, delivers every message, then lets fake time pass up to
     * the answer deadline. An armed fault that did not fire during the request fires right after it.
     */
    private <T, R> Outcome<R> run(int via, Function<KeyServer, CompletionStage<T>> request, Function<T, R> decode) {
        CompletableFuture<T> answer = request.apply(servers.get(via)).toCompletableFuture();
        cluster.deliverAll();
        boolean answered = within(answerDeadline(), answer::isDone);
        if (armedKind != null) {
            int member = armedMember;
            armedKind = null;
            armedMember = -1;
            lose(member);
        }
        if (!answered) return Outcome.noAnswer("member " + via + " did not answer within " + answerDeadline().toSeconds() + " s of fake time");
        try {
            return Outcome.ok(decode.apply(answer.join()));
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SecretStoreException s) return Outcome.failed(ErrorResponses.status(s.kind()), s.displayText());
            return Outcome.failed(500, "unexpected " + cause);
        }
    }

    @Override
    public Outcome<PublicPoint> generateServerKey(int via, H256 keyId, int threshold) {
        return run(via, s -> s.generateServerKey(keyId, asRequester(keyId), threshold), y -> y);
    }

    @Override
    public Outcome<Void> storeDocumentKey(int via, H256 keyId, EncryptedDocumentKey key) {
        return run(via, s -> s.storeDocumentKey(keyId, asRequester(keyId), key.commonPoint(), key.encryptedPoint()), v -> null);
    }

    @Override
    public Outcome<PublicPoint> retrieveServerKey(int via, H256 keyId) {
        return run(via, s -> s.retrieveServerKey(keyId, asRequester(keyId)), y -> y);
    }

    @Override
    public Outcome<PublicPoint> retrieveDocumentKey(int via, H256 keyId) {
        return run(via, s -> s.retrieveDocumentKey(keyId, asRequester(keyId)), blob -> Decrypted.documentKey(requester, blob));
    }

    @Override
    public Outcome<PublicPoint> retrieveDocumentKeyFromShadows(int via, H256 keyId) {
        return run(via, s -> s.retrieveDocumentKeyShadows(keyId, asRequester(keyId)), r -> Decrypted.documentKeyFromShadows(requester,
                r.decryptedSecret(), r.commonPoint(), r.decryptShadows()));
    }

    @Override
    public Outcome<SchnorrSignature> signSchnorr(int via, H256 keyId, H256 message) {
        return run(via, s -> s.signSchnorr(keyId, asRequester(keyId), message), blob -> Decrypted.schnorr(requester, blob));
    }

    @Override
    public Outcome<RecoverableSignature> signEcdsa(int via, H256 keyId, H256 message) {
        return run(via, s -> s.signEcdsa(keyId, asRequester(keyId), message), blob -> Decrypted.ecdsa(requester, blob));
    }

    @Override
    public Outcome<Void> changeServersSet(int via, SortedSet<Integer> oldSet, SortedSet<Integer> newSet) {
        byte[] oldSignature = Ecdsa.sign(admin.secret(), NodeSetHash.of(publicKeys(oldSet))).toBytes();
        byte[] newSignature = Ecdsa.sign(admin.secret(), NodeSetHash.of(publicKeys(newSet))).toBytes();
        Set<NodeId> ids = new HashSet<>();
        for (int i : newSet) ids.add(cluster.node(i).id);
        return run(via, s -> s.changeServersSet(oldSignature, newSignature, ids), v -> null);
    }

    private List<PublicPoint> publicKeys(SortedSet<Integer> members) {
        return members.stream().map(i -> cluster.node(i).id.publicKey()).toList();
    }

    @Override
    public void lose(int member) {
        if (lost.add(member)) cluster.disconnect(cluster.node(member).id);
    }

    @Override
    public void restore(int member) {
        if (lost.remove(member)) cluster.reconnect(cluster.node(member).id);
    }

    @Override
    public List<Step> stepsOf(Runnable cleanRun) {
        recording = new ArrayList<>();
        try {
            cleanRun.run();
            return recording.stream().<Step>map(MessageKind::new).toList();
        } finally {
            recording = null;
        }
    }

    @Override
    public void loseAt(int member, Step step) {
        armedMember = member;
        armedKind = ((MessageKind) step).name();
    }

    @Override
    public boolean within(Duration bound, BooleanSupplier condition) {
        for (Duration waited = Duration.ZERO; ; waited = waited.plus(TICK)) {
            if (condition.getAsBoolean()) return true;
            if (waited.compareTo(bound) >= 0) return false;
            cluster.advance(TICK);
            servers.forEach(ClusterKeyServer::maintain);
            cluster.deliverAll();
        }
    }

    @Override
    public boolean idle() {
        for (int i = 0; i < size(); i++) {
            if (!lost.contains(i) && !cluster.node(i).sessions.activeSessions().isEmpty()) return false;
        }
        return true;
    }

    @Override
    public Duration answerDeadline() {
        return InMemoryCluster.STALL.plus(TICK);
    }

    @Override
    public Duration sessionDeadline() {
        return InMemoryCluster.STALL.multipliedBy(2).plus(TICK);
    }

    @Override
    public void heal() {
        armedKind = null;
        armedMember = -1;
        for (int member : List.copyOf(lost)) restore(member);
    }

    @Override
    public void close() {
        // nothing outside this JVM's heap
    }
}
