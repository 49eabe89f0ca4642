package dev.secretstore.protocol;

import java.time.Duration;
import java.util.Objects;

/**
 * How the cluster keeps keys available while members are absent (SEC-40, docs/availability.md).
 *
 * @param generationFloor   the fewest members a server-key generation or a document-key store runs with; the
 *                          effective floor is {@code max(t+1, generationFloor)} ({@code generation_min_members},
 *                          0 = just {@code t+1})
 * @param repairInterval    how often a member looks for keys it should hold and does not
 *                          ({@code share_repair_interval}); also the pause between two repair sweeps
 * @param repairConcurrency how many repairs a member runs at once (rate limit)
 * @param refreshInterval   how often the shares of every key are refreshed ({@code share_refresh_interval});
 *                          {@link Duration#ZERO} = never on a schedule (on demand only)
 * @param refreshBatch      how many keys one refresh session re-randomises
 */
public record Availability(int generationFloor, Duration repairInterval, int repairConcurrency, Duration refreshInterval,
                           int refreshBatch) {
    public static final Availability DEFAULTS = new Availability(0, Duration.ofSeconds(30), 4, Duration.ZERO, 64);

    public Availability {
        Objects.requireNonNull(repairInterval, "repairInterval");
        Objects.requireNonNull(refreshInterval, "refreshInterval");
        if (generationFloor < 0) throw new IllegalArgumentException("negative generation floor");
        if (repairInterval.isNegative() || repairInterval.isZero()) throw new IllegalArgumentException("repair interval must be positive");
        if (repairConcurrency < 1) throw new IllegalArgumentException("repair concurrency must be at least 1");
        if (refreshInterval.isNegative()) throw new IllegalArgumentException("negative refresh interval");
        if (refreshBatch < 1) throw new IllegalArgumentException("refresh batch must be at least 1");
    }

    /** The fewest members a generation or store with threshold {@code t} may run with. */
    public int floor(int t) {
        return Math.max(t + 1, generationFloor);
    }

    public boolean refreshScheduled() {
        return !refreshInterval.isZero();
    }

    public Availability withGenerationFloor(int floor) {
        return new Availability(floor, repairInterval, repairConcurrency, refreshInterval, refreshBatch);
    }

    public Availability withRefreshInterval(Duration interval) {
        return new Availability(generationFloor, repairInterval, repairConcurrency, interval, refreshBatch);
    }

    public Availability withRefreshBatch(int batch) {
        return new Availability(generationFloor, repairInterval, repairConcurrency, refreshInterval, batch);
    }

    public Availability withRepairInterval(Duration interval) {
        return new Availability(generationFloor, interval, repairConcurrency, refreshInterval, refreshBatch);
    }
}
