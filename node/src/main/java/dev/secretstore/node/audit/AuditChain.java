package dev.secretstore.node.audit;

import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.RecoverableSignature;
import dev.secretstore.protocol.NodeId;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks audit lines one after the other (SEC-29): each line's own hash, its sequence number, its link to the line
 * before, and every checkpoint's signature by the node. Used by {@code audit verify} over a whole file, and by the
 * node on start over the tail it continues from ({@link #unanchored}).
 */
final class AuditChain {
    /** A line that does not check, and why; {@code line} is 1-based within what was checked. */
    static final class Bad extends Exception {
        final long line;

        Bad(long line, String why) {
            super(why);
            this.line = line;
        }
    }

    private NodeId node;
    private final Optional<NodeId> expected;
    private H256 head;
    private long nextSeq;
    private final boolean anchored;
    private long lines;
    private long checkpoints;
    private long sinceCheckpoint;
    private String firstTime;
    private String lastTime;
    private String lastType;

    private AuditChain(Optional<NodeId> expected, boolean anchored, NodeId node) {
        this.expected = expected;
        this.anchored = anchored;
        this.node = node;
    }

    /** For a whole file: its first line is the segment header that names the node ({@code expected} if given). */
    static AuditChain fromStart(Optional<NodeId> expected) {
        return new AuditChain(expected, true, expected.orElse(null));
    }

    /** For a file's tail: the first line checked is taken as it is (its own hash must still match). */
    static AuditChain unanchored(NodeId node) {
        return new AuditChain(Optional.of(node), false, node);
    }

    /** Checks the next line ({@code bytes}: without its newline). */
    void accept(byte[] bytes) throws Bad {
        long n = lines + 1;
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new Bad(n, "not UTF-8 text (the line was altered)");
        }
        Map<String, Object> m;
        try {
            m = AuditFormat.parse(text);
        } catch (IllegalArgumentException e) {
            throw new Bad(n, "not a JSON object (" + e.getMessage() + "): the line was altered or cut");
        }
        List<String> names = new ArrayList<>(m.keySet());
        int at = text.lastIndexOf(AuditFormat.HASH_MEMBER);
        if (names.size() < 3 || !names.get(names.size() - 1).equals("hash") || !names.get(names.size() - 2).equals("prev") || at < 0
                || !text.endsWith("\"}")) {
            throw new Bad(n, "does not end with \"prev\" and \"hash\" (the line was altered)");
        }
        String hashText = text.substring(at + AuditFormat.HASH_MEMBER.length(), text.length() - 2);
        byte[] prevBytes = AuditFormat.hex(m.get("prev"), 32);
        if (prevBytes == null || AuditFormat.hex(hashText, 32) == null) throw new Bad(n, "prev or hash is not 64 hex digits");
        H256 prev = H256.fromBytes(prevBytes);
        H256 hash = AuditFormat.lineHash(prev, (text.substring(0, at) + "}").getBytes(StandardCharsets.UTF_8));
        if (!hash.toHex().equals(hashText)) throw new Bad(n, "its content does not match its hash (the line was altered)");
        if (!(m.get("seq") instanceof Long seq)) throw new Bad(n, "no seq");
        String type = m.get("type") instanceof String t ? t : null;
        if (lines == 0 && anchored) {
            if (seq != 0 || !"segment".equals(type)) throw new Bad(n, "the file does not start with its segment header (seq 0)");
            byte[] id = AuditFormat.hex(m.get("node"), 64);
            NodeId named;
            try {
                named = id == null ? null : new NodeId(PublicPoint.fromBytes(id));
            } catch (CryptoException e) {
                named = null;
            }
            if (named == null) throw new Bad(n, "the segment header names no valid node id");
            if (expected.isPresent() && !expected.get().equals(named)) {
                throw new Bad(n, "the file belongs to node " + named.toHex() + ", not " + expected.get().toHex());
            }
            node = named;
            if (!prev.equals(AuditFormat.genesis(node))) throw new Bad(n, "prev is not the node's genesis value");
        } else if (lines > 0 || anchored) {
            if (seq != nextSeq) {
                throw new Bad(n, "seq is " + seq + ", expected " + nextSeq + " (a line was removed, inserted or moved)");
            }
            if (!prev.equals(head)) {
                throw new Bad(n, "prev is not the hash of the line before (a line before it was removed, moved or rewritten)");
            }
        }
        if ("segment".equals(type)) {
            if (seq != 0) throw new Bad(n, "a segment header after the start");
        } else if ("checkpoint".equals(type)) {
            checkpoint(n, m, seq, prev);
        } else if ("refusals".equals(type)) {
            if (!(m.get("count") instanceof Long count) || count < 1 || !(m.get("outcome") instanceof String)) {
                throw new Bad(n, "a refusals line without a positive count and an outcome");
            }
        } else if (!"request".equals(type)) {
            throw new Bad(n, "unknown type " + type);
        }
        String time = m.get("time") instanceof String t ? t : null;
        try {
            if (time == null) throw new DateTimeParseException("missing", "", 0);
            Instant.parse(time);
        } catch (DateTimeParseException e) {
            throw new Bad(n, "no valid time");
        }
        if (firstTime == null) firstTime = time;
        lastTime = time;
        head = hash;
        nextSeq = seq + 1;
        lines++;
        lastType = type;
        sinceCheckpoint = "checkpoint".equals(type) ? 0 : sinceCheckpoint + 1;
    }

    private void checkpoint(long n, Map<String, Object> m, long seq, H256 prev) throws Bad {
        byte[] headBytes = AuditFormat.hex(m.get("head"), 32);
        byte[] sig = AuditFormat.hex(m.get("sig"), RecoverableSignature.LENGTH);
        if (headBytes == null || sig == null) throw new Bad(n, "checkpoint without head or signature");
        H256 signedHead = H256.fromBytes(headBytes);
        if (!signedHead.equals(prev)) throw new Bad(n, "checkpoint head is not the hash of the line before");
        if (node == null) throw new Bad(n, "checkpoint before the node is known");
        PublicPoint signer;
        try {
            signer = Ecdsa.recover(RecoverableSignature.fromBytes(sig), AuditFormat.checkpointDigest(node, seq, signedHead));
        } catch (CryptoException | IllegalArgumentException e) {
            throw new Bad(n, "checkpoint signature does not recover (" + e.getMessage() + ")");
        }
        if (!signer.equals(node.publicKey())) throw new Bad(n, "checkpoint is not signed by node " + node.toHex());
        checkpoints++;
    }

    NodeId node() {
        return node;
    }

    H256 head() {
        return head;
    }

    long nextSeq() {
        return nextSeq;
    }

    long lines() {
        return lines;
    }

    long checkpoints() {
        return checkpoints;
    }

    /** Lines after the last checkpoint (no signature covers them yet). */
    long sinceCheckpoint() {
        return sinceCheckpoint;
    }

    String firstTime() {
        return firstTime;
    }

    String lastTime() {
        return lastTime;
    }

    String lastType() {
        return lastType;
    }
}
