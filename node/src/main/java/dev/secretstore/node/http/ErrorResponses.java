package dev.secretstore.node.http;

import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import java.nio.charset.StandardCharsets;

/**
 * The one place where error kinds become HTTP statuses and bodies (http-api.md §7, §8).
 * The switch is exhaustive, so a new kind does not compile until it is mapped here.
 */
public final class ErrorResponses {
    private ErrorResponses() {}

    public static int status(Kind kind) {
        return switch (kind) {
            case ACCESS_DENIED, CONSENSUS_UNREACHABLE, CONSENSUS_TEMPORARY_UNREACHABLE, FRESH_AUTHORIZATION_REQUIRED -> 403;
            case SERVER_KEY_IS_NOT_FOUND, DOCUMENT_KEY_IS_NOT_FOUND -> 404;
            case INSUFFICIENT_REQUESTER_DATA, HYPER, SERDE, DOCUMENT_KEY_ALREADY_STORED, SERVER_KEY_ALREADY_GENERATED -> 400;
            case INVALID_NODE_ADDRESS, INVALID_NODE_ID, DUPLICATE_SESSION_ID, NO_ACTIVE_SESSION_WITH_ID,
                    NOT_ENOUGH_NODES_FOR_THRESHOLD, TOO_EARLY_FOR_REQUEST, INVALID_STATE_FOR_REQUEST,
                    INVALID_NODE_FOR_REQUEST, INVALID_MESSAGE, INVALID_MESSAGE_VERSION, REPLAY_PROTECTION,
                    NODE_DISCONNECTED, EXCLUSIVE_SESSION_ACTIVE, HAS_ACTIVE_SESSIONS, ETH_KEY, IO, DATABASE,
                    INTERNAL -> 500;
        };
    }

    /**
     * Parity's error body: the display text wrapped in quote characters, then encoded as a JSON string,
     * e.g. {@code "\"Access denied\""}. Escaping follows serde_json: {@code "} and {@code \} escaped,
     * control characters as {@code \b \t \n \f \r} or a six-character unicode escape with lower-case hex (lower-case hex), everything
     * else (including non-ASCII) written as UTF-8.
     */
    public static byte[] body(SecretStoreException e) {
        return body(e.displayText());
    }

    /** The same format for a text that is not a session error (the project's 429, say). */
    public static byte[] body(String displayText) {
        return jsonString("\"" + displayText + "\"").getBytes(StandardCharsets.UTF_8);
    }

    static String jsonString(String s) {
        StringBuilder out = new StringBuilder(s.length() + 8).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\f' -> out.append("\\f");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
