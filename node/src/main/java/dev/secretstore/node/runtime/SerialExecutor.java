package dev.secretstore.node.runtime;

import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs its tasks one at a time, in the order they were given, on whichever thread of {@code pool} is free: a
 * strand over a shared pool. Never runs two of its tasks at once; a task that throws is logged and the next one runs.
 * At most {@value #BATCH} tasks run per turn, so one busy strand does not hold a pool thread forever.
 */
final class SerialExecutor implements Executor {
    private static final Logger LOG = Logger.getLogger(SerialExecutor.class.getName());
    static final int BATCH = 64;

    private final Executor pool;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    SerialExecutor(Executor pool) {
        this.pool = Objects.requireNonNull(pool, "pool");
    }

    /** @throws RejectedExecutionException when the pool refuses the strand's turn (shutting down); the task is dropped */
    @Override
    public void execute(Runnable task) {
        tasks.add(Objects.requireNonNull(task, "task"));
        schedule();
    }

    private void schedule() {
        if (!scheduled.compareAndSet(false, true)) return;
        try {
            pool.execute(this::drain);
        } catch (RejectedExecutionException e) {
            tasks.clear();
            scheduled.set(false);
            throw e;
        }
    }

    private void drain() {
        try {
            for (int i = 0; i < BATCH; i++) {
                Runnable task = tasks.poll();
                if (task == null) break;
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "task failed", e);
                }
            }
        } finally {
            scheduled.set(false);
            if (!tasks.isEmpty()) {
                try {
                    schedule();
                } catch (RejectedExecutionException e) {
                    LOG.fine("pool shut down; queued tasks dropped");
                }
            }
        }
    }
}
