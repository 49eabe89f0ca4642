package dev.secretstore.protocol.session;

import dev.secretstore.protocol.SecretStoreException;
import java.util.Objects;
import java.util.Set;

/**
 * A node's answer to a session it will not take part in, sent at once so that the master re-plans or fails now instead
 * of waiting for its stall timeout. {@code reason} says why: {@code DATABASE}, it cannot write its audit line of a
 * client request (SEC-29, SEC-38), in answer to the initialization when its trail is not ready, or in place of its
 * first {@linkplain SessionMessage#isContribution() contribution} when the line's write failed;
 * {@code EXCLUSIVE_SESSION_ACTIVE}, a servers set change runs here; {@code TOO_EARLY_FOR_REQUEST}, it is at its session
 * limit (SEC-28). The refusing node holds no state of the session and sends nothing more. The master's
 * {@link ClusterSessions} hands it to the session as
 * {@link Session#onMemberRefused}: the session re-plans without the member or fails at once (commit rule 3 of
 * docs/architecture.md for a member that cannot prepare). One family, registered under every session type
 * ({@code gen.member-refused}, {@code store.member-refused}, {@code dec.member-refused}, {@code rep.member-refused}, …).
 */
public record SessionRefusal(SecretStoreException.Kind reason) implements SessionMessage {
    /** The session types a node may refuse to join this way: every type that has sessions. */
    public static final Set<SessionType> USED_BY = java.util.Collections.unmodifiableSet(
            java.util.EnumSet.complementOf(java.util.EnumSet.of(SessionType.KEY_VERSION_NEGOTIATION)));

    public SessionRefusal {
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public SessionType sessionType() {
        throw new UnsupportedOperationException("a member's refusal belongs to " + USED_BY);
    }

    @Override
    public boolean belongsTo(SessionType type) {
        return USED_BY.contains(type);
    }
}
