package dev.secretstore.protocol;

import java.util.List;
import java.util.Objects;

/**
 * The one error type of the key server. Its {@link Kind} is one of Parity's error variants
 * (http-api.md §8); the node's HTTP adapter maps kinds to statuses in one place. Internal causes the
 * project adds (a blamed node, an ACL failure) are expressed as one of these kinds, never a new text
 * (http-api.md §8 notes), except {@link Kind#FRESH_AUTHORIZATION_REQUIRED}, which only a node configured to refuse
 * static signatures answers (SEC-32, docs/auth.md). Details never contain secrets (SEC-07).
 */
public final class SecretStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Parity's variants with their exact display texts; {@code %s} marks the variants that carry a detail. */
    public enum Kind {
        ACCESS_DENIED("Access denied", false),
        CONSENSUS_UNREACHABLE("Consensus unreachable", false),
        CONSENSUS_TEMPORARY_UNREACHABLE("Consensus temporary unreachable", true),
        SERVER_KEY_IS_NOT_FOUND("Server key with this ID is not found", false),
        DOCUMENT_KEY_IS_NOT_FOUND("Document key with this ID is not found", false),
        INSUFFICIENT_REQUESTER_DATA("Insufficient requester data: %s", false),
        HYPER("Hyper error: %s", false),
        SERDE("Serialization error: %s", false),
        DOCUMENT_KEY_ALREADY_STORED("Document key with this ID is already stored", false),
        SERVER_KEY_ALREADY_GENERATED("Server key with this ID is already generated", false),
        INVALID_NODE_ADDRESS("invalid node address has been passed", false),
        INVALID_NODE_ID("invalid node id has been passed", false),
        DUPLICATE_SESSION_ID("session with the same id is already registered", true),
        NO_ACTIVE_SESSION_WITH_ID("no active session with given id", true),
        NOT_ENOUGH_NODES_FOR_THRESHOLD("not enough nodes for passed threshold", false),
        TOO_EARLY_FOR_REQUEST("session is not yet ready to process this request", true),
        INVALID_STATE_FOR_REQUEST("session is in invalid state for processing this request", true),
        INVALID_NODE_FOR_REQUEST("invalid node for this request", true),
        INVALID_MESSAGE("invalid message is received", true),
        INVALID_MESSAGE_VERSION("unsupported message is received", true),
        REPLAY_PROTECTION("replay message is received", true),
        NODE_DISCONNECTED("node required for this operation is currently disconnected", true),
        EXCLUSIVE_SESSION_ACTIVE("Exclusive session active", true),
        HAS_ACTIVE_SESSIONS("Unable to start exclusive session", true),
        ETH_KEY("cryptographic error %s", false),
        IO("IO error: %s", false),
        DATABASE("Database error: %s", false),
        INTERNAL("Internal error: %s", false),
        /** Extension (SEC-32): a static signature the node's legacy policy does not accept for this operation; 403. */
        FRESH_AUTHORIZATION_REQUIRED("Fresh authorization required: %s", false);

        private final String template;
        private final boolean retryable;

        Kind(String template, boolean retryable) {
            this.template = template;
            this.retryable = retryable;
        }

        /** Whether the variant carries a detail string. */
        public boolean hasDetail() {
            return template.contains("%s");
        }

        /** Parity's "non-fatal" classification: a client may retry. */
        public boolean retryable() {
            return retryable;
        }
    }

    private final Kind kind;
    private final String detail;
    private final transient List<Culprit> culprits;
    private final boolean audited;

    private SecretStoreException(Kind kind, String detail, Throwable cause, List<Culprit> culprits, boolean audited) {
        super(display(kind, detail), cause, false, cause != null);
        this.kind = kind;
        this.detail = detail;
        this.culprits = List.copyOf(culprits);
        this.audited = audited;
    }

    private SecretStoreException(Kind kind, String detail, Throwable cause) {
        this(kind, detail, cause, List.of(), false);
    }

    /**
     * The same error naming the nodes held responsible (identifiable abort). The kind and the display
     * text stay what they are: culprits are for logs, metrics and callers in the cluster, never for
     * the client-facing text (http-api.md §8 notes).
     */
    public SecretStoreException withCulprits(List<Culprit> blamed) {
        return new SecretStoreException(kind, detail, getCause(), blamed, audited);
    }

    /**
     * The same error, marked as the outcome of a request whose audit line on this node a session took care of
     * (SEC-29): written, or refused with this very error when it could not be. The edge that answers the client
     * writes a line of its own only for a failure without this mark.
     */
    public SecretStoreException audited() {
        return audited ? this : new SecretStoreException(kind, detail, getCause(), culprits, true);
    }

    /** Whether a session already handled this node's audit line of the failed request ({@link #audited()}). */
    public boolean isAudited() {
        return audited;
    }

    /** The nodes this failure is attributed to, in the order they were blamed; empty if none. */
    public List<Culprit> culprits() {
        return culprits;
    }

    /** An error of a variant without detail. */
    public static SecretStoreException of(Kind kind) {
        if (kind.hasDetail()) {
            throw new IllegalArgumentException(kind + " needs a detail");
        }
        return new SecretStoreException(kind, null, null);
    }

    /** An error of a variant with a detail (which must not contain secrets). */
    public static SecretStoreException of(Kind kind, String detail) {
        if (!kind.hasDetail()) {
            throw new IllegalArgumentException(kind + " carries no detail");
        }
        return new SecretStoreException(kind, Objects.requireNonNull(detail), null);
    }

    public static SecretStoreException of(Kind kind, String detail, Throwable cause) {
        if (!kind.hasDetail()) {
            throw new IllegalArgumentException(kind + " carries no detail");
        }
        return new SecretStoreException(kind, Objects.requireNonNull(detail), cause);
    }

    public Kind kind() {
        return kind;
    }

    /** The detail of a variant that carries one ({@link Kind#hasDetail()}); empty otherwise. */
    public java.util.Optional<String> detail() {
        return java.util.Optional.ofNullable(detail);
    }

    /** Parity's display text of this error (http-api.md §8). */
    public String displayText() {
        return display(kind, detail);
    }

    private static String display(Kind kind, String detail) {
        return kind.hasDetail() ? kind.template.replace("%s", detail) : kind.template;
    }
}
