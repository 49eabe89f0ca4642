package dev.secretstore.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The terminal commands of {@code secretstore dev} that stop and restart a node (README "Try it"). */
class DevControlTest {
    private final boolean[] running = {true, true, true};
    private final List<String> calls = new ArrayList<>();
    private final DevControl.Nodes nodes = new DevControl.Nodes() {
        @Override
        public int size() {
            return running.length;
        }

        @Override
        public boolean isRunning(int node) {
            return running[node];
        }

        @Override
        public void stop(int node) {
            calls.add("stop " + node);
            running[node] = false;
        }

        @Override
        public void start(int node) {
            calls.add("start " + node);
            running[node] = true;
        }
    };
    private final DevControl control = new DevControl(nodes, System.out);

    @Test
    void stopsAndStartsANodeOnce() {
        assertThat(control.execute("stop 2")).startsWith("dev: node 2 stopped");
        assertThat(control.execute("stop 2")).isEqualTo("dev: node 2 is already stopped");
        assertThat(control.execute("status")).isEqualTo("  node 0  running\n  node 1  running\n  node 2  stopped");
        assertThat(control.execute("  start 2 ")).isEqualTo("dev: node 2 is running and connected again");
        assertThat(control.execute("start 2")).isEqualTo("dev: node 2 is already running");
        assertThat(calls).containsExactly("stop 2", "start 2");
    }

    @Test
    void refusesWhatItDoesNotKnow() {
        assertThat(control.execute("stop 3")).isEqualTo("dev: no node 3 (nodes 0 to 2)");
        assertThat(control.execute("stop -1")).isEqualTo("dev: no node -1 (nodes 0 to 2)");
        assertThat(control.execute("stop two")).contains("commands are");
        assertThat(control.execute("kill 1")).contains("commands are");
        assertThat(control.execute("")).isEmpty();
        assertThat(calls).isEmpty();
    }

    @Test
    void readsCommandsUntilTheEndOfInput() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        new DevControl(nodes, new PrintStream(printed, true, StandardCharsets.UTF_8))
                .run(new ByteArrayInputStream("stop 1\n\nstart 1\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(calls).containsExactly("stop 1", "start 1");
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("node 1 stopped").contains("node 1 is running");
    }
}
