package dev.secretstore.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.secretstore.client.Credentials;
import dev.secretstore.client.SecretStoreClient;
import dev.secretstore.client.SecretStoreException;
import dev.secretstore.client.ShadowResponse;
import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.http.CorsPolicy;
import dev.secretstore.node.http.HttpApi;
import dev.secretstore.protocol.ClusterKeyServer;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.acl.AclChecker;
import dev.secretstore.protocol.session.Envelope;
import dev.secretstore.protocol.session.InMemoryCluster;
import dev.secretstore.protocol.session.InMemoryCluster.Delivery;
import dev.secretstore.protocol.session.decryption.DecryptionMessage;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SEC-33 end to end: a three-member cluster (the protocol's in-memory cluster, real codec and sessions, every member a
 * {@link ClusterKeyServer}) behind the real HTTP API, and the project's Java client. One member encrypts another
 * decrypt shadow than the one it proved to the master; the client names it and still decrypts the document.
 */
class ShadowCheckEndToEndTest {
    private static final SecureRandom RNG = new SecureRandom();
    private final InMemoryCluster cluster = new InMemoryCluster(3);
    /** The cluster loop of every member: sessions, message delivery and the HTTP API's calls all run on this one thread. */
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
    private final Credentials author = Credentials.fromSecretHex("4d5db4107d237df6a3d58ee5f70ae63d73d7658d4026f2eefd2f204c81682cb7");
    /** The group of every decryption attempt, in order. */
    private final List<List<NodeId>> groups = new CopyOnWriteArrayList<>();
    private volatile NodeId liar;
    private HttpApi api;

    @AfterEach
    void stop() {
        if (api != null) api.close();
        loop.shutdownNow();
    }

    private SecretStoreClient start() throws Exception {
        AclChecker allowAll = (address, keyId) -> CompletableFuture.completedFuture(AclChecker.Decision.allow("test"));
        ClusterKeyServer entry = null;
        for (InMemoryCluster.Node node : cluster.nodes()) {
            ClusterKeyServer server = new ClusterKeyServer(node.sessions, node, node.storage, allowAll, loop, RNG, cluster.clock);
            if (entry == null) entry = server;
        }
        cluster.intercept(this::lie);
        loop.scheduleWithFixedDelay(cluster::deliverAll, 0, 2, TimeUnit.MILLISECONDS);
        // the HTTP API checks requesters as the members do (cluster id, clock, nonces), so the client's fresh
        // authorizations are made for the cluster the members know (docs/auth.md §6)
        api = new HttpApi(entry, new InetSocketAddress("127.0.0.1", 0), CorsPolicy.none(), dev.secretstore.http.HostAllowList.defaults(), false,
                new dev.secretstore.node.http.RequestLimits(dev.secretstore.node.http.RequestLimits.Config.NONE),
                dev.secretstore.node.http.Admission.none(), dev.secretstore.node.http.KeyCreators.anyone(), (op, status, nanos) -> { },
                entry.requesters());
        api.start();
        return SecretStoreClient.create(List.of("http://127.0.0.1:" + api.port()), author, Duration.ofSeconds(30));
    }

    /** The liar's shadow responses carry {@code ecies(requester, d')} for a random {@code d'} instead of its proved {@code d_i}. */
    private List<Delivery> lie(Delivery d) {
        Object body = d.envelope().body();
        if (body instanceof DecryptionMessage.PartialRequest r && d.to().equals(d.envelope().master())) groups.add(r.group());
        if (d.from().equals(liar) && body instanceof DecryptionMessage.ShadowPartialResponse r) {
            byte[] other = Ecies.encryptToClient(author.publicKey(), SecretScalar.random(RNG).toBytes());
            Envelope e = d.envelope();
            return List.of(new Delivery(d.from(), d.to(), new Envelope(e.type(), e.sessionId(), e.master(), e.sender(),
                    new DecryptionMessage.ShadowPartialResponse(r.attemptId(), r.shadowPoint(), r.w(), r.proof(), other))));
        }
        return List.of(d);
    }

    @Test
    void theClientNamesAMemberThatEncryptedAnotherShadowThanItProvedAndStillGetsTheKey_SEC33() throws Exception {
        SecretStoreClient client = start();
        String keyId = "5e".repeat(32);
        String encrypted = client.encryptDocument(keyId, "the document", 1);
        // t = 1: the first group is the two lowest node ids; the second of them lies
        liar = cluster.node(1).id;

        ShadowResponse caught = client.retrieveShadows(H256.fromHex(keyId));
        assertThat(caught.checks()).extracting(ShadowResponse.Check::node).containsExactly(cluster.node(0).id.publicKey(), liar.publicKey());
        assertThatThrownBy(() -> client.documentKeyFromShadows(caught))
                .isInstanceOfSatisfying(SecretStoreException.WrongDecryptShadow.class,
                        e -> assertThat(e.culprits()).containsExactly(liar.publicKey()));

        groups.clear();
        assertThat(client.decryptDocumentToString(keyId, encrypted)).isEqualTo("the document");
        assertThat(groups).as("the first attempt with the liar, the client's retry without it")
                .containsExactly(List.of(cluster.node(0).id, liar), List.of(cluster.node(0).id, cluster.node(2).id));
    }
}
