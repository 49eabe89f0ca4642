package dev.secretstore.protocol.session;

/**
 * The body of a cluster message. Each session type defines a sealed family of records implementing
 * this; {@link #sessionType()} must match the envelope's type.
 */
public interface SessionMessage {
    SessionType sessionType();

    /** True for the message that creates a session on a non-master node. */
    default boolean isInitialization() {
        return false;
    }
}
