package dev.secretstore.node.audit;

import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.RecoverableSignature;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.session.AuditFacts;
import dev.secretstore.protocol.session.ClusterSessions;
import dev.secretstore.protocol.session.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * This node's audit file (SEC-29, docs/operations.md "Audit trail"): one hash-chained JSON line per client request
 * this node took part in ({@link #record}), a checkpoint signed with the node key every {@code checkpointLines}
 * lines, every {@code checkpointInterval} with lines to cover ({@link #maybeCheckpoint}), and at {@link #close}.
 *
 * <p><b>Durability.</b> Each line is written to the file (the write returns) before {@link #record} returns, so
 * before the request's answer leaves the node (on a member: before its contribution leaves it); the file is fsynced at
 * every checkpoint. The edge's cheap refusals ({@link #AGGREGATED}) are counted per source and written as one
 * {@code refusals} line per interval after the first one ({@link #recordAlone}). A write that fails throws
 * {@code DATABASE} (the request is then answered with that error), the file is cut back to its last whole line, and
 * {@link #ready()} is false until that cut succeeds again.
 *
 * <p><b>Start.</b> An existing file's tail is checked and the chain continues from its last line; a damaged tail
 * (a cut line, a bad hash or link, another node's file) moves the file aside to {@code <name>.damaged-<UTC time>},
 * logged as SEVERE, and a new file starts whose header names it.
 */
public final class AuditTrail implements ClusterSessions.Recorder, EdgeAudit, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AuditTrail.class.getName());
    /** How much of an existing file's end is checked on start. */
    static final int TAIL_BYTES = 256 * 1024;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_INSTANT;

    /**
     * {@code [secretstore_ext] audit_file}, {@code audit_checkpoint_lines}, {@code audit_checkpoint_interval}.
     */
    public record Config(Path file, int checkpointLines, Duration checkpointInterval) {
        public static final int DEFAULT_CHECKPOINT_LINES = 1000;
        public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(60);
        public static final String DEFAULT_NAME = "audit.jsonl";

        public Config {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(checkpointInterval, "checkpointInterval");
            if (checkpointLines < 1) throw new IllegalArgumentException("checkpointLines must be at least 1");
            if (checkpointInterval.isNegative() || checkpointInterval.isZero()) throw new IllegalArgumentException("checkpointInterval must be positive");
        }

        /** {@code <data dir>/audit.jsonl}, a checkpoint every 1000 lines or 60 s. */
        public static Config defaults(Path dataDir) {
            return new Config(dataDir.resolve(DEFAULT_NAME), DEFAULT_CHECKPOINT_LINES, DEFAULT_CHECKPOINT_INTERVAL);
        }
    }

    /**
     * A client request this node answered without a session that recorded it (SEC-29): refused at the HTTP edge
     * (Host, CORS, malformed, admission, rate limit, credential, {@code key_creators}), endpoint 4 answered from
     * metadata, an administrative request. This node is its only member.
     *
     * @param operation  the operation ({@code retrieve_server_key}, {@code servers_set_change}, …); null when the
     *                   request was refused before it was parsed
     * @param keyId      the key the request names; null for none
     * @param requester  the requester this node derived from the credential; null when it did not
     * @param credential {@code static} or {@code fresh}; null when unknown
     * @param role       {@code entry}: the node that received the request
     * @param outcome    {@code ok}, an error kind ({@code ACCESS_DENIED}) or a refusal ({@code rate-limited}, …)
     * @param status     the HTTP status of the answer
     * @param source     the client's address ({@code 203.0.113.5}); null when unknown. Refusals of the
     *                   {@link #AGGREGATED} outcomes are counted by it (no own line beyond the first per interval)
     */
    public record Alone(String operation, H256 keyId, dev.secretstore.crypto.Address requester, String credential, String role,
                        String outcome, int status, String source) {
        public Alone {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(outcome, "outcome");
        }

        /** A line of no known source: always written on its own. */
        public Alone(String operation, H256 keyId, dev.secretstore.crypto.Address requester, String credential, String role,
                     String outcome, int status) {
            this(operation, keyId, requester, credential, role, outcome, status, null);
        }
    }

    /**
     * The refusals a client can cause in bulk at no cost to itself, before any key, credential or session work: Host
     * not allowed, refused by CORS, malformed, refused by admission or over a requester's rate. From one source they are
     * written as one line per interval with a count ({@code "type":"refusals"}) after the first one of the interval,
     * which is a request line as any other (SEC-29, SEC-35: a flood of them cannot fill the disk).
     */
    public static final java.util.Set<String> AGGREGATED = java.util.Set.of("rate-limited", "shed", "host-refused", "cors", "invalid");
    /** How many sources are counted at once; refusals from further ones are counted as "other sources". */
    public static final int TALLY_SOURCES = 256;
    /** How long a source's refusals are counted before their line is written. */
    public static final Duration TALLY_INTERVAL = Duration.ofSeconds(60);

    /** One request line as the status page lists it (SEC-29); null members were null in the line. */
    public record Event(long seq, String time, String request, String operation, String keyId, String requester, String role,
                        String outcome) {}

    /** How many request lines {@link #recent()} keeps. */
    public static final int RECENT = 50;

    private final Config config;
    private final java.util.ArrayDeque<Event> recent = new java.util.ArrayDeque<>(RECENT);
    private final KeyPair key;
    private final NodeId node;
    private final Clock clock;
    private H256 head;
    private long seq;
    private long size;
    private long sinceCheckpoint;
    private long lastCheckpointMillis;
    private boolean lastIsCheckpoint;
    private boolean healthy = true;
    private boolean closed;
    private final RefusalTally tally;

    private AuditTrail(Config config, KeyPair key, Clock clock, int tallySources, Duration tallyInterval) {
        this.config = config;
        this.key = key;
        this.node = new NodeId(key.publicKey());
        this.clock = clock;
        this.lastCheckpointMillis = clock.millis();
        this.tally = new RefusalTally(tallySources, tallyInterval.toMillis());
    }

    /** Opens (or creates) the file and continues its chain; see the class comment for a damaged one. */
    public static AuditTrail open(Config config, KeyPair nodeKey, Clock clock) throws IOException {
        return open(config, nodeKey, clock, TALLY_SOURCES, TALLY_INTERVAL);
    }

    /** As above, counting the {@link #AGGREGATED} refusals of at most {@code tallySources} sources per {@code tallyInterval}. */
    static AuditTrail open(Config config, KeyPair nodeKey, Clock clock, int tallySources, Duration tallyInterval) throws IOException {
        AuditTrail trail = new AuditTrail(config, nodeKey, clock, tallySources, tallyInterval);
        trail.start();
        return trail;
    }

    public static AuditTrail open(Config config, KeyPair nodeKey) throws IOException {
        return open(config, nodeKey, Clock.systemUTC());
    }

    public Path file() {
        return config.file();
    }

    private void start() throws IOException {
        Path file = config.file();
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        if (!Files.exists(file) || Files.size(file) == 0) {
            begin("new file");
            return;
        }
        Optional<String> damage = continueFromTail();
        if (damage.isEmpty()) {
            LOG.info(() -> "audit trail " + file + ": continuing the chain at line " + (seq + 1));
            return;
        }
        Path aside = file.resolveSibling(file.getFileName() + ".damaged-"
                + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(clock.instant()));
        Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
        String why = "previous file moved to " + aside.getFileName() + ": " + damage.get();
        LOG.severe(() -> "AUDIT TRAIL DAMAGED: " + file + " " + damage.get() + "; moved it to " + aside
                + " and started a new file; check it with `secretstore audit verify " + aside + "` (SEC-29)");
        begin(why);
    }

    /** Reads the end of the file and checks it; on success the chain continues from it. Empty when good. */
    private Optional<String> continueFromTail() throws IOException {
        byte[] tail;
        long fileSize;
        try (FileChannel ch = FileChannel.open(config.file(), StandardOpenOption.READ)) {
            fileSize = ch.size();
            long from = Math.max(0, fileSize - TAIL_BYTES);
            ByteBuffer buf = ByteBuffer.allocate((int) (fileSize - from));
            while (buf.hasRemaining()) {
                if (ch.read(buf, from + buf.position()) < 0) break;
            }
            tail = buf.array();
            if (tail.length == 0 || tail[tail.length - 1] != '\n') return Optional.of("its last line has no newline (cut)");
            int start = 0;
            if (from > 0) { // skip the partial first line of the window
                while (start < tail.length && tail[start] != '\n') start++;
                start++;
            }
            AuditChain chain = from == 0 ? AuditChain.fromStart(Optional.of(node)) : AuditChain.unanchored(node);
            int lineStart = start;
            for (int i = start; i < tail.length; i++) {
                if (tail[i] != '\n') continue;
                byte[] line = java.util.Arrays.copyOfRange(tail, lineStart, i);
                lineStart = i + 1;
                try {
                    chain.accept(line);
                } catch (AuditChain.Bad e) {
                    return Optional.of("line " + (from == 0 ? String.valueOf(e.line) : "(from the end) " + (chain.lines() + 1)) + ": "
                            + e.getMessage());
                }
            }
            if (chain.lines() == 0) return Optional.of("no whole line in its last " + TAIL_BYTES + " bytes");
            head = chain.head();
            seq = chain.nextSeq();
            size = fileSize;
            sinceCheckpoint = chain.sinceCheckpoint();
            lastIsCheckpoint = "checkpoint".equals(chain.lastType());
            return Optional.empty();
        }
    }

    private void begin(String reason) throws IOException {
        Files.deleteIfExists(config.file());
        Files.createFile(config.file());
        try {
            Files.setPosixFilePermissions(config.file(), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the data directory's own protection applies
        }
        head = AuditFormat.genesis(node);
        seq = 0;
        size = 0;
        sinceCheckpoint = 0;
        AuditFormat.Builder b = new AuditFormat.Builder().num("seq", 0L).str("time", now()).str("type", "segment")
                .str("node", node.toHex()).str("reason", reason);
        try {
            append(b, true);
        } catch (SecretStoreException e) {
            throw new IOException("cannot write the audit file " + config.file() + ": " + e.displayText());
        }
        sinceCheckpoint = 0;
    }

    /** Records a finished client-request session (SEC-29): one line; throws {@code DATABASE} when it cannot. */
    @Override
    public synchronized void record(Session session, AuditFacts f) {
        boolean master = session.key().master().equals(node);
        String outcome = f.outcome().orElseGet(() -> session.failure().map(e -> e.kind().name()).orElse("ok"));
        String role = session.key().type() == dev.secretstore.protocol.session.SessionType.DELEGATION ? "entry" : master ? "master" : "member";
        java.util.Set<NodeId> blamed = session.blamed();
        String time = now();
        AuditFormat.Builder b = new AuditFormat.Builder().num("seq", seq).str("time", time).str("type", "request")
                .str("request", session.key().sessionId().toHex())
                .str("session", session.key().type().name().toLowerCase(Locale.ROOT))
                .str("operation", f.operation())
                .str("key", f.keyId().toHex())
                .str("requester", f.requester().map(a -> "0x" + dev.secretstore.crypto.Hex.encode(a.toBytes())).orElse(null))
                .str("credential", f.credential().orElse(null))
                .str("acl", f.aclAllowed().map(a -> a ? "allowed" : "denied").orElse(null))
                .num("acl_block", f.aclBlock().isPresent() ? f.aclBlock().getAsLong() : null)
                .str("role", role)
                .str("master", session.key().master().toHex())
                .str("outcome", outcome)
                .str("blamed", blamed.isEmpty() ? null : blamed.stream().map(NodeId::toHex).sorted().collect(Collectors.joining(",")));
        appendRequest(b, new Event(seq, time, session.key().sessionId().toHex(), f.operation(), f.keyId().toHex(),
                f.requester().map(AuditTrail::address).orElse(null), role, outcome));
    }

    /**
     * Records a request no session recorded ({@link Alone}): one line, or for an {@link #AGGREGATED} refusal from a
     * known source that is not the first of its interval, a count in that source's next {@code refusals} line; throws
     * {@code DATABASE} when a line cannot be written (nothing is counted while the trail cannot write).
     */
    @Override
    public synchronized void recordAlone(Alone a) {
        boolean tallied = a.source() != null && AGGREGATED.contains(a.outcome()) && healthy && !closed;
        if (tallied && !tally.offer(a.source(), a.outcome(), clock.millis())) return;
        try {
            writeAlone(a);
        } catch (RuntimeException e) {
            if (tallied) tally.forget(a.source(), a.outcome()); // the next one from the source is written as a first again
            throw e;
        }
    }

    private void writeAlone(Alone a) {
        byte[] id = new byte[32];
        RANDOM.nextBytes(id);
        String request = H256.fromBytes(id).toHex();
        String keyId = a.keyId() == null ? null : a.keyId().toHex();
        String requester = a.requester() == null ? null : address(a.requester());
        String time = now();
        AuditFormat.Builder b = new AuditFormat.Builder().num("seq", seq).str("time", time).str("type", "request")
                .str("request", request)
                .str("session", null)
                .str("operation", a.operation())
                .str("key", keyId)
                .str("requester", requester)
                .str("credential", a.credential())
                .str("acl", null)
                .num("acl_block", null)
                .str("role", a.role())
                .str("master", null)
                .str("outcome", a.outcome())
                .num("status", (long) a.status())
                .str("blamed", null);
        appendRequest(b, new Event(seq, time, request, a.operation(), keyId, requester, a.role(), a.outcome()));
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private static String address(dev.secretstore.crypto.Address a) {
        return "0x" + dev.secretstore.crypto.Hex.encode(a.toBytes());
    }

    private void appendRequest(AuditFormat.Builder b, Event event) {
        append(b, false);
        if (recent.size() == RECENT) recent.removeFirst();
        recent.addLast(event);
        if (sinceCheckpoint >= config.checkpointLines()) checkpointQuietly();
    }

    /** The request lines this trail wrote since it opened, newest first, at most {@value #RECENT} (the status page). */
    public synchronized java.util.List<Event> recent() {
        java.util.List<Event> out = new java.util.ArrayList<>(recent);
        java.util.Collections.reverse(out);
        return out;
    }

    /**
     * Writes the {@code refusals} lines of the counting intervals that ended, then appends a checkpoint if the
     * checkpoint interval passed with lines to cover; for the node's periodic task.
     */
    public synchronized void maybeCheckpoint() {
        if (closed) return;
        writeTallies(false);
        if (sinceCheckpoint == 0) return;
        if (clock.millis() - lastCheckpointMillis < config.checkpointInterval().toMillis()) return;
        checkpointQuietly();
    }

    /**
     * One {@code refusals} line per counted source and outcome whose interval ended (every one when {@code all}): the
     * source ({@code null}: the sources beyond the ones counted one by one), the outcome, how many refusals were
     * counted (the interval's first, written as a request line of its own, not included), and the interval.
     */
    private void writeTallies(boolean all) {
        long now = clock.millis();
        for (RefusalTally.Count c : tally.due(now, all)) {
            AuditFormat.Builder b = new AuditFormat.Builder().num("seq", seq).str("time", now()).str("type", "refusals")
                    .str("source", c.key().source())
                    .str("outcome", c.key().outcome())
                    .num("count", c.count())
                    .str("from", TIME.format(java.time.Instant.ofEpochMilli(c.fromMillis()).truncatedTo(ChronoUnit.MILLIS)))
                    .str("to", now());
            try {
                append(b, false);
            } catch (SecretStoreException e) {
                LOG.severe(() -> "audit trail: " + c.count() + " refusals (" + c.key().outcome() + ") from "
                        + (c.key().source() == null ? "other sources" : c.key().source()) + " not recorded: " + e.displayText());
            }
        }
        if (sinceCheckpoint >= config.checkpointLines()) checkpointQuietly();
    }

    private void checkpointQuietly() {
        try {
            checkpoint();
        } catch (SecretStoreException e) {
            LOG.warning(() -> "audit checkpoint not written: " + e.displayText());
        }
    }

    /** Appends a checkpoint line signed with the node key over the chain head, and fsyncs the file. */
    public synchronized void checkpoint() {
        H256 signedHead = head;
        RecoverableSignature sig = Ecdsa.sign(key.secret(), AuditFormat.checkpointDigest(node, seq, signedHead));
        AuditFormat.Builder b = new AuditFormat.Builder().num("seq", seq).str("time", now()).str("type", "checkpoint")
                .str("node", node.toHex()).str("head", signedHead.toHex()).str("sig", sig.toHex());
        append(b, true);
        sinceCheckpoint = 0;
        lastIsCheckpoint = true;
        lastCheckpointMillis = clock.millis();
    }

    /**
     * False while the file cannot be written: the last write failed and the file could not be cut back to its last
     * whole line, the file is gone or no regular file, or it is not writable (a read-only file system, an immutable
     * file: one {@code access(2)} call, so a member refuses before it contributes). Tries that cut again when called.
     */
    @Override
    public synchronized boolean ready() {
        if (closed) return false;
        if (!Files.isRegularFile(config.file()) || !Files.isWritable(config.file())) {
            healthy = false;
            return false;
        }
        if (!healthy) healthy = cutBack();
        return healthy;
    }

    private void append(AuditFormat.Builder b, boolean force) {
        if (closed) throw SecretStoreException.of(SecretStoreException.Kind.DATABASE, "audit trail closed");
        AuditFormat.Line line = b.finish(head);
        byte[] bytes = (line.text() + "\n").getBytes(StandardCharsets.UTF_8);
        // no CREATE: a file that vanished is a failure, not a new unchained file
        try (FileChannel ch = FileChannel.open(config.file(), StandardOpenOption.WRITE)) {
            long end = ch.size();
            if (end != size) throw new IOException("the file is " + end + " bytes, the trail wrote " + size + " (changed behind the node)");
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            long at = size;
            while (buf.hasRemaining()) at += ch.write(buf, at);
            if (force) ch.force(false);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.SEVERE, "cannot write the audit file " + config.file() + ": " + e + " (SEC-29: the request is refused)");
            healthy = cutBack();
            throw SecretStoreException.of(SecretStoreException.Kind.DATABASE, "audit trail cannot be written");
        }
        size += bytes.length;
        head = line.hash();
        seq++;
        sinceCheckpoint++;
        lastIsCheckpoint = false;
        healthy = true;
    }

    /** Cuts the file back to the last whole line this trail wrote; false if that fails. */
    private boolean cutBack() {
        try (FileChannel ch = FileChannel.open(config.file(), StandardOpenOption.WRITE)) {
            if (ch.size() < size) return false; // lines went missing: never continue over that
            if (ch.size() > size) ch.truncate(size);
            ch.force(false);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private String now() {
        return TIME.format(clock.instant().truncatedTo(ChronoUnit.MILLIS));
    }

    /** Lines written since the last checkpoint. */
    public synchronized long sinceCheckpoint() {
        return sinceCheckpoint;
    }

    /** Writes the counted refusals, appends a final checkpoint (unless the last line is one) and stops writing. */
    @Override
    public synchronized void close() {
        if (closed) return;
        writeTallies(true);
        if (!lastIsCheckpoint) checkpointQuietly();
        closed = true;
    }
}
