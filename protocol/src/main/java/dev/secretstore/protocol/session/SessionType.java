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
    PENDING_RESOLUTION
}
