package dev.secretstore.protocol.session;

/**
 * The body of a cluster message. Each session type defines a sealed family of records implementing
 * this; {@link #sessionType()} must match the envelope's type. A sub-protocol that several session
 * types compose (the ACL consensus, Feldman dealing) has one family of its own, registered on the wire
 * under each session type that uses it; such a family answers {@link #belongsTo} for every one of them.
 */
public interface SessionMessage {
    /** The one session type of a family owned by a session type; a shared sub-protocol family has none and throws. */
    SessionType sessionType();

    /** Whether an envelope of {@code type} may carry this body. */
    default boolean belongsTo(SessionType type) {
        return sessionType() == type;
    }

    /** True for the message that creates a session on a non-master node. */
    default boolean isInitialization() {
        return false;
    }
}
