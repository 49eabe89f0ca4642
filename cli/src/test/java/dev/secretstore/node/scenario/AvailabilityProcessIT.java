package dev.secretstore.node.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.threshold.DocumentKey;
import dev.secretstore.crypto.threshold.Schnorr;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keys outlive absent members (SEC-40, issue #13), checked from outside with node processes of the
 * command-line jar: members killed with kill -9 and restarted on their data; repair looks for missing keys
 * every 2 s here ({@code share_repair_interval}). Logs stay in {@code cli/target/availability-*}. A restarted member
 * is repaired by t+1 other holders, so each scenario lets the others be up until it is, then takes another down.
 */
class AvailabilityProcessIT {
    private static final SecureRandom RNG = new SecureRandom();
    /** How long a restarted member may take to get what it missed. */
    private static final Duration REPAIRED = Duration.ofSeconds(90);
    private static final Map<String, String> FAST_REPAIR = Map.of("share_repair_interval", "2");

    private static H256 randomId() {
        byte[] b = new byte[32];
        RNG.nextBytes(b);
        return H256.fromBytes(b);
    }

    private static ProcessClusterUnderTest cluster(String name, int size) throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "availability-" + name + "-").toAbsolutePath();
        System.out.println(name + ": configurations, data and node logs in " + dir);
        return new ProcessClusterUnderTest(dir, size, FAST_REPAIR);
    }

    private static <T> T ok(Outcome<T> outcome, String what) {
        assertThat(outcome.status()).as("%s: %s", what, outcome).isEqualTo(200);
        return outcome.value();
    }

    private record Published(H256 id, PublicPoint serverKey, PublicPoint documentKey) {}

    private static Published publish(ClusterUnderTest c, int via, int t) {
        H256 id = randomId();
        PublicPoint y = ok(c.generateServerKey(via, id, t), "generation through member " + via);
        DocumentKey.Generated m = DocumentKey.generate(y, RNG);
        ok(c.storeDocumentKey(via, id, m.encrypted()), "store through member " + via);
        return new Published(id, y, m.documentKey());
    }

    /** Shadows and a Schnorr signature through {@code via} are right. */
    private static boolean serves(ClusterUnderTest c, int via, Published key) {
        Outcome<PublicPoint> shadows = c.retrieveDocumentKeyFromShadows(via, key.id());
        if (!shadows.ok() || !shadows.value().equals(key.documentKey())) return false;
        H256 message = randomId();
        Outcome<dev.secretstore.crypto.threshold.SchnorrSignature> s = c.signSchnorr(via, key.id(), message);
        return s.ok() && Schnorr.verify(key.serverKey(), message, s.value());
    }

    /**
     * Waits until {@code member} repaired at least one key and lacks none (its /metrics), within {@link #REPAIRED}. Repair
     * takes t+1 helpers besides the member, so it happens while the others are up.
     */
    private static void awaitRepaired(ProcessClusterUnderTest c, int member) {
        assertThat(c.within(REPAIRED, () -> c.metric(member, "secretstore_share_repairs_total{outcome=\"done\"}") > 0
                && c.metric(member, "secretstore_repair_sweeps_total") > 0 && c.metric(member, "secretstore_keys_missing_here") == 0))
                .as("member %d repaired what it missed within %d s", member, REPAIRED.toSeconds()).isTrue();
    }

    /**
     * N = 3, t = 1 with one member down: generation, store, retrieval and Schnorr succeed through the live
     * members; the member restarts and, within a bounded time, serves the key while another member is down
     * (its share can only have come from repair: the two live members are itself and one other).
     */
    @Test
    void threeMembersOneDown() throws Exception {
        try (ProcessClusterUnderTest c = cluster("3-of-1-down", 3)) {
            c.lose(2);
            Published key = publish(c, 0, 1);
            for (int via : List.of(0, 1)) assertThat(serves(c, via, key)).as("served through live member %d", via).isTrue();
            c.restore(2);
            awaitRepaired(c, 2);
            c.lose(1);
            assertThat(serves(c, 2, key)).as("the restarted member serves the key with member 1 down").isTrue();
        }
    }

    /** N = 5, t = 2 with two members down; both come back and serve the key while two others are down. */
    @Test
    void fiveMembersTwoDown() throws Exception {
        try (ProcessClusterUnderTest c = cluster("5-of-2-down", 5)) {
            c.lose(3);
            c.lose(4);
            Published key = publish(c, 0, 2);
            for (int via : List.of(0, 1, 2)) assertThat(serves(c, via, key)).as("served through live member %d", via).isTrue();
            c.restore(3);
            c.restore(4);
            awaitRepaired(c, 3);
            awaitRepaired(c, 4);
            c.lose(0);
            c.lose(1);
            // the live members are 2, 3 and 4: t+1 = 3 shares, two of them repaired
            assertThat(serves(c, 3, key) && serves(c, 4, key)).as("the restarted members serve the key with members 0 and 1 down").isTrue();
        }
    }

    /**
     * kill -9 of the repairing member in the middle of its repairs: nothing is lost, and after a restart the
     * repair completes (it looks for missing keys again; nothing about a repair is kept between runs).
     */
    @Test
    void killedDuringRepairLosesNothingAndCompletesAfterARestart() throws Exception {
        try (ProcessClusterUnderTest c = cluster("kill-during-repair", 3)) {
            c.lose(2);
            List<Published> keys = new ArrayList<>();
            for (int i = 0; i < 60; i++) keys.add(publish(c, i % 2, 1));
            c.restore(2);
            assertThat(c.within(REPAIRED, () -> c.metric(2, "secretstore_share_repairs_total{outcome=\"done\"}") > 0))
                    .as("repair began").isTrue();
            c.kill(2);
            c.restore(2);
            awaitRepaired(c, 2);
            c.lose(0);
            for (Published key : keys) {
                assertThat(c.within(Duration.ofSeconds(10), () -> serves(c, 2, key))).as("key %s through member 2 with member 0 down", key.id())
                        .isTrue();
            }
        }
    }
}
