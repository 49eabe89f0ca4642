package dev.secretstore.protocol.session;

/** A monotonic clock in nanoseconds (never wall-clock time, SEC-19). Tests inject a fake one. */
@FunctionalInterface
public interface Clock {
    long nanoTime();

    Clock SYSTEM = System::nanoTime;
}
