package dev.secretstore.cli.faults;

import dev.secretstore.cli.faults.FaultProxy.Mode;
import dev.secretstore.crypto.H256;
import dev.secretstore.node.scenario.Outcome;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The fault schedules. Each one applies its faults through {@link FaultRun} (every choice from the run's seeded
 * random), runs a workload, and leaves the healing and checking to {@link FaultScheduleIT}. What each proves,
 * and which earlier defect it would have caught, is in docs/testing.md, "Fault injection".
 */
enum Schedule {
    /** A member (the master too) killed at a random moment of a key generation. */
    KILL_DURING_GENERATION {
        @Override
        void run(FaultRun r) {
            int via = r.anyMember();
            long clean = r.cleanMillis(() -> r.generate(via));
            r.killDuring(r.anyMember(), clean, () -> r.generate(via));
        }
    },
    /** A member killed at a random moment of a document-key store. */
    KILL_DURING_STORE {
        @Override
        void run(FaultRun r) {
            int via = r.anyMember();
            H256 first = r.keyWithoutDocument(via);
            H256 second = r.generate(via);
            if (first == null || !r.generated.containsKey(second)) {
                r.violation("no key to store into: a generation without faults failed");
                return;
            }
            long clean = r.cleanMillis(() -> r.store(via, first));
            r.killDuring(r.anyMember(), clean, () -> r.store(via, second));
        }
    },
    /** A member killed at a random moment of a shadow retrieval (endpoint 6). */
    KILL_DURING_RETRIEVAL {
        @Override
        void run(FaultRun r) {
            int via = r.anyMember();
            H256 key = storedKeyOrViolation(r, via);
            if (key == null) return;
            long clean = r.cleanMillis(() -> r.retrieve(via, key));
            r.killDuring(r.anyMember(), clean, () -> r.retrieve(via, key));
        }
    },
    /** A member killed at a random moment of a Schnorr signing, then of an ECDSA signing. */
    KILL_DURING_SIGNING {
        @Override
        void run(FaultRun r) {
            int via = r.anyMember();
            H256 key = storedKeyOrViolation(r, via);
            if (key == null) return;
            long schnorr = r.cleanMillis(() -> r.schnorr(via, key));
            r.killDuring(r.anyMember(), schnorr, () -> r.schnorr(via, key));
            r.restartAll();
            long ecdsa = r.cleanMillis(() -> r.ecdsa(via, key));
            r.killDuring(r.anyMember(), ecdsa, () -> r.ecdsa(via, key));
        }
    },
    /**
     * A member killed at a random moment of a servers set change that removes one member; once it is back the same
     * change, repeated as a client would, must complete, and so must adding the member back.
     */
    KILL_DURING_SET_CHANGE {
        @Override
        void run(FaultRun r) {
            int via = r.anyMember();
            int removed = r.anyMemberBut(via);
            r.storedKey(via);
            long clean = r.cleanMillis(() -> {
                // retryable answers (sessions still ending) are asked again, but not for a whole stall
                Outcome<Void> removal = r.retried(FaultRun.NO_STALL, () -> r.setChange(via, FaultRun.allBut(removed)));
                if (!removal.ok()) r.violation("removing member " + removed + " without a fault, asked again for "
                        + FaultRun.NO_STALL.toSeconds() + " s: " + removal.answer());
            });
            Outcome<Void> back = r.retried(() -> r.setChange(via, FaultRun.all()));
            if (!back.ok()) r.violation("adding member " + removed + " back without a fault: " + back.answer());
            r.killDuring(r.anyMember(), clean, () -> r.setChange(via, FaultRun.allBut(removed)));
            r.restartAll();
            Outcome<Void> repeated = r.retried(() -> r.setChange(via, FaultRun.allBut(removed)));
            if (!repeated.ok()) r.violation("the interrupted set change, repeated once every member is back, answers " + repeated.answer());
            Outcome<Void> readded = r.retried(() -> r.setChange(via, FaultRun.all()));
            if (!readded.ok()) r.violation("adding member " + removed + " back after the interrupted change answers " + readded.answer());
        }
    },
    /**
     * A member that missed keys comes back and is killed (or one of its helpers is) at a random moment while it
     * repairs them ({@code share_repair_interval = 2}); the checker then wants every key on every member.
     */
    KILL_DURING_REPAIR {
        @Override
        void run(FaultRun r) {
            int absent = r.anyMember();
            r.kill(absent, "before the keys it will miss");
            for (int i = 0; i < 3; i++) {
                int via = r.anyMemberBut(absent);
                H256 id = r.generate(via);
                if (r.generated.containsKey(id)) r.store(via, id);
            }
            r.restartAll(); // repair starts within 2 s of the reconnection
            int victim = r.random.nextBoolean() ? absent : r.anyMemberBut(absent);
            long delay = r.random.nextInt(3_000);
            FaultRun.sleep(delay);
            r.kill(victim, "at +" + delay + " ms after member " + absent + " came back (repairing)");
        }
    },
    /**
     * A member killed at a random moment of a refresh of every key; the refresh repeated once every member is back
     * must complete without waiting a stall timeout ({@link FaultRun#NO_STALL}), and ECDSA (all shares) must work.
     */
    KILL_DURING_REFRESH {
        @Override
        void run(FaultRun r) {
            int via = r.anyMember();
            H256 key = r.storedKey(via);
            long clean = r.cleanMillis(() -> r.refresh(via));
            int victim = r.anyMember();
            r.killDuring(victim, clean, () -> r.refresh(via));
            r.restartAll();
            Outcome<?>[] repeated = new Outcome<?>[1];
            r.underFault(FaultRun.NO_STALL, false, () -> repeated[0] = r.retried(() -> r.refresh(via)));
            if (!repeated[0].ok()) r.violation("the refresh repeated once every member is back answers " + repeated[0].answer());
            if (key != null) {
                Outcome<?> ecdsa = r.retried(() -> r.ecdsa(victim, key));
                if (!ecdsa.ok()) r.violation("ECDSA (every share) through member " + victim + " after the refresh: " + ecdsa.answer());
            }
        }
    },
    /**
     * A silent partition of one member: no byte to or from it moves and no connection closes. Requests through the
     * others must end within three peer deadlines (18 s), not the 30 s read-idle or the 60 s stall.
     */
    SILENT_PARTITION {
        @Override
        void run(FaultRun r) {
            int cut = r.anyMember();
            int via = r.anyMemberBut(cut);
            H256 key = r.storedKey(via);
            r.history.nemesis("silent partition of member " + cut);
            isolate(r, cut, Mode.HOLD, true, true);
            r.underFault(FaultRun.FAULT_NOTICED, true, () -> workload(r, via, key));
        }
    },
    /** One direction only: member's outgoing bytes are held, its incoming ones pass. */
    ONE_WAY_PARTITION {
        @Override
        void run(FaultRun r) {
            int cut = r.anyMember();
            int via = r.anyMemberBut(cut);
            H256 key = r.storedKey(via);
            r.history.nemesis("bytes from member " + cut + " held (one direction)");
            isolate(r, cut, Mode.HOLD, true, false);
            r.underFault(FaultRun.FAULT_NOTICED, true, () -> workload(r, via, key));
        }
    },
    /** RST on every connection of a member at a random moment of a generation. */
    RESET_LINKS {
        @Override
        void run(FaultRun r) {
            int via = r.anyMember();
            int victim = r.anyMember();
            long clean = r.cleanMillis(() -> r.generate(via));
            long delay = (long) (r.random.nextDouble() * 1.2 * clean);
            CompletableFuture<Void> reset = CompletableFuture.runAsync(() -> {
                r.history.nemesis("RST on every link of member " + victim + " at +" + delay + " ms");
                for (int m = 0; m < FaultRun.N; m++) if (m != victim) r.links.reset(r.configIndex(victim), r.configIndex(m));
            }, CompletableFuture.delayedExecutor(delay, java.util.concurrent.TimeUnit.MILLISECONDS));
            r.underFault(FaultRun.ANSWER, true, () -> r.generate(via));
            reset.join();
        }
    },
    /** Every link of a member delays each chunk by 100 ms: every request must still succeed. */
    SLOW_LINK {
        @Override
        void run(FaultRun r) {
            int slow = r.anyMember();
            int via = r.anyMember();
            H256 key = r.storedKey(via);
            r.history.nemesis("100 ms per chunk on every link of member " + slow);
            for (int m = 0; m < FaultRun.N; m++) {
                if (m == slow) continue;
                r.links.delay(r.configIndex(slow), r.configIndex(m), 100);
                r.links.delay(r.configIndex(m), r.configIndex(slow), 100);
            }
            int before = r.history.size();
            workload(r, via, key);
            if (key != null) r.ecdsa(via, key);
            for (History.Entry e : History.requests(r.history.since(before))) {
                if (!e.outcome().startsWith("200")) r.violation("on a slow (not broken) link a request failed: " + e);
            }
        }
    },
    /**
     * A disk fault under one member (a full tmpfs, a read-only bind mount or, everywhere, the data directory moved
     * away): requests through the members must end within 18 s, the member must stay alive (no SIGBUS) and take
     * writes again after healing, without a restart.
     */
    DISK_FAULT {
        @Override
        void run(FaultRun r) {
            int victim = r.anyMember();
            List<DiskFaults.Kind> kinds = DiskFaults.available();
            DiskFaults.Kind kind = kinds.get(r.random.nextInt(kinds.size()));
            int via = r.anyMember();
            H256 key = r.storedKey(via);
            r.history.nemesis("disk " + kind + " under member " + victim);
            r.disk.inject(r.configIndex(victim), kind);
            r.underFault(FaultRun.FAULT_NOTICED, false, () -> r.withDiskFault(victim, () -> workload(r, via, key)));
            if (!r.cluster.alive(victim)) r.violation("member " + victim + " died of a " + kind + " disk");
            r.disk.heal();
            r.history.nemesis("disk healed under member " + victim);
            boolean healthy = r.cluster.within(Duration.ofSeconds(30), () -> health(r, victim) == 200);
            if (!healthy) r.violation("member " + victim + "'s /health did not return to 200 within 30 s of the disk healing");
        }
    },
    /** Every member killed at once at a random moment of concurrent generations and a store, then restarted. */
    KILL_ALL {
        @Override
        void run(FaultRun r) {
            H256 storeInto = r.keyWithoutDocument(0);
            long clean = r.cleanMillis(() -> r.generate(r.anyMember()));
            List<H256> ids = new ArrayList<>();
            for (int m = 0; m < FaultRun.N; m++) ids.add(r.newId());
            long delay = (long) (r.random.nextDouble() * 1.2 * clean);
            CompletableFuture<Void> kill = CompletableFuture.runAsync(() -> {
                r.history.nemesis("kill -9 of every member at +" + delay + " ms");
                for (int m = 0; m < FaultRun.N; m++) r.cluster.kill(m);
            }, CompletableFuture.delayedExecutor(delay, java.util.concurrent.TimeUnit.MILLISECONDS));
            List<CompletableFuture<Void>> requests = new ArrayList<>();
            for (int m = 0; m < FaultRun.N; m++) {
                int via = m;
                requests.add(CompletableFuture.runAsync(() -> r.generate(via, ids.get(via))));
            }
            if (storeInto != null) requests.add(CompletableFuture.runAsync(() -> r.store(1, storeInto)));
            requests.forEach(CompletableFuture::join);
            kill.join();
        }
    };

