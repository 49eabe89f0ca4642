package dev.secretstore.cli;

import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.NodeSetHash;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.crypto.threshold.NodeIds;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
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
 * key server, with the administrator's fresh authorization (docs/auth.md §7) unless {@code --legacy-signature} or the
 * server has no {@code GET /cluster}. The administrator key never leaves this process.
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

    @picocli.CommandLine.Mixin
    AuthorizationOptions authorization;

    @picocli.CommandLine.Mixin
    CaFileOption ca;

    @Override
    public Integer call() throws IOException, InterruptedException {
        List<String> devIds = dev == null ? List.of() : AdminRequest.devNodes(dev, "id");
        SortedSet<PublicPoint> next = nodes(newSet, devIds);
        if (oldSet == null && dev == null) throw new ParameterException(spec.commandLine(), "--old-set is required without --dev");
        SortedSet<PublicPoint> old = oldSet == null ? nodes(devIds, devIds) : nodes(oldSet, devIds);
        Path keyFile = AdminRequest.keyFile(spec, adminKey, dev);
        List<String> signatures = AdminRequest.sign(keyFile, List.of(NodeSetHash.of(old), NodeSetHash.of(next)));
        String body = next.stream().map(p -> "\"0x" + p.toHex() + "\"").collect(Collectors.joining(",", "[", "]"));
        String target = AdminRequest.target(url, dev);
        HttpClient http = ca.httpClient(spec, dev);
        String header = AdminRequest.authorization(spec, authorization, http, target, keyFile, Operation.CHANGE_SERVERS_SET,
                Operation.serversSetParams(old, next));
        return AdminRequest.post(spec, http, target + "/admin/servers_set_change/" + signatures.get(0) + "/"
                + signatures.get(1), body, header, printOnly, "servers set changed: every key is now shared among " + next.size() + " node(s)",
                "servers set change");
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
}
