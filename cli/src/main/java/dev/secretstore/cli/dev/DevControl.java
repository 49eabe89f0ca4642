package dev.secretstore.cli.dev;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Commands typed into the terminal that runs {@code secretstore dev}: {@code stop N} stops node N (its store
 * stays on disk), {@code start N} starts it again, {@code status} lists the nodes. It lets a newcomer see a
 * member go away and come back (docs/availability.md). End of input ends the loop; the cluster keeps running.
 */
public final class DevControl {
    /** What the commands act on. */
    public interface Nodes {
        int size();

        boolean isRunning(int node);

        void stop(int node);

        void start(int node) throws Exception;
    }

    private final Nodes nodes;
    private final PrintStream out;

    public DevControl(Nodes nodes, PrintStream out) {
        this.nodes = nodes;
        this.out = out;
    }

    /** Reads commands until end of input. */
    public void run(InputStream in) {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        try {
            String line;
            while ((line = reader.readLine()) != null) {
                String answer = execute(line);
                if (!answer.isEmpty()) out.println(answer);
            }
        } catch (IOException e) {
            out.println("dev: stopped reading commands: " + e.getMessage());
        }
    }

    /** One command; returns what to print (empty for an empty line). */
    public String execute(String command) {
        String line = command.trim();
        if (line.isEmpty()) return "";
        String[] words = line.split("\\s+");
        if (words[0].equals("status") && words.length == 1) return status();
        if ((words[0].equals("stop") || words[0].equals("start")) && words.length == 2) {
            int node;
            try {
                node = Integer.parseInt(words[1]);
            } catch (NumberFormatException e) {
                return usage();
            }
            if (node < 0 || node >= nodes.size()) return "dev: no node " + node + " (nodes 0 to " + (nodes.size() - 1) + ")";
            return words[0].equals("stop") ? stop(node) : start(node);
        }
        return usage();
    }

    private String stop(int node) {
        if (!nodes.isRunning(node)) return "dev: node " + node + " is already stopped";
        nodes.stop(node);
        return "dev: node " + node + " stopped (its keys stay on disk; `start " + node + "` brings it back)";
    }

    private String start(int node) {
        if (nodes.isRunning(node)) return "dev: node " + node + " is already running";
        try {
            nodes.start(node);
            return "dev: node " + node + " is running and connected again";
        } catch (Exception e) {
            return "dev: node " + node + " did not start: " + e.getMessage();
        }
    }

    private String status() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < nodes.size(); i++) {
            sb.append(i == 0 ? "" : "\n").append("  node ").append(i).append(nodes.isRunning(i) ? "  running" : "  stopped");
        }
        return sb.toString();
    }

    private static String usage() {
        return "dev: commands are `stop N`, `start N` and `status`";
    }
}
