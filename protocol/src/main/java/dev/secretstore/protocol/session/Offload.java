package dev.secretstore.protocol.session;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * How a session runs a pure computation (curve multiplications, proofs, ECIES, verification of a contribution)
 * away from the cluster loop and continues with its outcome on the loop ({@link ClusterSessions#offload}).
 *
 * <p>Contract for the session: {@code work} is pure. It reads only values it captured (immutable values, or copies
 * the computation owns and wipes itself) and touches no session state; it may run on any thread, at the same time as
 * other computations and as the session's own steps. {@code then} and {@code failed} are steps of the session: they
 * run on the loop, one at a time with the session's other steps, and only while the session is active, so they must
 * check that what they continue (an attempt, say) is still current. Exactly one of them runs, unless the session
 * ended first; neither runs re-entrantly inside a message handler, except with {@link #INLINE}.
 */
public interface Offload {
    /** Runs {@code work}, then {@code then} with its value or {@code failed} with the exception it threw. */
    <T> void run(Supplier<T> work, Consumer<T> then, Consumer<RuntimeException> failed);

    /** No workers: the computation and its continuation run at once, in the caller's own step. */
    Offload INLINE = new Offload() {
        @Override
        public <T> void run(Supplier<T> work, Consumer<T> then, Consumer<RuntimeException> failed) {
            T value;
            try {
                value = work.get();
            } catch (RuntimeException e) {
                failed.accept(e);
                return;
            }
            then.accept(value);
        }
    };
}
