package dev.secretstore.node.audit;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.protocol.NodeId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The audit file's line format and hash chain (SEC-29, docs/operations.md "Audit trail").
 *
 * <p>A line is one flat JSON object on one line, fields in a fixed order, ending with {@code "prev"} (the hash of
 * the line before, or the {@link #genesis} of the node for the first line) and {@code "hash"}:
 * {@code hash = SHA-256("secretstore/v1/audit-line" ‖ prev ‖ body)}, where {@code body} is the line's UTF-8 bytes
 * without its {@code ,"hash":"…"} member (so ending {@code …"prev":"<hex>"}}). A checkpoint line signs
 * {@link #checkpointDigest} with the node key. Values are strings, integers or null; no whitespace.
 */
public final class AuditFormat {
    static final byte[] LINE_TAG = "secretstore/v1/audit-line".getBytes(StandardCharsets.US_ASCII);
    static final byte[] GENESIS_TAG = "secretstore/v1/audit-genesis".getBytes(StandardCharsets.US_ASCII);
    static final byte[] CHECKPOINT_TAG = "secretstore/v1/audit-checkpoint".getBytes(StandardCharsets.US_ASCII);
    static final String HASH_MEMBER = ",\"hash\":\"";

    private AuditFormat() {}

    /** The value the first line of a node's audit file chains from: bound to the node id. */
    public static H256 genesis(NodeId node) {
        return sha256(GENESIS_TAG, node.toBytes());
    }

    /** The hash of a line whose body (without the hash member, closed with '}') is {@code body}. */
    static H256 lineHash(H256 prev, byte[] body) {
        return sha256(LINE_TAG, prev.toBytes(), body);
    }

    /** What a checkpoint signs: the node, the checkpoint's sequence number and the chain head before it. */
    static H256 checkpointDigest(NodeId node, long seq, H256 head) {
        return sha256(CHECKPOINT_TAG, node.toBytes(), java.nio.ByteBuffer.allocate(8).putLong(seq).array(), head.toBytes());
    }

    static H256 sha256(byte[]... parts) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) d.update(p);
            return H256.fromBytes(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Builds a line's members in order; {@link #finish} adds prev and hash. */
    static final class Builder {
        private final StringBuilder out = new StringBuilder(256).append('{');

        Builder str(String name, String value) {
            member(name);
            if (value == null) out.append("null");
            else quote(out, value);
            return this;
        }

        Builder num(String name, Long value) {
            member(name);
            out.append(value == null ? "null" : Long.toString(value));
            return this;
        }

        private void member(String name) {
            if (out.length() > 1) out.append(',');
            quote(out, name);
            out.append(':');
        }

        /** The complete line (without newline) chained to {@code prev}, and its hash. */
        Line finish(H256 prev) {
            str("prev", prev.toHex());
            byte[] body = (out + "}").getBytes(StandardCharsets.UTF_8);
            H256 hash = lineHash(prev, body);
            String text = out + HASH_MEMBER + hash.toHex() + "\"}";
            return new Line(text, hash);
        }
    }

    record Line(String text, H256 hash) {}

    static void quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        out.append('"');
    }

    /**
     * Parses one flat JSON object (string, integer, true/false and null values only), members in file order.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    static Map<String, Object> parse(String line) {
        Map<String, Object> out = new LinkedHashMap<>();
        int[] pos = {0};
        expect(line, pos, '{');
        if (peek(line, pos) == '}') {
            pos[0]++;
        } else {
            while (true) {
                String name = string(line, pos);
                expect(line, pos, ':');
                Object value = value(line, pos);
                if (out.put(name, value) != null) throw new IllegalArgumentException("member \"" + name + "\" twice");
                char c = next(line, pos);
                if (c == '}') break;
                if (c != ',') throw new IllegalArgumentException("expected , or } at column " + pos[0]);
            }
        }
        if (pos[0] != line.length()) throw new IllegalArgumentException("text after the object at column " + (pos[0] + 1));
        return out;
    }

    private static Object value(String s, int[] pos) {
        char c = peek(s, pos);
        if (c == '"') return string(s, pos);
        if (s.startsWith("null", pos[0])) {
            pos[0] += 4;
            return null;
        }
        if (s.startsWith("true", pos[0])) {
            pos[0] += 4;
            return Boolean.TRUE;
        }
        if (s.startsWith("false", pos[0])) {
            pos[0] += 5;
            return Boolean.FALSE;
        }
        int start = pos[0];
        if (c == '-') pos[0]++;
        while (pos[0] < s.length() && Character.isDigit(s.charAt(pos[0]))) pos[0]++;
        if (pos[0] == start || pos[0] - start > 19) throw new IllegalArgumentException("bad value at column " + (start + 1));
        try {
            return Long.parseLong(s.substring(start, pos[0]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad number at column " + (start + 1));
        }
    }

    private static String string(String s, int[] pos) {
        expect(s, pos, '"');
        StringBuilder out = new StringBuilder();
        while (true) {
            char c = next(s, pos);
            if (c == '"') return out.toString();
            if (c < 0x20) throw new IllegalArgumentException("control character in a string at column " + pos[0]);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = next(s, pos);
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'u' -> {
                    if (pos[0] + 4 > s.length()) throw new IllegalArgumentException("bad escape at column " + pos[0]);
                    try {
                        out.append((char) Integer.parseInt(s.substring(pos[0], pos[0] + 4), 16));
                    } catch (NumberFormatException x) {
                        throw new IllegalArgumentException("bad escape at column " + pos[0]);
                    }
                    pos[0] += 4;
                }
                default -> throw new IllegalArgumentException("bad escape at column " + pos[0]);
            }
        }
    }

    private static void expect(String s, int[] pos, char c) {
        if (next(s, pos) != c) throw new IllegalArgumentException("expected " + c + " at column " + pos[0]);
    }

    private static char peek(String s, int[] pos) {
        if (pos[0] >= s.length()) throw new IllegalArgumentException("line ends early");
        return s.charAt(pos[0]);
    }

    private static char next(String s, int[] pos) {
        char c = peek(s, pos);
        pos[0]++;
        return c;
    }

    /** Hex of exactly {@code bytes} bytes, or null. */
    static byte[] hex(Object v, int bytes) {
        if (!(v instanceof String s) || s.length() != 2 * bytes) return null;
        try {
            return Hex.decode(s, bytes);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
