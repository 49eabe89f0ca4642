package dev.secretstore.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.protocol.session.refresh.RefreshAuthorization;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * {@code secretstore refresh-shares}: signs a share-refresh request with the administrator key
 * ({@link RefreshAuthorization#message}, a raw signature, crypto.md §4) and sends it to one key server's
 * {@code POST /admin/refresh_shares/{signature}} (docs/availability/refresh.md). The administrator key never
 * leaves this process.
 */
@Command(name = "refresh-shares", mixinStandardHelpOptions = true,
        description = {"Re-randomise the key shares (same server keys, new shares, old shares erased), signed with the administrator key.",
            "Without --key, every key the chosen server holds is refreshed.",
            "With --dev DIR, the URL and admin.key come from a './secretstore dev' directory."})
final class RefreshSharesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--key", split = ",", paramLabel = "KEY_ID", description = "server key ids to refresh (64 hex digits, 0x optional); default: every key")
    List<String> keys;

    @Option(names = "--admin-key", paramLabel = "FILE", description = "the administrator's secret key (64 hex digits; default with --dev: DIR/admin.key)")
    Path adminKey;

    @Option(names = "--dev", paramLabel = "DIR", description = "a development cluster directory (with dev.json)")
    Path dev;

    @Option(names = "--url", paramLabel = "URL", description = "the key server to send it to (default: node 0 of --dev, else http://127.0.0.1:8082)")
    String url;

    @Option(names = "--print", description = "print the request instead of sending it")
    boolean printOnly;

    @Override
    public Integer call() throws IOException, InterruptedException {
        SortedSet<H256> ids = new TreeSet<>();
        for (String k : keys == null ? List.<String>of() : keys) {
            try {
                if (!ids.add(H256.fromHex(ClientCommands.strip(k.trim())))) {
                    throw new ParameterException(spec.commandLine(), "key id given twice: " + k);
                }
            } catch (CryptoException | IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "not a key id (64 hex digits): " + k);
            }
        }
        Path keyFile = adminKey != null ? adminKey : dev != null ? dev.resolve("admin.key") : null;
        if (keyFile == null) throw new ParameterException(spec.commandLine(), "--admin-key is required without --dev");
        String target = url != null ? url : dev != null ? devUrl(dev) : "http://127.0.0.1:8082";

        String signature;
        SecretScalar admin = ClientCommands.readKeyFile(keyFile);
        try {
            signature = Hex.encode(Ecdsa.sign(admin, RefreshAuthorization.message(ids)).toBytes());
        } finally {
            admin.destroy();
        }
        String path = target.replaceAll("/+$", "") + "/admin/refresh_shares/" + signature;
        String body = ids.stream().map(id -> "\"0x" + id.toHex() + "\"").collect(Collectors.joining(",", "[", "]"));
        if (printOnly) {
            spec.commandLine().getOut().println("curl -X POST " + path + " -d '" + body + "'");
            return 0;
        }
        HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build().send(
                HttpRequest.newBuilder(URI.create(path)).timeout(Duration.ofMinutes(30))
                        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() == 200) {
            spec.commandLine().getOut().println("shares refreshed: " + (ids.isEmpty() ? "every key the server holds" : ids.size() + " key(s)"));
            return 0;
        }
        spec.commandLine().getErr().println("share refresh failed: HTTP " + response.statusCode() + " " + response.body());
        return 1;
    }

    /** The HTTP URL of node 0 in DIR/dev.json. */
    private static String devUrl(Path dir) throws IOException {
        JsonNode root = new ObjectMapper().readTree(Files.readString(dir.resolve("dev.json")));
        for (JsonNode n : root.path("nodes")) return n.path("http").asText();
        throw new IOException(dir.resolve("dev.json") + " lists no nodes");
    }
}
