package dev.secretstore.node.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.secretstore.node.http.Admission.Admitted;
import dev.secretstore.node.http.Admission.Config;
import dev.secretstore.node.http.Admission.Op;
import dev.secretstore.node.http.Admission.Refused;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** SEC-35: admission by source address and by operation class weighted by cost; fake clock, seeded sources. */
class AdmissionTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(5 * SECOND);

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static final InetAddress A = ip("192.0.2.1");
    private static final InetAddress B = ip("192.0.2.2");

    private Admission admission(Config config) {
        return new Admission(config, now::get);
    }

    private static Config perAddress(int rate, int inFlight) {
        return new Config(rate, inFlight, 0, 0, 0, 0, 0, 0);
    }

    /** Admits and releases at once; counts admissions. */
    private static int admitted(Admission a, InetAddress from, Op op, int tries) {
        int ok = 0;
        for (int i = 0; i < tries; i++) {
            if (a.tryAdmit(from, op) instanceof Admitted t) {
                ok++;
                t.ticket().release();
            }
        }
        return ok;
    }

    @Test
    void sec35_aSourceSpendsCostUnitsAGenerationCostsTenRetrievals() {
        Admission a = admission(perAddress(100, 0)); // burst 200 units
        assertThat(admitted(a, A, Op.GENERATE_SERVER_KEY, 100)).isEqualTo(20);
        assertThat(admitted(a, A, Op.RETRIEVE_SHADOWS, 10)).isZero();
        assertThat(admitted(a, B, Op.RETRIEVE_SHADOWS, 1000)).as("another address has its own bucket").isEqualTo(200);
        now.addAndGet(SECOND / 2); // 50 units
        assertThat(admitted(a, A, Op.RETRIEVE_DOCUMENT_KEY, 10)).isEqualTo(10);
        assertThat(admitted(a, A, Op.ECDSA_SIGN, 100)).as("ECDSA costs 3").isEqualTo(13);
        assertThat(admitted(a, A, Op.SCHNORR_SIGN, 100)).isEqualTo(1);
    }

    @Test
    void sec35_aSourceOverItsRateGets429WithTheSecondsUntilItsBucketRefills() {
        Admission a = admission(perAddress(2, 0)); // burst 4 units; a generation (10) needs a full bucket
        assertThat(a.tryAdmit(A, Op.GENERATE_DOCUMENT_KEY)).isInstanceOf(Admitted.class); // bucket 4 - 10 = -6
        Refused r = (Refused) a.tryAdmit(A, Op.RETRIEVE_SHADOWS);
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.retryAfterSeconds()).isEqualTo(4); // (1 - (-6)) / 2 = 3.5 s, rounded up
        assertThat(r.reason()).contains("source over 2 cost units/s");
        now.addAndGet(4 * SECOND);
        assertThat(a.tryAdmit(A, Op.RETRIEVE_SHADOWS)).isInstanceOf(Admitted.class);
        Refused g = (Refused) a.tryAdmit(A, Op.GENERATE_SERVER_KEY);
        assertThat(g.retryAfterSeconds()).as("a full bucket of 4 from 1").isEqualTo(2);
    }

    @Test
    void sec35_ipv6CountsPerSlash64AndLoopbackIsAnAddressLikeAnyOther() {
        Admission a = admission(perAddress(1, 0)); // burst 2
        assertThat(admitted(a, ip("2001:db8:1:2::1"), Op.RETRIEVE_SHADOWS, 5)).isEqualTo(2);
        assertThat(admitted(a, ip("2001:db8:1:2:ffff:ffff:ffff:ffff"), Op.RETRIEVE_SHADOWS, 5)).as("same /64").isZero();
        assertThat(admitted(a, ip("2001:db8:1:3::1"), Op.RETRIEVE_SHADOWS, 5)).as("next /64").isEqualTo(2);
        assertThat(admitted(a, ip("127.0.0.1"), Op.RETRIEVE_SHADOWS, 5)).isEqualTo(2);
        assertThat(admitted(a, ip("127.0.0.1"), Op.RETRIEVE_SHADOWS, 5)).isZero();
        assertThat(admitted(a, ip("127.0.0.2"), Op.RETRIEVE_SHADOWS, 5)).as("IPv4 counts per address").isEqualTo(2);
        assertThat(admitted(a, ip("::ffff:127.0.0.1"), Op.RETRIEVE_SHADOWS, 5)).as("IPv4-mapped is the IPv4 address").isZero();
        assertThat(Admission.source(ip("::1"))).isNotEqualTo(Admission.source(ip("0.0.0.1")));
    }

    @Test
    void sec35_aSourceHasBoundedRequestsInFlight() {
        Admission a = admission(perAddress(0, 2));
        Admitted first = (Admitted) a.tryAdmit(A, Op.RETRIEVE_SHADOWS);
        assertThat(a.tryAdmit(A, Op.SCHNORR_SIGN)).isInstanceOf(Admitted.class);
        Refused r = (Refused) a.tryAdmit(A, Op.RETRIEVE_SHADOWS);
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.retryAfterSeconds()).isEqualTo(1);
        assertThat(a.tryAdmit(B, Op.RETRIEVE_SHADOWS)).isInstanceOf(Admitted.class);
        first.ticket().release();
        first.ticket().release(); // twice is once
        assertThat(a.tryAdmit(A, Op.RETRIEVE_SHADOWS)).isInstanceOf(Admitted.class);
        assertThat(a.tryAdmit(A, Op.RETRIEVE_SHADOWS)).isInstanceOf(Refused.class);
        assertThat(a.inFlight()).isEqualTo(3);
    }

    @Test
    void sec35_generationsFromManySourcesAreCappedByTheNodesRateAnd503() {
        Admission a = admission(new Config(100, 0, 5, 0, 0, 0, 0, 0)); // 5 generations/s, burst 10
        Random random = new Random(35);
        int ok = 0;
        Refused last = null;
        for (int i = 0; i < 200; i++) {
            byte[] b = new byte[4];
            random.nextBytes(b);
            b[0] = 10;
            InetAddress source = ip((b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff));
            Admission.Decision d = a.tryAdmit(source, Op.GENERATE_SERVER_KEY);
            if (d instanceof Admitted t) {
                ok++;
                t.ticket().release();
            } else {
                last = (Refused) d;
            }
        }
        assertThat(ok).isEqualTo(10);
        assertThat(last.status()).isEqualTo(503);
        assertThat(last.retryAfterSeconds()).isEqualTo(1);
        assertThat(last.reason()).contains("generation over 5 requests/s");
        assertThat(admitted(a, A, Op.RETRIEVE_SHADOWS, 50)).as("retrievals have no class limit here").isEqualTo(50);
        now.addAndGet(SECOND);
        assertThat(admitted(a, B, Op.GENERATE_SERVER_KEY, 50)).isEqualTo(5);
    }

    @Test
    void sec35_eachClassHasItsOwnRate() {
        Admission a = admission(new Config(0, 0, 0, 1, 2, 3, 0, 0));
        assertThat(admitted(a, A, Op.STORE_DOCUMENT_KEY, 20)).isEqualTo(2);
        assertThat(admitted(a, A, Op.RETRIEVE_SERVER_KEY, 20)).isEqualTo(4);
        assertThat(admitted(a, A, Op.SCHNORR_SIGN, 3) + admitted(a, A, Op.ECDSA_SIGN, 20)).isEqualTo(6);
        assertThat(admitted(a, A, Op.GENERATE_SERVER_KEY, 20)).isEqualTo(20);
        assertThat(admitted(a, A, Op.ADMIN, 20)).isEqualTo(20);
    }

    @Test
    void sec35_generationsHoldOnlyTheirShareOfTheSlotsSoRetrievalsAreServedFirst() {
        Admission a = admission(new Config(0, 0, 0, 0, 0, 0, 10, 3));
        List<Admission.Ticket> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) held.add(((Admitted) a.tryAdmit(ip("10.0.0." + i), Op.GENERATE_SERVER_KEY)).ticket());
        Refused r = (Refused) a.tryAdmit(ip("10.0.0.9"), Op.GENERATE_DOCUMENT_KEY);
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.reason()).contains("3 generations in flight");
        for (int i = 0; i < 7; i++) held.add(((Admitted) a.tryAdmit(B, Op.RETRIEVE_SHADOWS)).ticket());
        Refused full = (Refused) a.tryAdmit(B, Op.RETRIEVE_SHADOWS);
        assertThat(full.status()).isEqualTo(503);
        assertThat(full.reason()).contains("10 requests in flight");
        held.get(0).release(); // a generation ends: its slot goes to whoever asks next
        assertThat(a.tryAdmit(B, Op.RETRIEVE_SHADOWS)).isInstanceOf(Admitted.class);
        assertThat(a.tryAdmit(A, Op.GENERATE_SERVER_KEY)).as("all slots taken").isInstanceOf(Refused.class);
    }

    @Test
    void sec35_aRefusalConsumesNothing() {
        Admission a = admission(new Config(10, 0, 1, 0, 0, 0, 0, 1));
        Admitted g = (Admitted) a.tryAdmit(A, Op.GENERATE_SERVER_KEY); // source 20 - 10; generation bucket 2 - 1
        for (int i = 0; i < 100; i++) assertThat(a.tryAdmit(A, Op.GENERATE_SERVER_KEY)).isInstanceOf(Refused.class); // in flight
        g.ticket().release();
        assertThat(a.tryAdmit(A, Op.GENERATE_SERVER_KEY)).as("the refusals took no tokens").isInstanceOf(Admitted.class);
    }

    @Test
    void sec19_aClockGoingBackwardsAddsNoTokens() {
        Admission a = admission(perAddress(1, 0));
        assertThat(admitted(a, A, Op.RETRIEVE_SHADOWS, 5)).isEqualTo(2);
        now.addAndGet(-100 * SECOND);
        assertThat(admitted(a, A, Op.RETRIEVE_SHADOWS, 5)).isZero();
    }

    @Test
    void noneAdmitsEverythingAndDefaultsAreDocumentedValues() {
        assertThat(admitted(admission(Config.NONE), A, Op.GENERATE_SERVER_KEY, 10_000)).isEqualTo(10_000);
        assertThat(Config.DEFAULT).isEqualTo(new Config(200, 32, 20, 0, 0, 0, 256, 8));
        assertThatThrownBy(() -> new Config(-1, 0, 0, 0, 0, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sec35_everyRequestMapsToItsOperation() {
        assertThat(Op.of(new ApiRequest.RefreshShares(null, List.of()))).isEqualTo(Op.ADMIN);
        assertThat(Op.of(new ApiRequest.GenerateDocumentKey(null, null, 1)).opClass()).isEqualTo(Admission.OpClass.GENERATION);
        assertThat(Op.of(new ApiRequest.RetrieveDocumentKeyShadows(null, null))).isEqualTo(Op.RETRIEVE_SHADOWS);
    }
}
