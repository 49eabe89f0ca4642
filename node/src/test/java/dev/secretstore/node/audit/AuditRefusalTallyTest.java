package dev.secretstore.node.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.protocol.NodeId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SEC-29 with SEC-35: a flood of cheap refusals (rate-limited, shed, Host, CORS, malformed) is a few audit lines per
 * source and interval with a count, not a line per request, and the chain still verifies. Time is a fake clock.
 */
class AuditRefusalTallyTest {
    @TempDir
    Path dir;

    private final KeyPair nodeKey = KeyPair.fromSecretBytes(H256.keccak("tally-node".getBytes()).toBytes());
    private final NodeId node = new NodeId(nodeKey.publicKey());
    private final Instant[] now = {Instant.parse("2026-12-07T05:00:00Z")};
    private final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now[0];
        }
    };

    private AuditTrail open(int sources) throws Exception {
        return AuditTrail.open(new AuditTrail.Config(dir.resolve("audit.jsonl"), 100_000, Duration.ofHours(1)), nodeKey, clock, sources,
                Duration.ofSeconds(60));
    }

    private static AuditTrail.Alone refused(String source, String outcome) {
        int status = switch (outcome) {
            case "rate-limited" -> 429;
            case "shed" -> 503;
            case "invalid" -> 400;
            case "cors" -> 404;
            default -> 403;
        };
        return new AuditTrail.Alone(outcome.equals("invalid") ? null : "retrieve_server_key", null, null, null, "entry", outcome, status,
                source);
    }

    private List<Map<String, Object>> lines(String type) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("audit.jsonl"))) {
            Map<String, Object> m = AuditFormat.parse(line);
            if (type.equals(m.get("type"))) out.add(m);
        }
        return out;
    }

    private void assertVerifies() throws Exception {
        AuditVerifier.Report r = AuditVerifier.verify(dir.resolve("audit.jsonl"), Optional.of(node));
        assertThat(r.ok()).as(r.reason()).isTrue();
    }

    @Test
    void sec29_sec35_aFloodOfRefusalsIsOneLinePerSourceOutcomeAndInterval_andTheCountsAddUp() throws Exception {
        AuditTrail trail = open(16);
        Random rng = new Random(29);
        List<String> sources = List.of("203.0.113.5", "198.51.100.7", "2001:db8::1");
        List<String> outcomes = List.of("rate-limited", "shed", "invalid");
        int n = 5000;
        Map<String, Integer> sent = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String source = sources.get(rng.nextInt(sources.size()));
            String outcome = outcomes.get(rng.nextInt(outcomes.size()));
            sent.merge(source + " " + outcome, 1, Integer::sum);
            trail.recordAlone(refused(source, outcome));
            if (i % 1000 == 999) now[0] = now[0].plusSeconds(10); // the flood spans 50 s: one interval
        }
        assertThat(lines("request")).as("the first refusal of each source and outcome, at once").hasSize(sent.size());
        assertThat(lines("refusals")).as("the rest is counted until the interval ends").isEmpty();
        now[0] = now[0].plusSeconds(11);
        trail.maybeCheckpoint();
        List<Map<String, Object>> counted = lines("refusals");
        assertThat(counted).as("one line per source and outcome").hasSize(sent.size());
        for (Map<String, Object> m : counted) {
            String key = m.get("source") + " " + m.get("outcome");
            assertThat(m.get("count")).as(key).isEqualTo((long) sent.get(key) - 1);
            assertThat(m.get("from")).isEqualTo("2026-12-07T05:00:00Z");
            assertThat(m.get("to")).isEqualTo("2026-12-07T05:01:01Z");
        }
        long total = lines("request").size() + counted.stream().mapToLong(m -> (Long) m.get("count")).sum();
        assertThat(total).as("every refused request is in the file: a line or a count").isEqualTo(n);
        trail.close();
        assertVerifies();
        assertThat(Files.size(dir.resolve("audit.jsonl"))).as("a few kilobytes, not 400 bytes a request").isLessThan(20_000);
    }

    @Test
    void sec29_theCountIsWrittenWhenTheIntervalEnds_andTheNextRefusalIsAFirstAgain() throws Exception {
        AuditTrail trail = open(16);
        for (int i = 0; i < 3; i++) trail.recordAlone(refused("203.0.113.5", "shed"));
        now[0] = now[0].plusSeconds(59);
        trail.maybeCheckpoint();
        assertThat(lines("refusals")).as("59 s: the interval has not ended").isEmpty();
        now[0] = now[0].plusSeconds(1);
        trail.maybeCheckpoint();
        assertThat(lines("refusals")).singleElement().satisfies(m -> {
            assertThat(m.get("source")).isEqualTo("203.0.113.5");
            assertThat(m.get("outcome")).isEqualTo("shed");
            assertThat(m.get("count")).isEqualTo(2L);
        });
        trail.maybeCheckpoint();
        assertThat(lines("refusals")).as("written once").hasSize(1);
        trail.recordAlone(refused("203.0.113.5", "shed"));
        assertThat(lines("request")).as("the first refusal of the next interval has its own line").hasSize(2);
        trail.close();
        assertThat(lines("refusals")).as("an interval with nothing counted writes no line").hasSize(1);
        assertVerifies();
    }

    @Test
    void sec29_atShutdownTheCountsAreWrittenBeforeTheFinalCheckpoint() throws Exception {
        AuditTrail trail = open(16);
        for (int i = 0; i < 10; i++) trail.recordAlone(refused("198.51.100.7", "rate-limited"));
        trail.close();
        List<String> all = Files.readAllLines(dir.resolve("audit.jsonl"));
        assertThat(AuditFormat.parse(all.get(all.size() - 1)).get("type")).isEqualTo("checkpoint");
        Map<String, Object> beforeIt = AuditFormat.parse(all.get(all.size() - 2));
        assertThat(beforeIt.get("type")).isEqualTo("refusals");
        assertThat(beforeIt.get("count")).isEqualTo(9L);
        assertVerifies();
    }

    @Test
    void sec29_sourcesBeyondTheCapacityAreCountedAsOtherSources_memoryStaysBounded() throws Exception {
        AuditTrail trail = open(2);
        int n = 0;
        for (int s = 0; s < 200; s++) {
            for (int i = 0; i < 5; i++) {
                trail.recordAlone(refused("10.0.0." + s, "invalid"));
                n++;
            }
        }
        assertThat(lines("request")).as("first lines only for the sources counted one by one").hasSize(2);
        trail.close();
        List<Map<String, Object>> counted = lines("refusals");
        assertThat(counted).hasSize(3);
        assertThat(counted).filteredOn(m -> m.get("source") == null).singleElement()
                .satisfies(m -> assertThat(m.get("count")).as("198 sources × 5").isEqualTo(990L));
        long total = lines("request").size() + counted.stream().mapToLong(m -> (Long) m.get("count")).sum();
        assertThat(total).isEqualTo(n);
        assertVerifies();
    }

    @Test
    void sec29_otherRefusalsAndRequestsWithoutASourceAreStillOneLineEach() throws Exception {
        AuditTrail trail = open(16);
        for (int i = 0; i < 3; i++) {
            trail.recordAlone(new AuditTrail.Alone("retrieve_document_key", null, null, "static", "entry", "INSUFFICIENT_REQUESTER_DATA", 400,
                    "203.0.113.5"));
            trail.recordAlone(new AuditTrail.Alone("retrieve_server_key", null, null, null, "entry", "rate-limited", 429));
        }
        assertThat(lines("request")).hasSize(6);
        trail.close();
        assertThat(lines("refusals")).isEmpty();
        assertVerifies();
    }

    @Test
    void sec29_aRefusalsLineThatWasAlteredIsNamedByAuditVerify() throws Exception {
        AuditTrail trail = open(16);
        for (int i = 0; i < 4; i++) trail.recordAlone(refused("203.0.113.5", "cors"));
        trail.close();
        Path file = dir.resolve("audit.jsonl");
        String text = Files.readString(file);
        Files.writeString(file, text.replace("\"count\":3,", "\"count\":1,"));
        AuditVerifier.Report r = AuditVerifier.verify(file, Optional.of(node));
        assertThat(r.ok()).isFalse();
        assertThat(r.reason()).contains("does not match its hash");
    }
}
