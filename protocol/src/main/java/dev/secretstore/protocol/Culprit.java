package dev.secretstore.protocol;

import java.util.Objects;

/**
 * A node a session holds responsible for its failure or for a restart (identifiable abort,
 * crypto.md §11.3), as data: who and why. Sessions attach culprits to the {@link SecretStoreException}
 * they end with and report them for metrics; nothing reads a culprit back from a message text.
 *
 * @param detail a human-readable explanation for the log (public values only, SEC-07)
 */
public record Culprit(NodeId node, Reason reason, String detail) {
    /** Why a node was excluded. */
    public enum Reason {
        /** Its contribution (share, proof, partial, commitment) failed verification. */
        INVALID_CONTRIBUTION,
        /** It showed different commitments to different members. */
        EQUIVOCATION,
        /** It complained about a deal (the accused dealer and the complainer are both excluded). */
        COMPLAINT,
        /** It refused to contribute to an attempt it had agreed to. */
        REFUSED,
        /**
         * It asked this member to serve a request that no valid credential of the requester authorizes: a credential
         * that does not recover, is refused by this member's policy, expired, replayed, or signed for another key,
         * operation or parameter (SEC-31, SEC-32). Named by the member that refused, never by the master.
         */
        UNAUTHORIZED_REQUEST,
        /** Its connection dropped while the session needed it. */
        DISCONNECTED,
        /** It did not answer before the stall timeout. */
        NO_ANSWER
    }

    public Culprit {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(reason, "reason");
        detail = detail == null ? "" : detail;
    }

    /** True for a node that was lost rather than misbehaving (a temporary condition, not a refusal). */
    public boolean lost() {
        return reason == Reason.DISCONNECTED || reason == Reason.NO_ANSWER;
    }

    @Override
    public String toString() {
        return "node " + node.shortId() + " " + reason + (detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
