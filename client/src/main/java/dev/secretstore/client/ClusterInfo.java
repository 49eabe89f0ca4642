package dev.secretstore.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A key server's answer to {@code GET /cluster} (docs/auth.md §3): what a requester signs a fresh authorization for.
 *
 * @param clusterId   the cluster identity
 * @param maxLifetime the longest validity the node accepts, seconds, if it said
 * @param clockOffset the node's {@code time} minus the local clock when the answer arrived, seconds (0 if it did not say)
 */
public record ClusterInfo(H256 clusterId, OptionalLong maxLifetime, long clockOffset) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Asks {@code server} (base URL without trailing slash). Empty if it answers 400 or 404 (a Parity node, or a key server
     * from before fresh authorizations).
     *
     * @throws SecretStoreException for any other answer, or a 200 without a valid {@code cluster_id}
     * @throws IOException          if the server cannot be reached
     */
    public static Optional<ClusterInfo> fetch(HttpClient http, URI server, Duration timeout, long localNow) throws IOException {
        HttpResponse<String> resp;
        try {
            resp = http.send(HttpRequest.newBuilder(URI.create(server + "/cluster")).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SecretStoreException.TransportFailure("interrupted", e);
        }
        int status = resp.statusCode();
        if (status == 400 || status == 404) return Optional.empty();
        if (status != 200) {
            throw new SecretStoreException(server + " answered " + status + " to GET /cluster", status,
                    SecretStoreClient.parityText(resp.body()), null);
        }
        try {
            JsonNode body = JSON.readTree(resp.body());
            H256 clusterId = H256.fromBytes(Hex.decode(Hex.strip0x(body.get("cluster_id").asText()), 32));
            long offset = body.hasNonNull("time") ? body.get("time").asLong() - localNow : 0;
            OptionalLong max = body.hasNonNull("max_lifetime") ? OptionalLong.of(body.get("max_lifetime").asLong()) : OptionalLong.empty();
            return Optional.of(new ClusterInfo(clusterId, max, offset));
        } catch (IOException | RuntimeException e) {
            throw new SecretStoreException(server + " answered GET /cluster with an unexpected body", status, null, e);
        }
    }
}
