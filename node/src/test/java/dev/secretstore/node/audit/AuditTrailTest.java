package dev.secretstore.node.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.session.AuditFacts;
import dev.secretstore.protocol.session.Session;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.SessionType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** SEC-29: the audit file's chain, checkpoints, restart and what {@code audit verify} finds. */
class AuditTrailTest {
    @TempDir
    Path dir;

    private final KeyPair nodeKey = KeyPair.fromSecretBytes(H256.keccak("audit-node".getBytes()).toBytes());
    private final NodeId node = new NodeId(nodeKey.publicKey());
    private final Clock clock = Clock.fixed(Instant.parse("2026-12-06T10:00:00Z"), ZoneOffset.UTC);

    /** A finished session as the session manager hands it to the recorder. */
    private record Finished(SessionKey key, Optional<SecretStoreException> failure) implements Session {
        @Override
        public Set<NodeId> participants() {
            return Set.of();
        }

        @Override
        public void onMessage(NodeId from, SessionMessage message) {}

        @Override
        public void onNodeDisconnected(NodeId n) {}

        @Override
        public void fail(SecretStoreException error) {}

        @Override
        public boolean isFinished() {
            return true;
        }
    }

    private static final AuditFacts FACTS = new AuditFacts("retrieve_document_key_shadows", H256.keccak("key".getBytes()),
            Optional.of(KeyPair.fromSecretBytes(H256.keccak("requester".getBytes()).toBytes()).address()), Optional.of("static"),
            Optional.of(true), OptionalLong.of(42));

    private AuditTrail.Config config(int checkpointLines) {
        return new AuditTrail.Config(dir.resolve("audit.jsonl"), checkpointLines, Duration.ofSeconds(60));
    }

    private void record(AuditTrail trail, int i, boolean master) {
        NodeId masterId = master ? node : new NodeId(KeyPair.random().publicKey());
        trail.record(new Finished(new SessionKey(SessionType.DECRYPTION, H256.keccak(("s" + i).getBytes()), masterId),
                i % 3 == 0 ? Optional.of(SecretStoreException.of(SecretStoreException.Kind.CONSENSUS_UNREACHABLE)) : Optional.empty()), FACTS);
    }

    /** A file of 1 header + 10 requests + checkpoints every 4 requests + the one at close. */
    private Path writeFile() throws Exception {
        try (AuditTrail trail = AuditTrail.open(config(4), nodeKey, clock)) {
            for (int i = 0; i < 10; i++) record(trail, i, i % 2 == 0);
        }
        return dir.resolve("audit.jsonl");
    }

    @Test
    void sec29_aWrittenFileVerifiesWithItsCountsAndTimes() throws Exception {
        Path file = writeFile();
        AuditVerifier.Report r = AuditVerifier.verify(file, Optional.of(node));
        assertThat(r.ok()).as(r.reason()).isTrue();
        // header, 10 requests, a checkpoint after request lines 4 (header counts) … : every line is chained
        assertThat(r.lines()).isEqualTo(Files.readAllLines(file).size());
        assertThat(r.checkpoints()).isEqualTo(Files.readAllLines(file).stream().filter(l -> l.contains("\"type\":\"checkpoint\"")).count());
        assertThat(r.checkpoints()).isGreaterThanOrEqualTo(3);
        assertThat(r.unsignedTail()).isZero();
        assertThat(r.firstTime()).contains("2026-12-06T10:00:00Z");
        assertThat(r.node()).contains(node);
        String first = Files.readAllLines(file).get(1);
        assertThat(first).startsWith("{\"seq\":1,\"time\":\"2026-12-06T10:00:00Z\",\"type\":\"request\",\"request\":\"")
                .contains("\"operation\":\"retrieve_document_key_shadows\"", "\"acl\":\"allowed\"", "\"acl_block\":42",
                        "\"role\":\"master\"", "\"credential\":\"static\"", "\"outcome\":\"CONSENSUS_UNREACHABLE\"");
    }

