package dev.secretstore.protocol.archfixture;

/** A deliberate violation for ArchitectureTest: protocol reading the system clock instead of an injected one. */
public final class ReadsTheSystemClock {
    long now() {
        return System.nanoTime();
    }
}
