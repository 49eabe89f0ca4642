package dev.secretstore.protocol.session.signing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.H256;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.session.consensus.KeyUseSession;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The signing masters with their curve work offloaded ({@code ClusterSessions.offload}): the verification of every
 * partial (Schnorr) or {@code u_i} (ECDSA) and the combination with its checks and the ECIES to the requester run as
 * separate computations that every message may overtake ({@code InMemoryCluster.deferComputations}), as on a node's
 * worker pool, and come back as steps of the session. Deterministic: the cluster runs a computation only when no message
 * or task is left.
 */
class OffloadedSigningTest {
    private final H256 messageHash = SigningFixture.randomId();

    private KeyUseSession<byte[]> start(SigningFixture f, String scheme, int master) {
        f.offloaded = true;
        return f.start(scheme, master, messageHash);
    }

    private void assertSigned(SigningFixture f, String scheme, KeyUseSession<byte[]> s) {
        f.assertSigned(scheme, s, messageHash);
    }

    /** One computation per verified contribution (t+1 partials, 2t+1 u_i) and one for the combination; the round trips do not change. */
    @ParameterizedTest(name = "{0} N={1} t={2}")
    @CsvSource({"schnorr,3,1", "schnorr,5,2", "ecdsa,3,1", "ecdsa,5,2"})
    void theMastersChecksAndCombinationRunOffTheLoop(String scheme, int n, int t) {
        SigningFixture f = new SigningFixture(n, t);
        f.cluster.deferComputations();
        KeyUseSession<byte[]> s = start(f, scheme, n - 1);
        f.cluster.deliverAll();
        assertSigned(f, scheme, s);
        int group = scheme.equals("schnorr") ? t + 1 : 2 * t + 1;
        assertThat(f.cluster.computedCount()).as("one verification per member and the combination").isEqualTo(group + 1);
        assertThat(s.attemptCount()).isEqualTo(1);
        assertThat(s.roundTrips()).isEqualTo(scheme.equals("schnorr") ? 2 : 3);
        assertThat(f.cluster.allIdle()).isTrue();
    }

    /** SEC-13, SEC-14: a contribution failing its offloaded verification still blames its member, who is replaced. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"schnorr", "ecdsa"})
    void aContributionFailingItsOffloadedVerificationIsBlamed(String scheme) {
        SigningFixture f = new SigningFixture(5, 1);
        f.cluster.deferComputations();
        NodeId bad = f.node(0).id;
        f.cluster.intercept(SigningFixture.lying(bad));
        KeyUseSession<byte[]> s = start(f, scheme, 4);
        f.cluster.deliverAll();
        assertSigned(f, scheme, s);
        assertThat(s.excludedNodes()).containsExactly(bad);
        assertThat(s.attemptCount()).isEqualTo(2);
    }
}