    @Test
    void sec29_anotherNodeIdOrAForeignSignatureIsNamed() throws Exception {
        Path file = writeFile();
        AuditVerifier.Report other = AuditVerifier.verify(file, Optional.of(new NodeId(KeyPair.random().publicKey())));
        assertThat(other.ok()).isFalse();
        assertThat(other.badLine()).isEqualTo(1);
        assertThat(other.reason()).contains("belongs to node " + node.toHex());

        // a checkpoint re-signed by another key, its line hash recomputed: the chain holds, the signature does not
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        int at = -1;
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains("\"type\":\"checkpoint\"")) { at = i; break; }
        KeyPair forger = KeyPair.random();
        java.util.Map<String, Object> m = AuditFormat.parse(lines.get(at));
        H256 head = H256.fromHex((String) m.get("head"));
        String sig = dev.secretstore.crypto.Ecdsa.sign(forger.secret(), AuditFormat.checkpointDigest(node, (Long) m.get("seq"), head)).toHex();
        AuditFormat.Line forged = new AuditFormat.Builder().num("seq", (Long) m.get("seq")).str("time", (String) m.get("time"))
                .str("type", "checkpoint").str("node", node.toHex()).str("head", head.toHex()).str("sig", sig).finish(head);
        lines.set(at, forged.text());
        Files.write(file, lines);
        AuditVerifier.Report r = AuditVerifier.verify(file, Optional.empty());
        assertThat(r.badLine()).isEqualTo(at + 1);
        assertThat(r.reason()).contains("not signed by node");
    }

    /** A mutation of the file and the 1-based line verify must name. */
    record Mutation(String name, byte[] bytes, long expectedLine) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Mutation> mutations() throws Exception {
        Path tmp = Files.createTempDirectory("audit-mutations");
        AuditTrailTest t = new AuditTrailTest();
        t.dir = tmp;
        byte[] good = Files.readAllBytes(t.writeFile());
        List<int[]> spans = new ArrayList<>(); // [start, end) of each line, newline excluded
        for (int i = 0, s = 0; i < good.length; i++) if (good[i] == '\n') { spans.add(new int[] {s, i}); s = i + 1; }
        Random rng = new Random(29); // seeded: the same mutations every run
        List<Mutation> out = new ArrayList<>();
        for (int k = 0; k < 40; k++) { // one byte changed anywhere, newlines included
            int pos = rng.nextInt(good.length);
            byte[] b = good.clone();
            b[pos] ^= (byte) (1 + rng.nextInt(255));
            out.add(new Mutation("byte " + pos + " changed", b, lineOf(spans, pos)));
        }
        for (int line = 0; line < spans.size() - 1; line++) { // a line deleted (not the last one: see docs)
            out.add(new Mutation("line " + (line + 1) + " deleted", without(good, spans, line), line + 1));
        }
        for (int line = 0; line + 1 < spans.size(); line++) { // two neighbours swapped
            out.add(new Mutation("lines " + (line + 1) + " and " + (line + 2) + " swapped", swapped(good, spans, line), line + 1));
        }
        for (int k = 0; k < 10; k++) { // cut inside a line
            int line = rng.nextInt(spans.size());
            int[] sp = spans.get(line);
            int cut = sp[0] + 1 + rng.nextInt(sp[1] - sp[0]);
            out.add(new Mutation("cut at byte " + cut, java.util.Arrays.copyOf(good, cut), line + 1));
        }
        return out.stream();
    }

    private static long lineOf(List<int[]> spans, int pos) {
        for (int i = 0; i < spans.size(); i++) if (pos <= spans.get(i)[1]) return i + 1; // a line's newline belongs to it
        throw new IllegalStateException();
    }

    private static byte[] without(byte[] good, List<int[]> spans, int line) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < spans.size(); i++) if (i != line) out.write(good, spans.get(i)[0], spans.get(i)[1] - spans.get(i)[0] + 1);
        return out.toByteArray();
    }

    private static byte[] swapped(byte[] good, List<int[]> spans, int line) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < spans.size(); i++) {
            int j = i == line ? line + 1 : i == line + 1 ? line : i;
            out.write(good, spans.get(j)[0], spans.get(j)[1] - spans.get(j)[0] + 1);
        }
        return out.toByteArray();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mutations")
    void sec29_verifyNamesTheFirstBadLineOfATamperedFile(Mutation m) throws Exception {
        Path file = dir.resolve("mutated.jsonl");
        Files.write(file, m.bytes());
        AuditVerifier.Report r = AuditVerifier.verify(file, Optional.empty());
        assertThat(r.ok()).as("a tampered file never verifies").isFalse();
        assertThat(r.badLine()).as(r.reason()).isEqualTo(m.expectedLine());
    }

    @Test
    void sec29_afterARestartTheChainContinuesFromTheLastLine() throws Exception {
        Path file = writeFile();
        long before = Files.readAllLines(file).size();
        try (AuditTrail trail = AuditTrail.open(config(4), nodeKey, clock)) {
            record(trail, 100, false);
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize((int) before + 2); // the request and the closing checkpoint, no new header
        assertThat(lines.get((int) before)).contains("\"seq\":" + before + ",", "\"role\":\"member\"");
        AuditVerifier.Report r = AuditVerifier.verify(file, Optional.of(node));
        assertThat(r.ok()).as(r.reason()).isTrue();
        assertThat(r.lines()).isEqualTo(before + 2);
    }

    @Test
    void sec29_aDamagedTailOnStartMovesTheFileAsideAndStartsANewSegment() throws Exception {
        Path file = writeFile();
        byte[] good = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(good, good.length - 7)); // the last line cut
        try (AuditTrail trail = AuditTrail.open(config(4), nodeKey, clock)) {
            record(trail, 200, true);
        }
        List<Path> aside;
        try (Stream<Path> s = Files.list(dir)) {
            aside = s.filter(p -> p.getFileName().toString().startsWith("audit.jsonl.damaged-")).toList();
        }
        assertThat(aside).hasSize(1);
        assertThat(Files.size(aside.get(0))).isEqualTo(good.length - 7);
        List<String> lines = Files.readAllLines(file);
        assertThat(lines.get(0)).contains("\"type\":\"segment\"", "previous file moved to " + aside.get(0).getFileName(), "no newline");
        assertThat(AuditVerifier.verify(file, Optional.of(node)).ok()).isTrue();
        assertThat(AuditVerifier.verify(aside.get(0), Optional.of(node)).ok()).isFalse();
    }

    @Test
    void sec29_aLineThatCannotBeWrittenIsAStorageErrorAndTheTrailIsNotReady() throws Exception {
        AuditTrail trail = AuditTrail.open(config(100), nodeKey, clock);
        record(trail, 1, true);
        Path file = dir.resolve("audit.jsonl");
        Files.move(file, dir.resolve("elsewhere"));
        assertThatThrownBy(() -> record(trail, 2, true)).isInstanceOf(SecretStoreException.class)
                .satisfies(e -> assertThat(((SecretStoreException) e).kind()).isEqualTo(SecretStoreException.Kind.DATABASE));
        assertThat(trail.ready()).isFalse();
        assertThat(Files.exists(file)).isFalse();
        Files.move(dir.resolve("elsewhere"), file);
        assertThat(trail.ready()).isTrue();
        record(trail, 3, true);
        trail.close();
        AuditVerifier.Report r = AuditVerifier.verify(file, Optional.of(node));
        assertThat(r.ok()).as(r.reason()).isTrue();
        assertThat(r.lines()).isEqualTo(4); // header, two requests, closing checkpoint
    }

    @Test
    void sec29_aFileChangedBehindTheNodeIsNotWrittenOver() throws Exception {
        AuditTrail trail = AuditTrail.open(config(100), nodeKey, clock);
        record(trail, 1, true);
        Files.writeString(dir.resolve("audit.jsonl"), "{\"forged\":1}\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        assertThatThrownBy(() -> record(trail, 2, true)).isInstanceOf(SecretStoreException.class);
    }

    @Test
    void sec29_checkpointsComeAtTheLineCountAndTheInterval() throws Exception {
        Instant[] now = {Instant.parse("2026-12-06T10:00:00Z")};
        Clock moving = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        AuditTrail trail = AuditTrail.open(new AuditTrail.Config(dir.resolve("audit.jsonl"), 1000, Duration.ofSeconds(60)), nodeKey, moving);
        record(trail, 1, true);
        trail.maybeCheckpoint();
        assertThat(trail.sinceCheckpoint()).as("the interval has not passed").isEqualTo(1);
        now[0] = now[0].plusSeconds(61);
        trail.maybeCheckpoint();
        assertThat(trail.sinceCheckpoint()).isZero();
        trail.maybeCheckpoint();
        AuditVerifier.Report r = AuditVerifier.verify(dir.resolve("audit.jsonl"), Optional.of(node));
        assertThat(r.checkpoints()).as("no checkpoint without new lines").isEqualTo(1);
        assertThat(r.lastTime()).contains("2026-12-06T10:01:01Z");
    }
}
