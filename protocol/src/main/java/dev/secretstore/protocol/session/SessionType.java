package dev.secretstore.protocol.session;

/** The kinds of cluster session; part of every message envelope. */
public enum SessionType {
    KEY_GENERATION,
    DOCUMENT_KEY_STORE,
    KEY_VERSION_NEGOTIATION,
    DECRYPTION,
    SCHNORR_SIGNING,
    ECDSA_SIGNING,
    SERVERS_SET_CHANGE,
    PENDING_RESOLUTION,
    /** A member that missed a key gets its share from t+1 holders (SEC-40). */
    SHARE_REPAIR,
    /** Every holder's share of a key is re-randomised (SEC-40). */
    KEY_REFRESH,
    /** A member that does not hold a key has a holder serve the request (SEC-40). */
    DELEGATION
}
