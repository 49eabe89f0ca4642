package dev.secretstore.keystore;

/**
 * An account could not be unlocked or a keystore file could not be read. The message names only the
 * problem (unknown account, wrong password, unsupported format), never a password or key (SEC-07).
 */
public final class KeystoreException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Reason { UNKNOWN_ACCOUNT, WRONG_PASSWORD, INVALID_FILE }

    private final Reason reason;

    public KeystoreException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
