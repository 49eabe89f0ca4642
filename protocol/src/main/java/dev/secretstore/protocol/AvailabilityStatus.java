package dev.secretstore.protocol;

/**
 * This node's repair and refresh counters (SEC-40), for /metrics and /health. Written only on the cluster
 * loop by the repair and refresh components; {@link #snapshot()} is read on the loop too.
 */
public final class AvailabilityStatus {
    /** Point-in-time values. */
    public record Snapshot(long keysMissingHere, long repairsDone, long repairsFailed, long refreshedKeys, long refreshesFailed,
                           long sweepsCompleted) {
        /** A key this member should hold is not held here yet (repair pending or failing). */
        public boolean underReplicated() {
            return keysMissingHere > 0;
        }
    }

    private long keysMissingHere;
    private long repairsDone;
    private long repairsFailed;
    private long refreshedKeys;
    private long refreshesFailed;
    private long sweepsCompleted;

    /** The keys (or versions, or document keys) this member should hold and does not, as the last sweep found them. */
    public void missingHere(long count) {
        keysMissingHere = count;
    }

    /** One key repaired here: this member now holds what it missed. */
    public void repaired() {
        repairsDone++;
        if (keysMissingHere > 0) keysMissingHere--;
    }

    public void repairFailed() {
        repairsFailed++;
    }

    public void refreshed(int keys) {
        refreshedKeys += keys;
    }

    public void refreshFailed() {
        refreshesFailed++;
    }

    public void sweepCompleted() {
        sweepsCompleted++;
    }

    public Snapshot snapshot() {
        return new Snapshot(keysMissingHere, repairsDone, repairsFailed, refreshedKeys, refreshesFailed, sweepsCompleted);
    }
}
