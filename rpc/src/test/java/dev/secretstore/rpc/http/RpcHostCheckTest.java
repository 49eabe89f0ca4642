package dev.secretstore.rpc.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.http.CorsPolicy;
import dev.secretstore.http.HostAllowList;
import dev.secretstore.keystore.Keystore;
import dev.secretstore.rpc.SecretStoreRpc;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SEC-37 on the JSON-RPC service's real listener: a page that rebinds its name to this machine sends
 * {@code Host: evil.example} and gets 403 before anything is read; allowed hosts get the unchanged
 * answer. Raw sockets, since java.net.http does not let a caller set {@code Host}.
 */
class RpcHostCheckTest {
    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"id\":7}";
    private static final String ANSWER = "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"Method not found\"},\"id\":7}";

    @TempDir
    Path dir;
    private RpcHttpServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private void start(CorsPolicy cors, HostAllowList hosts) throws Exception {
        server = RpcHttpServer.start(new SecretStoreRpc(new Keystore(dir)), "127.0.0.1", 0, cors, hosts);
    }

    private String raw(String method, String headers, String body) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.address().getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            out.write((method + " / HTTP/1.1\r\n" + headers + "Content-Length: " + b.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(b);
            out.flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String statusLine(String response) {
        return response.substring(0, response.indexOf("\r\n"));
    }

    private static String body(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    @Test
    void sec37_aForeignHostIsRefusedWith403() throws Exception {
        start(CorsPolicy.anyOrigin(), HostAllowList.defaults());
        for (String host : List.of("evil.example", "evil.example:" + server.address().getPort(), "127.0.0.1.evil.example")) {
            String r = raw("POST", "Host: " + host + "\r\nOrigin: http://" + host + "\r\nContent-Type: application/json\r\n", CALL);
            assertThat(statusLine(r)).as(host).isEqualTo("HTTP/1.1 403 Forbidden");
            assertThat(r).containsIgnoringCase("Content-Type: text/plain; charset=utf-8");
            assertThat(r).doesNotContainIgnoringCase("Access-Control-Allow-Origin");
            assertThat(body(r)).isEqualTo("Host not allowed\n");
        }
        String preflight = raw("OPTIONS", "Host: evil.example\r\nOrigin: http://evil.example\r\nAccess-Control-Request-Method: POST\r\n", "");
        assertThat(statusLine(preflight)).isEqualTo("HTTP/1.1 403 Forbidden");
        assertThat(statusLine(raw("POST", "", CALL))).isEqualTo("HTTP/1.1 403 Forbidden"); // HTTP/1.1 without Host
    }

    @Test
    void sec37_allowedHostsGetTheUnchangedAnswer() throws Exception {
        start(CorsPolicy.none(), HostAllowList.defaults());
        int port = server.address().getPort();
        for (String host : List.of("127.0.0.1:" + port, "localhost", "Localhost.:" + port, "[::1]:" + port)) {
            String r = raw("POST", "Host: " + host + "\r\nContent-Type: application/json\r\n", CALL);
            assertThat(statusLine(r)).as(host).isEqualTo("HTTP/1.1 200 OK");
            assertThat(r).containsIgnoringCase("Content-Type: application/json; charset=utf-8");
            assertThat(body(r)).as(host).isEqualTo(ANSWER);
        }
    }

    @Test
    void sec37_configuredHostsAreServedAndPreflightStaysForThem() throws Exception {
        start(CorsPolicy.parse("http://app.example"), HostAllowList.of(List.of("wallet.example:8545")));
        assertThat(body(raw("POST", "Host: WALLET.example:8545\r\n", CALL))).isEqualTo(ANSWER);
        assertThat(statusLine(raw("POST", "Host: wallet.example:9999\r\n", CALL))).isEqualTo("HTTP/1.1 403 Forbidden");
        String preflight = raw("OPTIONS",
                "Host: wallet.example:8545\r\nOrigin: http://app.example\r\nAccess-Control-Request-Method: POST\r\n", "");
        assertThat(statusLine(preflight)).isEqualTo("HTTP/1.1 204 No Content");
        assertThat(preflight).containsIgnoringCase("Access-Control-Allow-Origin: http://app.example");
    }

    @Test
    void sec37_starServesEveryHost() throws Exception {
        start(CorsPolicy.none(), HostAllowList.anyHost());
        assertThat(body(raw("POST", "Host: evil.example\r\n", CALL))).isEqualTo(ANSWER);
    }
}
