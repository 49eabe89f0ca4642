package dev.secretstore.node.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.PublicPoint;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Routing and argument parsing of the Parity-compatible HTTP API (http-api.md §3, §4). Pure: no I/O.
 * Every input yields either a request or {@link Result.Invalid} (400, empty body) — never an
 * exception (SEC-05).
 *
 * <p>With {@code strict = false} (the default) the project's extensions are on: {@code 0x} prefixes
 * on path arguments, {@code POST /admin/refresh_shares/…} and {@code GET /cluster}. With {@code strict = true}
 * ({@code parity_strict}) they are off. Points in the store path are validated in both modes (a [fix], not an
 * extension: SEC-01).
 */
public final class RequestParser {
    /** Largest request body read (http-api.md §1). */
    public static final int MAX_BODY_BYTES = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final boolean strict;

    public RequestParser(boolean strict) {
        this.strict = strict;
    }

    /** The outcome of parsing. */
    public sealed interface Result {
        record Ok(ApiRequest request) implements Result {}

        /** The reason is for the operator's log only; the client gets 400 with an empty body. */
        record Invalid(String reason) implements Result {}
    }

    /** Parses a method, the raw request-target path (query string allowed, it is dropped) and the body. */
    public Result parse(String method, String rawPath, byte[] body) {
        try {
            return new Result.Ok(route(method, rawPath, body == null ? new byte[0] : body));
        } catch (InvalidRequest e) {
            return new Result.Invalid(e.getMessage());
        } catch (CryptoException e) {
            return new Result.Invalid(e.getMessage());
        }
    }

    private ApiRequest route(String method, String rawPath, byte[] body) {
        if (body.length > MAX_BODY_BYTES) {
            throw new InvalidRequest("body larger than " + MAX_BODY_BYTES + " bytes");
        }
        List<String> segments = segments(rawPath);
        boolean post = "POST".equals(method);
        boolean get = "GET".equals(method);
        if (!post && !get) {
            throw new InvalidRequest("method not allowed: " + method);
        }
        String first = segments.get(0);
        if (!strict && get && segments.size() == 1 && first.equals("cluster")) {
            return new ApiRequest.ClusterInfo();
        }
        if (first.equals("admin")) {
            if (!strict && post && segments.size() == 3 && segments.get(1).equals("refresh_shares")) {
                return new ApiRequest.RefreshShares(signature(segments.get(2)), keyIds(body));
            }
            if (!post || segments.size() != 4 || !segments.get(1).equals("servers_set_change")) {
                throw new InvalidRequest("invalid admin request");
            }
            return new ApiRequest.ServersSetChange(signature(segments.get(2)), signature(segments.get(3)), nodeSet(body));
        }
        String prefix = switch (first) {
            case "shadow", "schnorr", "ecdsa", "server" -> first;
            default -> "";
        };
        List<String> args = prefix.isEmpty() ? segments : segments.subList(1, segments.size());
        int n = args.size();
        switch (prefix) {
            case "shadow" -> {
                if (post && n == 3) {
                    return new ApiRequest.GenerateServerKey(keyId(args.get(0)), signature(args.get(1)), threshold(args.get(2)));
                }
                if (post && n == 4) {
                    return new ApiRequest.StoreDocumentKey(keyId(args.get(0)), signature(args.get(1)),
                            point(args.get(2)), point(args.get(3)));
                }
                if (get && n == 2) {
                    return new ApiRequest.RetrieveDocumentKeyShadows(keyId(args.get(0)), signature(args.get(1)));
                }
            }
            case "server" -> {
                if (get && n == 2) {
                    return new ApiRequest.RetrieveServerKey(keyId(args.get(0)), signature(args.get(1)));
                }
            }
            case "schnorr" -> {
                if (get && n == 3) {
                    return new ApiRequest.SchnorrSign(keyId(args.get(0)), signature(args.get(1)), h256(args.get(2)));
                }
            }
            case "ecdsa" -> {
                if (get && n == 3) {
                    return new ApiRequest.EcdsaSign(keyId(args.get(0)), signature(args.get(1)), h256(args.get(2)));
                }
            }
            default -> {
                if (post && n == 3) {
                    return new ApiRequest.GenerateDocumentKey(keyId(args.get(0)), signature(args.get(1)), threshold(args.get(2)));
                }
                if (get && n == 2) {
                    return new ApiRequest.RetrieveDocumentKey(keyId(args.get(0)), signature(args.get(1)));
                }
            }
        }
        throw new InvalidRequest("no route for " + method + " with prefix '" + prefix + "' and " + n + " arguments");
    }

