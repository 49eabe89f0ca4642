package dev.secretstore.protocol.session;

import java.time.Duration;

/** A test clock that moves only when told to. It may also be moved backwards (SEC-19 tests). */
public final class FakeClock implements Clock {
    private long now = 1_000_000_000L;

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    public synchronized void advance(Duration d) {
        now += d.toNanos();
    }

    public synchronized void set(long nanos) {
        now = nanos;
    }
}
