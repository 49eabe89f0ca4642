package dev.secretstore.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.NodeSetHash;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.NodeIds;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code secretstore servers-set-change}: signs the old and new node sets with the administrator key
 * (raw signatures over the ordered nodes hashes, crypto.md §4 and §8) and calls HTTP endpoint 9 of one
 * key server. The administrator key never leaves this process.
 */
@Command(name = "servers-set-change", mixinStandardHelpOptions = true,
        description = {"Move every key to a new set of key servers (HTTP endpoint 9), signed with the administrator key.",
            "The old set must be exactly the nodes the chosen server is connected to, plus itself; every node checks that.",
            "With --dev DIR, node ids, the URL and admin.key come from a './secretstore dev' directory and sets may be given as node indices."})
final class ServersSetChangeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--new-set", required = true, split = ",", paramLabel = "NODE",
            description = "the new set: node ids (128 hex digits, 0x optional), or with --dev node indices (0, 1, …)")
    List<String> newSet;

    @Option(names = "--old-set", split = ",", paramLabel = "NODE",
            description = "the current set: node ids, or with --dev indices (default with --dev: every node of dev.json)")
    List<String> oldSet;

    @Option(names = "--admin-key", paramLabel = "FILE", description = "the administrator's secret key (64 hex digits; default with --dev: DIR/admin.key)")
    Path adminKey;

    @Option(names = "--dev", paramLabel = "DIR", description = "a development cluster directory (with dev.json)")
    Path dev;

    @Option(names = "--url", paramLabel = "URL", description = "the key server to send it to (default: node 0 of --dev, else http://127.0.0.1:8082)")
    String url;

    @Option(names = "--print", description = "print the two signatures and the request instead of sending it")
    boolean printOnly;

    @Override
    public Integer call() throws IOException, InterruptedException {
        List<String> devIds = dev == null ? List.of() : devNodes(dev, "id");
        SortedSet<PublicPoint> next = nodes(newSet, devIds);
        if (oldSet == null && dev == null) throw new ParameterException(spec.commandLine(), "--old-set is required without --dev");
        SortedSet<PublicPoint> old = oldSet == null ? nodes(devIds, devIds) : nodes(oldSet, devIds);
        Path keyFile = adminKey != null ? adminKey : dev != null ? dev.resolve("admin.key") : null;
        if (keyFile == null) throw new ParameterException(spec.commandLine(), "--admin-key is required without --dev");
        String target = url != null ? url : dev != null ? devNodes(dev, "http").get(0) : "http://127.0.0.1:8082";

        String oldSig;
        String newSig;
        SecretScalar admin = ClientCommands.readKeyFile(keyFile);
        try {
            oldSig = Hex.encode(Ecdsa.sign(admin, NodeSetHash.of(old)).toBytes());
            newSig = Hex.encode(Ecdsa.sign(admin, NodeSetHash.of(next)).toBytes());
        } finally {
            admin.destroy();
        }
        String path = target.replaceAll("/+$", "") + "/admin/servers_set_change/" + oldSig + "/" + newSig;
        String body = next.stream().map(p -> "\"0x" + p.toHex() + "\"").collect(Collectors.joining(",", "[", "]"));
        if (printOnly) {
            spec.commandLine().getOut().println("curl -X POST " + path + " -d '" + body + "'");
            return 0;
        }
        HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build().send(
                HttpRequest.newBuilder(URI.create(path)).timeout(Duration.ofMinutes(30))
                        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() == 200) {
            spec.commandLine().getOut().println("servers set changed: every key is now shared among " + next.size() + " node(s)");
            return 0;
        }
        spec.commandLine().getErr().println("servers set change failed: HTTP " + response.statusCode() + " " + response.body());
        return 1;
    }

    /** Ids or, with dev ids, indices into them. */
    private SortedSet<PublicPoint> nodes(Collection<String> given, List<String> devIds) {
        SortedSet<PublicPoint> out = new TreeSet<>(NodeIds.ORDER);
        for (String g : given) {
            String s = g.trim();
            try {
                if (!devIds.isEmpty() && s.matches("\\d{1,3}")) {
                    int i = Integer.parseInt(s);
                    if (i >= devIds.size()) throw new ParameterException(spec.commandLine(), "no node " + i + " in " + dev);
                    s = devIds.get(i);
                }
                out.add(PublicPoint.fromHex(ClientCommands.strip(s)));
            } catch (CryptoException e) {
                throw new ParameterException(spec.commandLine(), "not a node id (128 hex digits): " + g);
            }
        }
        return out;
    }

    /** A field of every node in DIR/dev.json, in node order. */
    private static List<String> devNodes(Path dir, String field) throws IOException {
        JsonNode root = new ObjectMapper().readTree(Files.readString(dir.resolve("dev.json")));
        List<String> out = new ArrayList<>();
        for (JsonNode n : root.path("nodes")) out.add(n.path(field).asText());
        if (out.isEmpty()) throw new IOException(dir.resolve("dev.json") + " lists no nodes");
        return out;
    }
}
