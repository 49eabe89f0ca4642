package dev.secretstore.protocol.acl;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Decides whether a requester may use a key (acl-and-config.md §1–§2). Fails closed: an implementation
 * completes with {@code false} or exceptionally on any doubt, and callers treat an exceptional
 * completion as a denial (SEC-21).
 *
 * <p>Chain-backed checkers pin the chain state: the master of a consensus picks a block with
 * {@link #chainHead()}, sends it in its consensus request, and every member (master included) calls
 * {@link #check(Address, H256, OptionalLong)} at that same block, so all members judge one chain state.
 * Checkers without a chain ignore the block.
 */
public interface AclChecker {
    /** Checks at the checker's own view (for a chain: the latest block). */
    CompletionStage<Decision> check(Address requester, H256 keyId);

    /**
     * Checks at {@code block} when present (a block number chosen by the consensus master), otherwise as
     * {@link #check(Address, H256)}. The default ignores the block: only chain-backed checkers override it.
     */
    default CompletionStage<Decision> check(Address requester, H256 keyId, OptionalLong block) {
        return check(requester, keyId);
    }

    /**
     * The block number a consensus master pins for its members; empty for checkers without a chain.
     * Exceptional when the chain cannot be asked (callers then deny).
     */
    default CompletionStage<OptionalLong> chainHead() {
        return CompletableFuture.completedFuture(OptionalLong.empty());
    }

    /** The answer and the chain view it was evaluated at (logged per request, SEC-29). */
    record Decision(boolean allowed, String evaluatedAt, java.util.Optional<String> error) {
        public Decision(boolean allowed, String evaluatedAt) {
            this(allowed, evaluatedAt, java.util.Optional.empty());
        }

        public static Decision allow(String evaluatedAt) {
            return new Decision(true, evaluatedAt);
        }

        public static Decision deny(String evaluatedAt) {
            return new Decision(false, evaluatedAt);
        }

        /**
         * The check could not be made (chain unreachable, syncing, malformed answer): a denial, and on the
         * master a 500 {@code Internal error: <detail>} (acl-and-config.md §2.4). No secret in {@code detail}.
         */
        public static Decision error(String evaluatedAt, String detail) {
            return new Decision(false, evaluatedAt, java.util.Optional.of(detail));
        }
    }
}
