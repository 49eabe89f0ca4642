package dev.secretstore.node.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.cli.dev.TestPorts;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.NodeSetHash;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.RecoverableSignature;
import dev.secretstore.crypto.threshold.EncryptedDocumentKey;
import dev.secretstore.crypto.threshold.SchnorrSignature;
import dev.secretstore.node.runtime.NodeSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@link ClusterUnderTest} over node processes of the command-line jar (cli/target/secretstore.jar, system
 * property {@code secretstore.jar}, set by failsafe), configured by its {@code init-cluster} and driven over
 * HTTP, as an operator runs them.
 * Members are numbered in ascending node id, as in the in-memory driver, so member 0 is the lowest id.
 *
 * <p>"Lose a member" is {@code kill -9}; it is back when restarted on the same configuration and data
 * directory and every node reports all peers connected (ops listener, {@code /metrics}). "Lose it at a
 * step" is as close as separate processes allow: a step is a moment into the request, a fraction of how
 * long a clean run of the same operation took ({@code scenarios.process.fractions}, default 0.5); the
 * member is killed that long after the request was sent, or right after the answer if that came first.
 * Waiting is real time.
 */
public final class ProcessClusterUnderTest implements ClusterUnderTest {
    private static final Path JAR = Path.of(System.getProperty("secretstore.jar", "target/secretstore.jar"));
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PEERS = Pattern.compile("^secretstore_cluster_peers_connected (\\d+)", Pattern.MULTILINE);
    private static final Pattern SESSIONS = Pattern.compile("^secretstore_sessions_active (\\d+)", Pattern.MULTILINE);
    private static final Duration START_BOUND = Duration.ofSeconds(60);
    private static final Duration NOTICE_BOUND = Duration.ofSeconds(15);

    /** A moment into the request: how long after sending it the member is killed. */
    record Delay(String name, long nanos) implements Step {}

    private final Path dir;
    private final int httpBase;
    private final int opsBase;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final KeyPair requester = KeyPair.random();
    private final KeyPair admin;
    /** Member number (ascending node id) → init-cluster index. */
    private final List<Integer> index = new ArrayList<>();
    private final List<PublicPoint> ids = new ArrayList<>();
    private final Process[] processes;
    private final List<Double> fractions;
    private Delay armed;
    private int armedMember = -1;

    public ProcessClusterUnderTest(Path dir, int size) throws IOException, InterruptedException {
        this(dir, size, Map.of());
    }

    /**
     * @param ext options appended to every member's {@code [secretstore_ext]} section (TOML values as written,
     *            e.g. {@code share_repair_interval = "2"} → {@code 2})
     */
    public ProcessClusterUnderTest(Path dir, int size, Map<String, String> ext) throws IOException, InterruptedException {
        this(dir, size, ext, configured -> { });
    }

