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

    /**
     * True for the message with which a member of a client request first commits its part (SEC-29): its approving
     * consensus vote, its acceptance of a generation, its prepared store. Every share, shadow or signature share it
     * sends comes after that message. The member's audit line is written before the first such message leaves, and
     * when it cannot be written the member sends a {@link SessionRefusal} instead ({@link ClusterSessions}).
     */
    default boolean isContribution() {
        return false;
    }
}