    /** §3 steps 1–4: drop the query, percent-decode as UTF-8, strip leading '/', split, no empty segment. */
    static List<String> segments(String rawPath) {
        String path = rawPath;
        int q = path.indexOf('?');
        if (q >= 0) path = path.substring(0, q);
        path = percentDecode(path);
        int start = 0;
        while (start < path.length() && path.charAt(start) == '/') start++;
        path = path.substring(start);
        if (path.isEmpty()) {
            throw new InvalidRequest("empty path");
        }
        List<String> segments = List.of(path.split("/", -1));
        for (String s : segments) {
            if (s.isEmpty()) throw new InvalidRequest("empty path segment");
        }
        return segments;
    }

    private static String percentDecode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        byte[] in = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < in.length; i++) {
            byte b = in[i];
            if (b == '%') {
                if (i + 2 >= in.length) throw new InvalidRequest("truncated percent escape");
                int hi = Character.digit(in[i + 1], 16);
                int lo = Character.digit(in[i + 2], 16);
                if (hi < 0 || lo < 0) throw new InvalidRequest("invalid percent escape");
                out.write((hi << 4) | lo);
                i += 2;
            } else {
                out.write(b);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new InvalidRequest("path is not valid UTF-8");
        }
    }

    private byte[] hexArg(String arg, int bytes, String what) {
        String digits = arg;
        if (!strict && digits.length() == bytes * 2 + 2) {
            digits = Hex.strip0x(digits).toString();
        }
        if (digits.length() != bytes * 2) {
            throw new InvalidRequest(what + ": expected " + bytes * 2 + " hex digits");
        }
        return Hex.decode(digits);
    }

    private H256 keyId(String arg) {
        return H256.fromBytes(hexArg(arg, 32, "key id"));
    }

    private H256 h256(String arg) {
        return H256.fromBytes(hexArg(arg, 32, "message hash"));
    }

    private RawSignature signature(String arg) {
        return RawSignature.of(hexArg(arg, 65, "signature"));
    }

    private PublicPoint point(String arg) {
        return PublicPoint.fromBytes(hexArg(arg, 64, "point"));
    }

    /** §4: one or more ASCII digits, value ≤ 2^64−1 (kept as an unsigned long). */
    private static long threshold(String arg) {
        if (arg.length() > 20) throw new InvalidRequest("threshold too long");
        for (int i = 0; i < arg.length(); i++) {
            char c = arg.charAt(i);
            if (c < '0' || c > '9') throw new InvalidRequest("threshold is not decimal");
        }
        try {
            return Long.parseUnsignedLong(arg);
        } catch (NumberFormatException e) {
            throw new InvalidRequest("threshold above 2^64-1");
        }
    }

    /** Admin body: a JSON array of node ids, each "0x" + 128 hex and a valid point; taken as a set. */
    private static Set<PublicPoint> nodeSet(byte[] body) {
        if (body.length == 0) throw new InvalidRequest("admin request without body");
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new InvalidRequest("admin body is not JSON");
        } catch (java.io.IOException e) {
            throw new InvalidRequest("admin body unreadable");
        }
        if (root == null || !root.isArray()) throw new InvalidRequest("admin body is not a JSON array");
        Set<PublicPoint> out = new HashSet<>();
        for (JsonNode n : root) {
            if (!n.isTextual()) throw new InvalidRequest("node id is not a string");
            String s = n.textValue();
            if (!s.startsWith("0x") || s.length() != 130) throw new InvalidRequest("node id must be 0x + 128 hex");
            out.add(PublicPoint.fromBytes(Hex.decode(s.substring(2))));
        }
        return out;
    }

    /** Refresh body: empty, or a JSON array of distinct key ids, each "0x" + 64 hex. */
    private static List<H256> keyIds(byte[] body) {
        if (body.length == 0) return List.of();
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new InvalidRequest("refresh body is not JSON");
        }
        if (root == null || !root.isArray()) throw new InvalidRequest("refresh body is not a JSON array");
        List<H256> out = new java.util.ArrayList<>();
        for (JsonNode n : root) {
            if (!n.isTextual()) throw new InvalidRequest("key id is not a string");
            String s = n.textValue();
            if (!s.startsWith("0x") || s.length() != 66) throw new InvalidRequest("key id must be 0x + 64 hex");
            out.add(H256.fromBytes(Hex.decode(s.substring(2))));
        }
        if (new HashSet<>(out).size() != out.size()) throw new InvalidRequest("duplicate key id");
        return out;
    }

    private static final class InvalidRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidRequest(String message) {
            super(message, null, false, false);
        }
    }
}
