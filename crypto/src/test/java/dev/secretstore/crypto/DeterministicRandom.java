package dev.secretstore.crypto;

import java.security.SecureRandom;
import java.util.Random;

/** A seeded, reproducible {@link SecureRandom} for tests only (never cryptographically secure). */
final class DeterministicRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private final Random random;

    DeterministicRandom(long seed) {
        super();
        this.random = new Random(seed);
    }

    @Override
    public synchronized void nextBytes(byte[] bytes) {
        random.nextBytes(bytes);
    }

    @Override
    public int nextInt() {
        return random.nextInt();
    }

    @Override
    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    @Override
    public synchronized void setSeed(long seed) {
        // SecureRandom's constructor calls setSeed before `random` exists; seeding is fixed at construction.
    }
}
