package dev.secretstore.cli.faults;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fault harness over node processes of cli/target/secretstore.jar (docs/testing.md, "Fault injection"):
 * seeded schedules of kill -9, silent and one-way partitions, resets, slow links and disk faults against a
 * logged workload, each followed by healing and the {@link Checker}.
 *
 * <p>System properties (also from the Maven command line): {@code faults.seed} (default: a random seed, printed);
 * {@code faults.long} (the {@code faults-long} profile: every schedule, shuffled by the seed, over
 * {@code faults.rounds} clusters, default 3, each with its own seed drawn from {@code faults.seed});
 * {@code faults.schedules} (a comma-separated list of {@link Schedule} names, run in that order). Without them the
 * short run of {@code ./mvnw verify}: {@link Schedule#SHORT} in order, one cluster. A schedule with a violation
 * is reported with its cluster's seed, the schedules to replay it ({@code -Dfaults.seed=… -Dfaults.schedules=…}),
 * the violations and its history; the remaining schedules go on on a fresh cluster, and the test fails at the
 * end with every report. The whole history of each cluster is written to {@code history.txt} beside the node
 * logs in {@code cli/target/faults-<seed>-*}.
 */
class FaultScheduleIT {
    @Test
    void acknowledgedWritesSurviveEveryFaultSchedule() throws Exception {
        String seedProperty = System.getProperty("faults.seed", "");
        long seed = seedProperty.isBlank() ? new SecureRandom().nextLong() : Long.parseLong(seedProperty.trim());
        boolean longRun = Boolean.parseBoolean(System.getProperty("faults.long", "false"));
        int rounds = Integer.parseInt(System.getProperty("faults.rounds", longRun ? "3" : "1").trim());
        String chosen = System.getProperty("faults.schedules", "");
        List<Schedule> schedules = !chosen.isBlank() ? Arrays.stream(chosen.split(",")).map(String::trim).map(Schedule::valueOf).toList()
                : longRun ? List.of(Schedule.values()) : Schedule.SHORT;
        System.out.println("fault harness: seed " + seed + " (-Dfaults.seed=" + seed + "), " + rounds + " round(s) of " + schedules
                + ", mounts " + (DiskFaults.MOUNTS ? "available" : "refused: disk faults move the data directory away"));
        Random seeds = new Random(seed);
        List<String> failures = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            long roundSeed = round == 0 ? seed : seeds.nextLong();
            List<Schedule> order = new ArrayList<>(schedules);
            if (longRun && chosen.isBlank()) Collections.shuffle(order, new Random(roundSeed));
            failures.addAll(runRound(roundSeed, order));
        }
        if (!failures.isEmpty()) fail(failures.size() + " failing schedule(s):\n" + String.join("\n\n", failures));
    }

    /**
     * Runs {@code order} on a cluster seeded {@code seed}; after a failing schedule the rest continue on a fresh cluster
     * (seeded from the last), so one defect does not hide the others. Returns the failure reports.
     */
    private static List<String> runRound(long seed, List<Schedule> order) throws Exception {
        List<String> failures = new ArrayList<>();
        List<Schedule> remaining = new ArrayList<>(order);
        long clusterSeed = seed;
        while (!remaining.isEmpty()) {
            List<Schedule> ran = new ArrayList<>();
            try (FaultRun run = new FaultRun(clusterSeed)) {
                Checker checker = new Checker(run);
                try {
                    String failure = null;
                    while (failure == null && !remaining.isEmpty()) {
                        Schedule schedule = remaining.remove(0);
                        ran.add(schedule);
                        failure = runSchedule(run, checker, schedule, ran);
                    }
                    if (failure == null) {
                        int mark = run.history.size();
                        run.history.note("check the key stores of every member");
                        checker.storeFiles();
                        failure = report(run, "the key-store check after " + ran, ran, mark);
                    }
                    if (failure != null) failures.add(failure);
                } finally {
                    writeHistory(run);
                }
            }
            clusterSeed = new Random(clusterSeed).nextLong();
        }
        return failures;
    }

    /** One schedule, the healing and the checks; the failure report, or null. */
    private static String runSchedule(FaultRun run, Checker checker, Schedule schedule, List<Schedule> ran) {
        int mark = run.history.size();
        long started = System.nanoTime();
        run.history.note("schedule " + schedule);
        try {
            schedule.run(run);
        } catch (RuntimeException e) {
            run.violation("schedule " + schedule + " could not run: " + e);
        }
        try {
            run.heal();
        } catch (RuntimeException e) {
            run.violation("the cluster did not recover after healing: " + e.getMessage());
            return report(run, "schedule " + schedule, ran, mark);
        }
        run.history.note("check " + schedule);
        checker.keys(run.attempted, run.storeAttempted.keySet());
        checker.deadlines(run.history.since(mark));
        String failure = report(run, "schedule " + schedule, ran, mark);
        if (failure == null) {
            System.out.printf("fault harness: seed %d, %s passed in %d s (%d keys so far)%n", run.seed, schedule,
                    (System.nanoTime() - started) / 1_000_000_000, run.attempted.size());
        }
        return failure;
    }

    /** The seed, the schedules to replay, the violations and the history since {@code mark} if there is any violation; else null. */
    private static String report(FaultRun run, String what, List<Schedule> ran, int mark) {
        if (run.violations().isEmpty()) return null;
        String message = "fault harness: " + what + " failed with seed " + run.seed + "\nreplay: -Dfaults.seed=" + run.seed + " -Dfaults.schedules="
                + String.join(",", ran.stream().map(Enum::name).toList()) + "\nviolations:\n  " + String.join("\n  ", run.violations())
                + "\nhistory of " + what + ":\n" + run.history.render(mark) + "node logs and the whole history in " + run.dir();
        System.out.println(message);
        return message;
    }

    private static void writeHistory(FaultRun run) throws IOException {
        Files.writeString(run.dir().resolve("history.txt"), run.history.render(0));
    }
}
