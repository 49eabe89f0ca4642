package dev.secretstore.protocol.archfixture;

/** A deliberate violation for ArchitectureTest: protocol starting its own threads. */
public final class StartsAThread {
    void start() {
        new Thread(() -> {}).start();
        java.util.concurrent.Executors.newSingleThreadExecutor().shutdown();
    }
}
