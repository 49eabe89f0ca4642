package dev.secretstore.bench;

import dev.secretstore.client.Credentials;
import dev.secretstore.client.SecretStoreClient;
import dev.secretstore.client.ShadowResponse;
import dev.secretstore.crypto.CurveBackends;
import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The Java client's local combination of a shadow retrieval ({@code SecretStoreClient.documentKeyFromShadows}):
 * t + 1 ECIES-encrypted decrypt shadows d_i, each decrypted with the requester's key and checked against the
 * W_i = d_i·G its key server proved (SEC-33), then {@code M = decrypted_secret + (Σ d_i)·C}. No network: the
 * response is built in setup the way a key server would build it. The curve backend is the process's
 * ({@code -jvmArgsAppend -Dsecretstore.crypto.backend=java|native}); the setup prints which one.
 *
 * <p>{@link #main} measures the same call by the thread's CPU time instead.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ClientCombineBench {
    /** The threshold t; t + 1 shadows are combined. */
    @Param({"30"})
    public int t;

    private SecretStoreClient client;
    private ShadowResponse response;
    private PublicPoint expected;

    @Setup
    public void setup() {
        System.out.println("crypto backend: " + CurveBackends.active().name());
        SecretScalar requester = SecretScalar.random();
        Credentials credentials = Credentials.fromSecretKey(requester.toBytes());
        PublicPoint requesterKey = requester.mulG();
        client = SecretStoreClient.create(List.of("http://127.0.0.1:9"), credentials);
        PublicPoint decryptedSecret = SecretScalar.random().mulG();
        PublicPoint commonPoint = SecretScalar.random().mulG();
        List<byte[]> blobs = new ArrayList<>();
        List<ShadowResponse.Check> checks = new ArrayList<>();
        SecretScalar sum = null;
        for (int k = 0; k <= t; k++) {
            SecretScalar d = SecretScalar.random();
            blobs.add(Ecies.encryptToClient(requesterKey, d.toBytes()));
            checks.add(new ShadowResponse.Check(SecretScalar.random().mulG(), d.mulG()));
            sum = sum == null ? d : sum.add(d);
        }
        response = new ShadowResponse(decryptedSecret, commonPoint, blobs, checks);
        expected = decryptedSecret.add(sum.mul(commonPoint));
        if (!client.documentKeyFromShadows(response).equals(expected)) {
            throw new IllegalStateException("the client combined a wrong key");
        }
    }

    @Benchmark
    public PublicPoint combine() {
        return client.documentKeyFromShadows(response);
    }

    /**
     * Thread CPU time per combine in half-second slices (a busy shared machine inflates wall-clock time, and CPU time
     * less so): {@code java -Dsecretstore.crypto.backend=java -cp bench/target/benchmarks.jar
     * dev.secretstore.bench.ClientCombineBench [t [slices]]}, after as many warm-up slices. Prints the median and the
     * minimum ms per combine.
     */
    public static void main(String[] args) {
        ClientCombineBench b = new ClientCombineBench();
        b.t = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int slices = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        b.setup();
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        double[] perOp = new double[slices];
        Object sink = null;
        for (int r = -slices; r < slices; r++) {
            long cpu0 = mx.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            int count = 0;
            while (System.nanoTime() - wall0 < 500_000_000L) {
                sink = b.combine();
                count++;
            }
            if (r >= 0) {
                perOp[r] = (mx.getCurrentThreadCpuTime() - cpu0) / 1e6 / count;
            }
        }
        java.util.Arrays.sort(perOp);
        System.out.printf(java.util.Locale.ROOT, "client combine, t = %d (%d shadows), backend %s: median %.2f ms, min %.2f ms CPU per combine (%d slices of 0.5 s)%s%n",
                b.t, b.t + 1, CurveBackends.active().name(), perOp[slices / 2], perOp[0], slices, sink == null ? "?" : "");
    }
}