    /**
     * @param beforeStart called with the directory once init-cluster wrote it (and {@code ext} was applied), before
     *                    any node starts: a chance to change the configurations (e.g. route member links through
     *                    proxies) or the data directories ({@code data/node-<i>}, i = {@link #configIndex})
     */
    public ProcessClusterUnderTest(Path dir, int size, Map<String, String> ext, java.util.function.Consumer<Path> beforeStart)
            throws IOException, InterruptedException {
        this.dir = dir;
        int base = TestPorts.base();
        this.httpBase = base + 10;
        this.opsBase = base + 20;
        this.processes = new Process[size];
        this.fractions = List.of(System.getProperty("scenarios.process.fractions", "0.5").split(",")).stream()
                .map(String::trim).map(Double::parseDouble).toList();
        Process init = new ProcessBuilder(JAVA, "-jar", JAR.toString(), "init-cluster", "--nodes", String.valueOf(size), "--dir", dir.toString(),
                "--base-port", String.valueOf(base), "--http-base-port", String.valueOf(httpBase), "--ops-base-port", String.valueOf(opsBase))
                .redirectErrorStream(true).start();
        String out = new String(init.getInputStream().readAllBytes());
        if (init.waitFor() != 0) throw new IllegalStateException("init-cluster failed: " + out);
        admin = KeyPair.fromSecretBytes(Hex.decode(Files.readString(dir.resolve("admin.key")).trim(), 32));
        List<PublicPoint> byIndex = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            if (!ext.isEmpty()) {
                Path toml = dir.resolve("node-" + i + ".toml");
                StringBuilder extra = new StringBuilder();
                ext.forEach((k, v) -> extra.append(k).append(" = ").append(v).append('\n'));
                Files.writeString(toml, Files.readString(toml).replace("[secretstore_ext]\n", "[secretstore_ext]\n" + extra));
            }
            byIndex.add(KeyPair.fromSecretBytes(Hex.decode(Files.readString(dir.resolve("node-" + i + ".key")).trim(), 32)).publicKey());
            index.add(i);
        }
        index.sort(Comparator.comparing(i -> Hex.encode(byIndex.get(i).toBytes()))); // unsigned byte order = hex order
        for (int i : index) ids.add(byIndex.get(i));
        beforeStart.accept(dir);
        try {
            for (int m = 0; m < size; m++) start(m);
            awaitConnected();
        } catch (RuntimeException e) {
            close(); // no caller can close what a failed constructor started
            throw e;
        }
    }

    /** init-cluster's index of {@code member}: its files are {@code node-<i>.toml}, {@code node-<i>.log}, {@code data/node-<i>}. */
    public int configIndex(int member) {
        return index.get(member);
    }

    /** Starts member's process (on its configuration and data) without waiting for anything. */
    public void start(int member) {
        int i = index.get(member);
        try {
            processes[member] = new ProcessBuilder(JAVA, "-jar", JAR.toString(), "node", "--config", dir.resolve("node-" + i + ".toml").toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("node-" + i + ".log").toFile())).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start member " + member, e);
        }
    }

    public boolean alive(int member) {
        return processes[member] != null && processes[member].isAlive();
    }

    private int liveCount() {
        int n = 0;
        for (int m = 0; m < size(); m++) if (alive(m)) n++;
        return n;
    }

    /** The first value of {@code series} (a metric name with its labels, as /metrics prints it) on {@code member}, or -1. */
    public long metric(int member, String series) {
        return gauge(member, Pattern.compile("^" + Pattern.quote(series) + " (\\d+)", Pattern.MULTILINE));
    }

    /** A gauge from member's /metrics, or -1 if it does not answer. */
    private long gauge(int member, Pattern gauge) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (opsBase + index.get(member)) + "/metrics"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            Matcher m = gauge.matcher(r.body());
            return r.statusCode() == 200 && m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits until every live member has a connection to every other live member (and no more). */
    public void awaitConnected() {
        Duration bound = START_BOUND;
        BooleanSupplier connected = () -> {
            int live = liveCount();
            for (int m = 0; m < size(); m++) {
                if (alive(m) && gauge(m, PEERS) != live - 1) return false;
            }
            return true;
        };
        if (!within(bound, connected)) throw new IllegalStateException("the cluster did not connect within " + bound.toSeconds() + " s; logs in " + dir);
    }

    /** Member's HTTP API, e.g. {@code http://127.0.0.1:8092}. */
    public URI httpUri(int member) {
        return URI.create("http://127.0.0.1:" + (httpBase + index.get(member)));
    }

    /** Member's health and metrics listener. */
    public URI opsUri(int member) {
        return URI.create("http://127.0.0.1:" + (opsBase + index.get(member)));
    }

    /** Member's node id (members in ascending id order). */
    public PublicPoint id(int member) {
        return ids.get(member);
    }

    /** The operating system's id of member's node process (to sample /proc and jcmd), or -1 if it is not running. */
    public long pid(int member) {
        return alive(member) ? processes[member].pid() : -1;
    }

    /** The configurations, keys, policy file, data and logs. */
    public Path dir() {
        return dir;
    }

    @Override
    public int size() {
        return processes.length;
    }

    @Override
    public KeyPair requester() {
        return requester;
    }

    private String sig(H256 keyId) {
        return Hex.encode(Ecdsa.sign(requester.secret(), keyId).toBytes());
    }

    /**
     * Sends one request to member {@code via}; an armed fault fires that long after sending (or right after
     * the answer). Non-200 answers become failures with Parity's display text (http-api.md §7).
     */
    private <R> Outcome<R> call(int via, String method, String path, String body, Function<JsonNode, R> decode) {
        return call(via, method, path, body, Map.of(), decode);
    }

    private <R> Outcome<R> call(int via, String method, String path, String body, Map<String, String> headers, Function<JsonNode, R> decode) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (httpBase + index.get(via)) + path))
                .timeout(answerDeadline())
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(builder::header);
        HttpRequest request = builder.build();
        Delay fault = armed;
        int victim = armedMember;
        armed = null;
        armedMember = -1;
        CompletableFuture<Void> kill = fault == null ? CompletableFuture.completedFuture(null)
                : CompletableFuture.runAsync(() -> kill(victim), CompletableFuture.delayedExecutor(fault.nanos(), TimeUnit.NANOSECONDS));
        Outcome<R> outcome;
        try {
            HttpResponse<String> r = http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).join();
            outcome = decode(r, decode);
        } catch (CompletionException e) {
            if (e.getCause() instanceof HttpTimeoutException) {
                outcome = Outcome.noAnswer("member " + via + " did not answer within " + answerDeadline().toSeconds() + " s");
            } else {
                outcome = Outcome.connectionLost(String.valueOf(e.getCause()));
            }
        }
        if (fault != null) {
            kill.join();
            awaitNoticed();
        }
        return outcome;
    }

    private static <R> Outcome<R> decode(HttpResponse<String> r, Function<JsonNode, R> decode) {
        try {
            if (r.statusCode() == 200) return Outcome.ok(decode.apply(r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body())));
            if (r.body().isEmpty()) return Outcome.failed(r.statusCode(), "");
            String quoted = JSON.readTree(r.body()).asText(); // the display text in quote characters
            return Outcome.failed(r.statusCode(), quoted.length() >= 2 ? quoted.substring(1, quoted.length() - 1) : quoted);
        } catch (IOException e) {
            return Outcome.failed(r.statusCode(), "unparsable body " + r.body());
        }
    }

    private static byte[] hex(JsonNode n) {
        return Hex.decodeLenient(n.asText());
    }

    @Override
    public Outcome<PublicPoint> generateServerKey(int via, H256 keyId, int threshold) {
        return call(via, "POST", "/shadow/" + keyId.toHex() + "/" + sig(keyId) + "/" + threshold, null, n -> PublicPoint.fromHex(n.asText()));
    }

    @Override
    public Outcome<Void> storeDocumentKey(int via, H256 keyId, EncryptedDocumentKey key) {
        return call(via, "POST", "/shadow/" + keyId.toHex() + "/" + sig(keyId) + "/" + Hex.encode(key.commonPoint().toBytes()) + "/"
                + Hex.encode(key.encryptedPoint().toBytes()), null, n -> null);
    }

    @Override
    public Outcome<PublicPoint> retrieveServerKey(int via, H256 keyId) {
        return call(via, "GET", "/server/" + keyId.toHex() + "/" + sig(keyId), null, n -> PublicPoint.fromHex(n.asText()));
    }

    @Override
    public Outcome<PublicPoint> retrieveDocumentKey(int via, H256 keyId) {
        return call(via, "GET", "/" + keyId.toHex() + "/" + sig(keyId), null, n -> Decrypted.documentKey(requester, hex(n)));
    }

    @Override
    public Outcome<PublicPoint> retrieveDocumentKeyFromShadows(int via, H256 keyId) {
        return retrieveDocumentKeyFromShadows(via, keyId, List.of());
    }

    /**
     * Endpoint 6 with the {@code Secretstore-Exclude-Nodes} extension (docs/client.md): the decryption group is chosen
     * without the {@code excluded} members, so with t+1 members left it is exactly those.
     */
    public Outcome<PublicPoint> retrieveDocumentKeyFromShadows(int via, H256 keyId, java.util.Collection<Integer> excluded) {
        Map<String, String> headers = excluded.isEmpty() ? Map.of()
                : Map.of("Secretstore-Exclude-Nodes", excluded.stream().map(m -> "0x" + ids.get(m).toHex()).collect(Collectors.joining(",")));
        return call(via, "GET", "/shadow/" + keyId.toHex() + "/" + sig(keyId), null, headers, n -> {
            List<byte[]> shadows = new ArrayList<>();
            for (JsonNode s : n.get("decrypt_shadows")) shadows.add(hex(s));
            return Decrypted.documentKeyFromShadows(requester, PublicPoint.fromHex(n.get("decrypted_secret").asText()),
                    PublicPoint.fromHex(n.get("common_point").asText()), shadows);
        });
    }

    @Override
    public Outcome<SchnorrSignature> signSchnorr(int via, H256 keyId, H256 message) {
        return call(via, "GET", "/schnorr/" + keyId.toHex() + "/" + sig(keyId) + "/" + message.toHex(), null,
                n -> Decrypted.schnorr(requester, hex(n)));
    }

    @Override
    public Outcome<RecoverableSignature> signEcdsa(int via, H256 keyId, H256 message) {
        return call(via, "GET", "/ecdsa/" + keyId.toHex() + "/" + sig(keyId) + "/" + message.toHex(), null,
                n -> Decrypted.ecdsa(requester, hex(n)));
    }

    @Override
    public Outcome<Void> changeServersSet(int via, SortedSet<Integer> oldSet, SortedSet<Integer> newSet) {
        String oldSignature = Hex.encode(Ecdsa.sign(admin.secret(), NodeSetHash.of(publicKeys(oldSet))).toBytes());
        String newSignature = Hex.encode(Ecdsa.sign(admin.secret(), NodeSetHash.of(publicKeys(newSet))).toBytes());
        String body = publicKeys(newSet).stream().map(p -> "\"0x" + p.toHex() + "\"").collect(Collectors.joining(",", "[", "]"));
        return call(via, "POST", "/admin/servers_set_change/" + oldSignature + "/" + newSignature, body, n -> null);
    }

    /** The share refresh extension route (docs/availability.md), signed by the administrator; no key ids = every key. */
    public Outcome<Void> refreshShares(int via, List<H256> keyIds) {
        String signature = Hex.encode(Ecdsa.sign(admin.secret(),
                dev.secretstore.protocol.session.refresh.RefreshAuthorization.message(keyIds)).toBytes());
        String body = keyIds.stream().map(k -> "\"0x" + k.toHex() + "\"").collect(Collectors.joining(",", "[", "]"));
        return call(via, "POST", "/admin/refresh_shares/" + signature, keyIds.isEmpty() ? null : body, n -> null);
    }

    private List<PublicPoint> publicKeys(SortedSet<Integer> members) {
        return members.stream().map(ids::get).toList();
    }

    /** kill -9 of {@code member}, without waiting for the others to notice. */
    public void kill(int member) {
        if (!alive(member)) return;
        processes[member].destroyForcibly(); // SIGKILL: no shutdown hook, no clean close
        try {
            if (!processes[member].waitFor(10, TimeUnit.SECONDS)) throw new IllegalStateException("member " + member + " did not die");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the live members' connection counts show the lost ones gone. */
    private void awaitNoticed() {
        BooleanSupplier noticed = () -> {
            int live = liveCount();
            for (int m = 0; m < size(); m++) {
                if (alive(m) && gauge(m, PEERS) > live - 1) return false;
            }
            return true;
        };
        if (!within(NOTICE_BOUND, noticed)) throw new IllegalStateException("the live members did not notice the loss within "
                + NOTICE_BOUND.toSeconds() + " s; logs in " + dir);
    }

    @Override
    public void lose(int member) {
        kill(member);
        awaitNoticed();
    }

    @Override
    public void restore(int member) {
        if (alive(member)) return;
        start(member);
        awaitConnected();
    }

    @Override
    public List<Step> stepsOf(Runnable cleanRun) {
        long started = System.nanoTime();
        cleanRun.run();
        long took = System.nanoTime() - started;
        return fractions.stream().<Step>map(f -> new Delay(Math.round(f * 100) + "% of a clean run (" + Math.round(f * took / 1e6) + " ms)",
                Math.round(f * took))).toList();
    }

    @Override
    public void loseAt(int member, Step step) {
        armed = (Delay) step;
        armedMember = member;
    }

    @Override
    public boolean within(Duration bound, BooleanSupplier condition) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            if (condition.getAsBoolean()) return true;
            if (System.nanoTime() - deadline >= 0) return false;
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    @Override
    public boolean idle() {
        for (int m = 0; m < size(); m++) {
            if (alive(m) && gauge(m, SESSIONS) != 0) return false;
        }
        return true;
    }

    @Override
    public Duration answerDeadline() {
        return NodeSettings.SESSION_TIMEOUT.plusSeconds(5);
    }

    @Override
    public Duration sessionDeadline() {
        return NodeSettings.SESSION_TIMEOUT.multipliedBy(2).plusSeconds(5);
    }

    @Override
    public void heal() {
        armed = null;
        armedMember = -1;
        boolean restarted = false;
        for (int m = 0; m < size(); m++) {
            if (!alive(m)) {
                start(m);
                restarted = true;
            }
        }
        if (restarted) awaitConnected();
    }

    @Override
    public void close() {
        for (Process p : processes) {
            if (p != null) p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                if (p != null) p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "node processes in " + dir;
    }
}
