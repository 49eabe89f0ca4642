package dev.secretstore.http.server;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a TLS listener's material lives (docs/configuration.md, "TLS"): a PEM certificate chain (leaf first), its
 * PEM private key (PKCS#8, SEC1 {@code EC PRIVATE KEY} or PKCS#1 RSA; unencrypted), and optionally a PEM file of CA
 * certificates; with one, every client must present a certificate issued by one of them.
 */
public record TlsFiles(Path certificateChain, Path privateKey, Optional<Path> clientCa) {
    public TlsFiles {
        Objects.requireNonNull(certificateChain, "certificateChain");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(clientCa, "clientCa");
    }

    public TlsFiles(Path certificateChain, Path privateKey) {
        this(certificateChain, privateKey, Optional.empty());
    }

    public TlsFiles requiringClientCertificates(Path ca) {
        return new TlsFiles(certificateChain, privateKey, Optional.of(ca));
    }
}
