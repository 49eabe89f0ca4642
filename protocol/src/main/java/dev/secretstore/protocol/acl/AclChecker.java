package dev.secretstore.protocol.acl;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import java.util.concurrent.CompletionStage;

/**
 * Decides whether a requester may use a key (acl-and-config.md §1–§2). Fails closed: an implementation
 * completes with {@code false} or exceptionally on any doubt, and callers treat an exceptional
 * completion as a denial (SEC-21).
 */
public interface AclChecker {
    CompletionStage<Decision> check(Address requester, H256 keyId);

    /** The answer and the chain view it was evaluated at (logged per request, SEC-29). */
    record Decision(boolean allowed, String evaluatedAt) {
        public static Decision allow(String evaluatedAt) {
            return new Decision(true, evaluatedAt);
        }

        public static Decision deny(String evaluatedAt) {
            return new Decision(false, evaluatedAt);
        }
    }
}
