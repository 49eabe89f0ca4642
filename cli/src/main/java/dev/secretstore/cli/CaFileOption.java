package dev.secretstore.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.client.SecretStoreClient;
import dev.secretstore.client.TrustedCertificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code --ca-file FILE} of the commands that call a key server's HTTP API: the PEM certificates trusted for
 * {@code https://} URLs instead of the JVM's default trust store (docs/client.md, "HTTPS"), e.g. the {@code tls/ca.pem}
 * of {@code init-cluster --tls} or {@code dev --tls}. Commands that take {@code --dev DIR} fall back to the {@code "ca"}
 * of {@code DIR/dev.json}.
 */
final class CaFileOption {
    @Option(names = "--ca-file", paramLabel = "FILE",
            description = "PEM CA certificate(s) to trust for https:// key servers, e.g. DIR/tls/ca.pem of 'init-cluster --tls' "
                    + "or 'dev --tls' (default: the JVM's trust store)")
    Path caFile;

    /** {@code --ca-file} applied to a client builder. */
    SecretStoreClient.Builder apply(SecretStoreClient.Builder builder, CommandSpec spec) {
        if (caFile == null) return builder;
        try {
            return builder.trustedCertificates(caFile);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new ParameterException(spec.commandLine(), "--ca-file " + e.getMessage());
        }
    }

    /**
     * A client for single requests: trusting {@code --ca-file}, else the {@code "ca"} of {@code devDir/dev.json} (when
     * {@code devDir} is given and names one), else the JVM's trust store.
     */
    HttpClient httpClient(CommandSpec spec, Path devDir) throws IOException {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        Path file = caFile != null ? caFile : devDir == null ? null : devCa(devDir);
        if (file != null) b.sslContext(sslContext(spec, file));
        return b.build();
    }

    /** The {@code "ca"} of {@code DIR/dev.json} ({@code dev --tls}), or null when it has none. */
    static Path devCa(Path devDir) throws IOException {
        JsonNode ca = new ObjectMapper().readTree(Files.readString(devDir.resolve("dev.json"))).path("ca");
        return ca.isTextual() ? devDir.resolve(ca.asText()) : null;
    }

    private static SSLContext sslContext(CommandSpec spec, Path file) {
        try {
            return TrustedCertificates.sslContext(file);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new ParameterException(spec.commandLine(), "--ca-file " + e.getMessage());
        }
    }
}
