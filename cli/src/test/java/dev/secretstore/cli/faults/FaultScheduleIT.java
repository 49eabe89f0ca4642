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
 * {@code faults.schedules} (a comma-separated list of {@link Schedule} names instead). Without them the short run
 * of {@code ./mvnw verify}: {@link Schedule#SHORT} in order, one cluster. A violation fails the test with the
 * seed, the schedule, the violations and the history of that schedule; the whole history is written to
 * {@code history.txt} beside the node logs in {@code cli/target/faults-<seed>-*}.
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
        for (int round = 0; round < rounds; round++) {
            long roundSeed = round == 0 ? seed : seeds.nextLong();
            runRound(roundSeed, schedules, longRun);
        }
    }

    private static void runRound(long seed, List<Schedule> schedules, boolean shuffle) throws Exception {
        try (FaultRun run = new FaultRun(seed)) {
            List<Schedule> order = new ArrayList<>(schedules);
            if (shuffle) Collections.shuffle(order, run.random);
            Checker checker = new Checker(run);
            try {
                for (Schedule schedule : order) {
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
                        report(run, schedule, mark);
                    }
                    run.history.note("check " + schedule);
                    checker.keys(run.attempted, run.storeAttempted.keySet());
                    checker.deadlines(run.history.since(mark));
                    report(run, schedule, mark);
                    System.out.printf("fault harness: seed %d, %s passed in %d s (%d keys so far)%n", seed, schedule,
                            (System.nanoTime() - started) / 1_000_000_000, run.attempted.size());
                }
                int mark = run.history.size();
                run.history.note("check the key stores of every member");
                checker.storeFiles();
                report(run, null, mark);
            } finally {
                writeHistory(run);
            }
        }
    }

    /** Fails with the seed, the schedule, the violations and the schedule's history if there is any violation. */
    private static void report(FaultRun run, Schedule schedule, int mark) {
        if (run.violations().isEmpty()) return;
        String what = schedule == null ? "the key-store check at the end" : "schedule " + schedule;
        String message = "fault harness: " + what + " failed with seed " + run.seed + " (rerun: -Dfaults.seed=" + run.seed
                + (schedule == null ? "" : " -Dfaults.schedules=...," + schedule) + ")\nviolations:\n  " + String.join("\n  ", run.violations())
                + "\nhistory of " + what + ":\n" + run.history.render(mark) + "node logs and the whole history in " + run.dir();
        System.out.println(message);
        fail(message);
    }

    private static void writeHistory(FaultRun run) throws IOException {
        Files.writeString(run.dir().resolve("history.txt"), run.history.render(0));
    }
}
