package dev.secretstore.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.client.ClusterInfo;
import dev.secretstore.client.SecretStoreClient;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.auth.Authorization;
import dev.secretstore.crypto.auth.Operation;
import java.security.SecureRandom;
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
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * What the administrator's commands ({@code servers-set-change}, {@code refresh-shares}) share: where the
 * administrator key and the key server come from (explicit options, or a {@code ./secretstore dev}
 * directory), signing with the key (wiped right after; it never leaves this process), the administrator's fresh
 * authorization (docs/auth.md §7), and the POST.
 */
final class AdminRequest {
    static final String DEFAULT_URL = "http://127.0.0.1:8082";

    private AdminRequest() {}

    /** {@code --admin-key}, or {@code DIR/admin.key} with {@code --dev DIR}. */
    static Path keyFile(CommandSpec spec, Path adminKey, Path dev) {
        if (adminKey != null) return adminKey;
        if (dev != null) return dev.resolve("admin.key");
        throw new ParameterException(spec.commandLine(), "--admin-key is required without --dev");
    }

    /** {@code --url}, or node 0 of {@code --dev DIR}, or {@value #DEFAULT_URL}; without trailing slashes. */
    static String target(String url, Path dev) throws IOException {
        String target = url != null ? url : dev != null ? devNodes(dev, "http").get(0) : DEFAULT_URL;
        return target.replaceAll("/+$", "");
    }

    /** A field of every node in {@code DIR/dev.json}, in node order. */
    static List<String> devNodes(Path dir, String field) throws IOException {
        JsonNode root = new ObjectMapper().readTree(Files.readString(dir.resolve("dev.json")));
        List<String> out = new ArrayList<>();
        for (JsonNode n : root.path("nodes")) out.add(n.path(field).asText());
        if (out.isEmpty()) throw new IOException(dir.resolve("dev.json") + " lists no nodes");
        return out;
    }

    /** Raw signatures (hex, crypto.md §4) of {@code messages} in order, with the key in {@code keyFile}. */
    static List<String> sign(Path keyFile, List<H256> messages) throws IOException {
        SecretScalar admin = ClientCommands.readKeyFile(keyFile);
        try {
            return messages.stream().map(m -> Hex.encode(Ecdsa.sign(admin, m).toBytes())).toList();
        } finally {
            admin.destroy();
        }
    }

    /** Lifetime of the administrator's fresh authorization (capped by the node's {@code max_lifetime}). */
    static final long LIFETIME_SECONDS = 60;

    /**
     * The {@code Secretstore-Authorization} header value for {@code operation} with {@code params} (key id zero,
     * docs/auth.md §7), signed with the key in {@code keyFile}; null with {@code --legacy-signature}, or when the key
     * server at {@code target} has no {@code GET /cluster} (then Parity's signatures in the path alone authorize the
     * request; {@code --fresh-only} makes that an error). The cluster id and the node's clock come from
     * {@code GET /cluster} unless {@code --cluster-id} is given.
     */
    static String authorization(CommandSpec spec, AuthorizationOptions options, HttpClient http, String target, Path keyFile,
                                Operation operation, H256 params) throws IOException {
        SecretStoreClient.AuthorizationMode mode = options.mode(spec);
        if (mode == SecretStoreClient.AuthorizationMode.LEGACY) return null;
        H256 clusterId = options.clusterId(spec);
        long now = System.currentTimeMillis() / 1000;
        long expires = now + LIFETIME_SECONDS;
        if (clusterId == null) {
            Optional<ClusterInfo> info = ClusterInfo.fetch(http, URI.create(target), Duration.ofSeconds(30), now);
            if (info.isEmpty()) {
                if (mode == SecretStoreClient.AuthorizationMode.FRESH_ONLY) {
                    throw new IOException(target + " has no GET /cluster (it does not accept fresh authorizations) and --fresh-only was given");
                }
                return null;
            }
            clusterId = info.get().clusterId();
            long lifetime = Math.max(1, Math.min(LIFETIME_SECONDS, info.get().maxLifetime().orElse(LIFETIME_SECONDS)));
            expires = now + info.get().clockOffset() + lifetime;
        }
        byte[] nonce = new byte[Authorization.NONCE_LENGTH];
        new SecureRandom().nextBytes(nonce);
        KeyPair admin = KeyPair.fromSecret(ClientCommands.readKeyFile(keyFile));
        try {
            return Authorization.sign(admin, clusterId, operation, H256.fromBytes(new byte[32]), params, expires, nonce).toHeader();
        } finally {
            admin.destroy();
        }
    }

    /**
     * POSTs {@code body} to {@code url}, with the {@code Secretstore-Authorization} header {@code authorization} unless
     * null, and prints {@code done} on 200 (exit code 0), or {@code what} failed with the status and body (exit code 1);
     * with {@code printOnly}, prints the equivalent curl command instead.
     */
    static int post(CommandSpec spec, HttpClient http, String url, String body, String authorization, boolean printOnly, String done,
                    String what) throws IOException, InterruptedException {
        if (printOnly) {
            spec.commandLine().getOut().println("curl -X POST " + url
                    + (authorization == null ? "" : " -H '" + Authorization.HEADER + ": " + authorization + "'") + " -d '" + body + "'");
            return 0;
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(30))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (authorization != null) request.header(Authorization.HEADER, authorization);
        HttpResponse<String> response = http.send(request.build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() == 200) {
            spec.commandLine().getOut().println(done);
            return 0;
        }
        spec.commandLine().getErr().println(what + " failed: HTTP " + response.statusCode() + " " + response.body());
        return 1;
    }
}
