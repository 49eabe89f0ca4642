package dev.secretstore.bench.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Thread groups by name: the HTTP API's threads count as the HTTP server under the JDK's server and under the
 * Netty layer (issue #15, SEC-34), the cluster transport's Netty threads as transport.
 */
class CpuAccountingTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        // the Netty EdgeServer of the HTTP API: handler pool and event loop (Netty's DefaultThreadFactory names)
        "http-api-3-1                  | HTTP server (parse, recover, respond)",
        "http-api-3-4                  | HTTP server (parse, recover, respond)",
        "http-api-io-4-1               | HTTP server (parse, recover, respond)",
        // the API's own pool finishing answers off the cluster's threads
        "http-api-finish               | HTTP server (parse, recover, respond)",
        // the JDK's com.sun.net.httpserver: selector/parser, its idle timer, and the API's handler pool
        "HTTP-Dispatcher               | HTTP server (parse, recover, respond)",
        "idle-timeout-task             | HTTP server (parse, recover, respond)",
        "http-api                      | HTTP server (parse, recover, respond)",
        // the cluster transport is Netty too, under its own names
        "secretstore-transport-1a2b3c-1-1 | transport (Noise, Netty)",
        "cluster-loop-1a2b3c           | cluster loops (sessions, crypto, SQLite)",
        "bench-worker-7                | load generator",
        // other listeners and look-alikes are not the HTTP API
        "ops-5-1                       | other Java threads",
        "rpc-io-6-1                    | other Java threads",
        "http-apio                     | other Java threads",
        "secretstore-resolve-1a2b3c-2-1 | other Java threads"})
    void groupsThreadsByName(String thread, String group) {
        assertThat(CpuAccounting.group(thread)).isEqualTo(group);
    }
}
