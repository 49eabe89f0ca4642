package dev.secretstore.cli.dev;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Port bases for integration tests that start a cluster on {@code base}, {@code base+10} and
 * {@code base+20} (cluster, HTTP and ops listeners). Chosen below Linux's ephemeral range (32768 and
 * up), where outgoing connections take their local ports, and checked free, so a test does not meet
 * "Address already in use" because some client socket happened to sit on one of its ports.
 */
public final class TestPorts {
    private static final int LOW = 20_000;
    private static final int HIGH = 32_000; // exclusive, leaves room for base + 29 < 32768
    private static final int SPAN = 30;

    private TestPorts() {}

    public static int base() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = LOW + ThreadLocalRandom.current().nextInt((HIGH - LOW) / SPAN) * SPAN;
            if (allFree(base)) return base;
        }
        throw new IllegalStateException("no free range of " + SPAN + " ports between " + LOW + " and " + HIGH);
    }

    private static boolean allFree(int base) {
        for (int p = base; p < base + SPAN; p++) {
            try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                s.setReuseAddress(true);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
