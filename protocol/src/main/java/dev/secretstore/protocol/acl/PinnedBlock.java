package dev.secretstore.protocol.acl;

import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The chain block a consensus is checked at (acl-and-config.md §2.3, issue #4): the master picks it from
 * its checker's {@link AclChecker#chainHead()}, sends it in its consensus request, and every member
 * checks at that block, so all members judge one chain state. Checkers without a chain have no head;
 * then the block is absent and every member checks as it would anyway.
 */
public final class PinnedBlock {
    /** The wire value for "no block" (a checker without a chain). */
    public static final long NONE = -1;

    private PinnedBlock() {}

    public static long toWire(OptionalLong block) {
        return block.isPresent() ? block.getAsLong() : NONE;
    }

    public static OptionalLong fromWire(long block) {
        return block < 0 ? OptionalLong.empty() : OptionalLong.of(block);
    }

    /**
     * Asks the checker for the head and continues with it: synchronously when it is already known (every
     * checker without a chain), otherwise on {@code reentry} once it arrives. A head that cannot be read
     * goes to {@code failed}, which must deny (SEC-21).
     */
    public static void pin(AclChecker acl, Executor reentry, Consumer<OptionalLong> then, Consumer<Throwable> failed) {
        CompletableFuture<OptionalLong> head;
        try {
            head = acl.chainHead().toCompletableFuture();
        } catch (RuntimeException e) {
            head = CompletableFuture.failedFuture(e);
        }
        if (head.isDone() && !head.isCompletedExceptionally() && head.join() != null) {
            then.accept(head.join());
            return;
        }
        head.whenCompleteAsync((block, error) -> {
            if (error != null || block == null) {
                failed.accept(error != null ? error : new IllegalStateException("no chain head"));
            } else {
                then.accept(block);
            }
        }, reentry);
    }
}