    abstract void run(FaultRun r);

    /** Generation, store, shadow retrieval and Schnorr through {@code via} (a stored key's use only if there is one). */
    static void workload(FaultRun r, int via, H256 key) {
        H256 id = r.generate(via);
        if (r.generated.containsKey(id)) r.store(via, id);
        if (key != null) {
            r.retrieve(via, key);
            r.schnorr(via, key);
        }
    }

    /** A stored key, or null and a violation (a store without faults failed). */
    static H256 storedKeyOrViolation(FaultRun r, int via) {
        H256 key = r.storedKey(via);
        if (key == null) r.violation("no stored key: a store without faults failed");
        return key;
    }

    /** Sets {@code mode} on the member's links: its outgoing bytes if {@code out}, its incoming ones if {@code in}. */
    static void isolate(FaultRun r, int member, Mode mode, boolean out, boolean in) {
        for (int m = 0; m < FaultRun.N; m++) {
            if (m == member) continue;
            if (out) r.links.set(r.configIndex(member), r.configIndex(m), mode);
            if (in) r.links.set(r.configIndex(m), r.configIndex(member), mode);
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** The status of member's {@code GET /health}, or -1. */
    static int health(FaultRun r, int member) {
        try {
            URI uri = URI.create(r.cluster.opsUri(member) + "/health");
            return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * The schedules of the short run in {@code ./mvnw verify}: one of each kind of fault, and the set change
     * interrupted by a kill (docs/testing.md, "Fault injection"); KILL_ALL last, it restarts every member.
     */
    static final List<Schedule> SHORT = List.of(KILL_DURING_GENERATION, KILL_DURING_STORE, SILENT_PARTITION, DISK_FAULT,
            KILL_DURING_SET_CHANGE, KILL_ALL);
}
