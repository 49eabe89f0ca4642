package dev.secretstore.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The strand that decodes a node's messages to itself on the worker pool: in order, one at a time. */
class SerialExecutorTest {

    @Test
    void runsTasksInOrderOneAtATimeOnAPoolOfManyThreads() throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            SerialExecutor strand = new SerialExecutor(pool);
            List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger running = new AtomicInteger();
            AtomicInteger overlaps = new AtomicInteger();
            int tasks = 20_000;
            CountDownLatch done = new CountDownLatch(tasks);
            // two submitting threads, each in its own order; the strand keeps the order it was given
            Thread other = new Thread(() -> {
                for (int i = 0; i < tasks / 2; i++) {
                    int n = -1 - i;
                    strand.execute(() -> step(n, seen, running, overlaps, done));
                }
            });
            other.start();
            for (int i = 0; i < tasks / 2; i++) {
                int n = i;
                strand.execute(() -> step(n, seen, running, overlaps, done));
                if (i % 1000 == 0) pool.execute(() -> { }); // other work on the same pool in between
            }
            other.join();
            assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(overlaps.get()).as("never two tasks at once").isZero();
            List<Integer> mine = seen.stream().filter(n -> n >= 0).toList();
            List<Integer> theirs = seen.stream().filter(n -> n < 0).toList();
            assertThat(mine).isSorted().hasSize(tasks / 2);
            assertThat(theirs).isSortedAccordingTo(Collections.reverseOrder()).hasSize(tasks / 2);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFailingTaskDoesNotStopTheNext() throws InterruptedException {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            SerialExecutor strand = new SerialExecutor(pool);
            CountDownLatch next = new CountDownLatch(1);
            strand.execute(() -> {
                throw new IllegalStateException("task fails (expected in this test)");
            });
            strand.execute(next::countDown);
            assertThat(next.await(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aShutDownPoolRefusesTheTask() {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        pool.shutdown();
        SerialExecutor strand = new SerialExecutor(pool);
        assertThatThrownBy(() -> strand.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
    }

    private static void step(int n, List<Integer> seen, AtomicInteger running, AtomicInteger overlaps, CountDownLatch done) {
        if (running.incrementAndGet() != 1) overlaps.incrementAndGet();
        seen.add(n);
        running.decrementAndGet();
        done.countDown();
    }
}
