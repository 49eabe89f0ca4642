package dev.secretstore.client;

import dev.secretstore.crypto.PublicPoint;
import java.util.List;

/**
 * A Secret Store request failed. {@link #status()} is the HTTP status (or -1 when no key server
 * answered) and {@link #parityMessage()} the key server's error text (http-api.md §8), e.g.
 * {@code Consensus unreachable}; both are null/-1 for failures detected locally. Subclasses name the
 * common cases; this class itself covers the other server errors (500s).
 */
public class SecretStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String parityMessage;

    public SecretStoreException(String message, int status, String parityMessage, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.parityMessage = parityMessage;
    }

    /** HTTP status of the key server's answer, or -1 if there was none. */
    public int status() {
        return status;
    }

    /** The key server's error text (without the quotes of the wire format), or null. */
    public String parityMessage() {
        return parityMessage;
    }

    /** 403 {@code Access denied}: the requester is not the key's author (store, server key retrieval). */
    public static final class AccessDenied extends SecretStoreException {
        private static final long serialVersionUID = 1L;

        public AccessDenied(String message, int status, String parityMessage) {
            super(message, status, parityMessage, null);
        }
    }

    /** 403 {@code Consensus unreachable} (or temporarily): the ACL refused, or too few key servers are up. */
    public static final class ConsensusUnreachable extends SecretStoreException {
        private static final long serialVersionUID = 1L;

        public ConsensusUnreachable(String message, int status, String parityMessage) {
            super(message, status, parityMessage, null);
        }
    }

    /**
     * 403 {@code Fresh authorization required: …}: the key server's {@code legacy_requester_signatures} policy refuses
     * Parity's static signature for this operation (docs/auth.md §5); use {@link SecretStoreClient.AuthorizationMode#AUTO}
     * or {@code FRESH_ONLY} against it.
     */
    public static final class FreshAuthorizationRequired extends SecretStoreException {
        private static final long serialVersionUID = 1L;

        public FreshAuthorizationRequired(String message, int status, String parityMessage) {
            super(message, status, parityMessage, null);
        }
    }

    /**
     * The key server does not offer fresh authorizations ({@code GET /cluster} answered 400 or 404) and the client is
     * in {@link SecretStoreClient.AuthorizationMode#FRESH_ONLY}: nothing was sent with a static signature.
     */
    public static final class FreshAuthorizationUnavailable extends SecretStoreException {
        private static final long serialVersionUID = 1L;

        public FreshAuthorizationUnavailable(String message, int status) {
            super(message, status, null, null);
        }
    }

    /** 404: no server key, or no document key, with this id. */
    public static final class NotFound extends SecretStoreException {
        private static final long serialVersionUID = 1L;

        public NotFound(String message, int status, String parityMessage) {
            super(message, status, parityMessage, null);
        }
    }

    /** 400: a server key (or document key) with this id already exists. */
    public static final class AlreadyExists extends SecretStoreException {
        private static final long serialVersionUID = 1L;

        public AlreadyExists(String message, int status, String parityMessage) {
            super(message, status, parityMessage, null);
        }
    }

    /** Bad input: rejected locally, or 400 by the key server (bad signature, malformed request). */
    public static final class InvalidInput extends SecretStoreException {
        private static final long serialVersionUID = 1L;

        public InvalidInput(String message, int status, String parityMessage, Throwable cause) {
            super(message, status, parityMessage, cause);
        }
    }

    /** No configured key server could be reached (every URL failed at the transport level). */
    public static final class TransportFailure extends SecretStoreException {
        private static final long serialVersionUID = 1L;

        public TransportFailure(String message, Throwable cause) {
            super(message, -1, null, cause);
        }
    }

    /**
     * SEC-33: the decrypt shadows of one or more key servers do not match what they proved to the master
     * ({@code d_i·G ≠ W_i}), or do not decrypt: the document key they give would be wrong. {@link #culprits()} are those
     * key servers' node ids. {@link SecretStoreClient#retrieveDocumentKeyFromShadows} throws it only when retrying
     * without them did not help (the key servers excluding them were too few, or the retries ran out); the cause is
     * then the last error, if there was one.
     */
    public static final class WrongDecryptShadow extends SecretStoreException {
        private static final long serialVersionUID = 1L;

        private final transient List<PublicPoint> culprits;

        public WrongDecryptShadow(String message, List<PublicPoint> culprits, Throwable cause) {
            super(message, 200, null, cause);
            this.culprits = List.copyOf(culprits);
        }

        /** The node ids of the key servers whose shadows were wrong, in the order they were caught. */
        public List<PublicPoint> culprits() {
            return culprits;
        }
    }

    /**
     * A key server answered 200 but its signature (endpoints 7, 8) does not decrypt with this
     * requester's key, is malformed, or does not verify under the server key: it is never returned.
     */
    public static final class InvalidServerSignature extends SecretStoreException {
        private static final long serialVersionUID = 1L;

        public InvalidServerSignature(String message, Throwable cause) {
            super(message, 200, null, cause);
        }
    }
}
