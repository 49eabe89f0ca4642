package dev.secretstore.protocol.session;

import dev.secretstore.protocol.SecretStoreException;
import java.util.Objects;
import java.util.Set;

/**
 * A member's answer to a client-request session it cannot take part in (SEC-29, SEC-38): this node cannot write its
 * audit line ({@code DATABASE}), so it takes no part and says so at once, rather than leaving the master to wait for the
 * stall timeout. Sent in answer to the initialization when its trail is not ready, or in place of its first
 * {@linkplain SessionMessage#isContribution() contribution} when the line's write failed; nothing of the session
 * follows it. The master's {@link ClusterSessions} hands it to the session as
 * {@link Session#onMemberRefused}: the session re-plans without the member or fails at once (commit rule 3 of
 * docs/architecture.md for a member that cannot prepare). One family, registered under every session type that
 * serves a client request ({@code gen.member-refused}, {@code store.member-refused}, {@code dec.member-refused}, …).
 */
public record SessionRefusal(SecretStoreException.Kind reason) implements SessionMessage {
    /** The session types a member may refuse this way: those recorded on every member (SEC-29). */
    public static final Set<SessionType> USED_BY = Set.of(SessionType.KEY_GENERATION, SessionType.DOCUMENT_KEY_STORE,
            SessionType.DECRYPTION, SessionType.SCHNORR_SIGNING, SessionType.ECDSA_SIGNING);

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
