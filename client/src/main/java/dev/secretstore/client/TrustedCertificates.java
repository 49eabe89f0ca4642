package dev.secretstore.client;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The certificates a client trusts for HTTPS to key servers instead of the JVM's default trust store, read from a PEM
 * file (docs/client.md, "HTTPS"): e.g. the {@code tls/ca.pem} that {@code ./secretstore init-cluster --tls} and
 * {@code ./secretstore dev --tls} write. The TLS context trusts exactly these certificates and checks the host name
 * against the server certificate as usual. JDK APIs only.
 */
public final class TrustedCertificates {
    private TrustedCertificates() {}

    /**
     * The certificates in {@code pemFile}: one or more {@code -----BEGIN CERTIFICATE-----} blocks.
     *
     * @throws UncheckedIOException     naming the file when it cannot be read
     * @throws IllegalArgumentException naming the file when it holds no certificate or one that does not parse
     */
    public static List<X509Certificate> read(Path pemFile) {
        Objects.requireNonNull(pemFile, "pemFile");
        byte[] pem;
        try {
            pem = Files.readAllBytes(pemFile);
        } catch (IOException e) {
            throw new UncheckedIOException(pemFile + ": cannot read the CA file: " + e.getMessage(), e);
        }
        Collection<? extends java.security.cert.Certificate> parsed;
        try {
            parsed = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem));
        } catch (CertificateException e) {
            throw new IllegalArgumentException(pemFile + ": not a PEM certificate file: " + e.getMessage(), e);
        }
        List<X509Certificate> out = new ArrayList<>();
        for (var c : parsed) out.add((X509Certificate) c);
        if (out.isEmpty()) {
            throw new IllegalArgumentException(pemFile + ": holds no certificate (expected one or more PEM blocks "
                    + "-----BEGIN CERTIFICATE-----)");
        }
        return List.copyOf(out);
    }

    /** A TLS context that trusts exactly the certificates in {@code pemFile} (see {@link #read}). */
    public static SSLContext sslContext(Path pemFile) {
        List<X509Certificate> certificates = read(pemFile);
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < certificates.size(); i++) store.setCertificateEntry("trusted-" + i, certificates.get(i));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(pemFile + ": cannot make a TLS context from its certificates: " + e.getMessage(), e);
        }
    }
}
