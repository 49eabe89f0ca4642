package dev.secretstore.node.eth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A minimal Ethereum JSON-RPC 2.0 client over the JDK {@link HttpClient}. Every call completes
 * exceptionally with {@link EthRpcException} on a transport error, a timeout, a non-200 status, a
 * JSON-RPC error object (a revert included) or a malformed response.
 */
public final class EthRpc {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_RESPONSE_BYTES = 1 << 20;

    private final URI url;
    private final Duration timeout;
    private final HttpClient http;
    private final AtomicLong ids = new AtomicLong();

    public EthRpc(URI url, Duration timeout) {
        this.url = url;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public URI url() {
        return url;
    }

    /** An error answer, or no usable answer, from the endpoint. The message says why. */
    public static final class EthRpcException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public EthRpcException(String message) {
            super(message);
        }
    }

    /** Calls {@code method} with {@code params}; completes with the {@code result} node (possibly JSON null). */
    public CompletableFuture<JsonNode> call(String method, Object... params) {
        ObjectNode body = JSON.createObjectNode();
        body.put("jsonrpc", "2.0");
        body.put("id", ids.incrementAndGet());
        body.put("method", method);
        ArrayNode p = body.putArray("params");
        for (Object o : params) p.add(JSON.valueToTree(o));
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(url).timeout(timeout).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build();
        } catch (IOException | IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new EthRpcException(method + ": cannot build request: " + e.getMessage()));
        }
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((response, error) -> {
                    if (error != null) {
                        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                        throw new EthRpcException(method + " to " + url + ": " + describe(cause));
                    }
                    return parse(method, response);
                });
    }

    /** Blocking convenience for command-line tools. */
    public JsonNode callSync(String method, Object... params) {
        try {
            return call(method, params).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
    }

    private static String describe(Throwable t) {
        if (t instanceof java.util.concurrent.TimeoutException || t instanceof java.net.http.HttpTimeoutException) return "timeout";
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    private JsonNode parse(String method, HttpResponse<byte[]> response) {
        if (response.statusCode() != 200) throw new EthRpcException(method + ": HTTP status " + response.statusCode());
        if (response.body().length > MAX_RESPONSE_BYTES) throw new EthRpcException(method + ": response too large");
        JsonNode root;
        try {
            root = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new EthRpcException(method + ": malformed JSON response");
        }
        if (root == null || !root.isObject()) throw new EthRpcException(method + ": response is not a JSON object");
        JsonNode error = root.get("error");
        if (error != null && !error.isNull()) {
            String msg = error.path("message").asText("?");
            String data = error.path("data").isTextual() ? " data " + abbreviate(error.path("data").asText()) : "";
            throw new EthRpcException(method + ": JSON-RPC error " + error.path("code").asText("?") + " " + abbreviate(msg) + data);
        }
        if (!root.has("result")) throw new EthRpcException(method + ": response has neither result nor error");
        return root.get("result");
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    /** Parses a JSON-RPC quantity ({@code "0x1a"}); anything else is an {@link EthRpcException}. */
    public static long quantity(String what, JsonNode node) {
        if (node == null || !node.isTextual()) throw new EthRpcException(what + ": expected a hex quantity, got " + node);
        String s = node.textValue();
        if (!s.startsWith("0x") || s.length() < 3 || s.length() > 18) throw new EthRpcException(what + ": bad quantity " + s);
        try {
            long v = Long.parseUnsignedLong(s.substring(2), 16);
            if (v < 0) throw new EthRpcException(what + ": quantity out of range " + s);
            return v;
        } catch (NumberFormatException e) {
            throw new EthRpcException(what + ": bad quantity " + s);
        }
    }

    public static String toQuantity(long v) {
        return "0x" + Long.toHexString(v);
    }
}
