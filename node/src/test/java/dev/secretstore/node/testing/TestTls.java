package dev.secretstore.node.testing;

import dev.secretstore.http.server.ReloadingTls;
import dev.secretstore.http.server.TlsFiles;
import dev.secretstore.http.tls.DevelopmentCa;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A development CA and a node certificate in a directory, and clients that trust it (with or without a client certificate). */
public final class TestTls {
    private static final char[] PASSWORD = "test".toCharArray();
    public final DevelopmentCa ca;
    public final Path caFile;
    public final TlsFiles files;

    public TestTls(Path dir, String name) throws Exception {
        this.ca = DevelopmentCa.create(name + " CA");
        this.caFile = dir.resolve(name + "-ca.pem");
        ca.writeCertificate(caFile);
        this.files = new TlsFiles(dir.resolve(name + ".pem"), dir.resolve(name + ".key"));
        ca.issueLocal(name).write(files.certificateChain(), files.privateKey());
    }

    public ReloadingTls load() throws Exception {
        return ReloadingTls.load(files);
    }

    /** An HTTP client that trusts {@code ca} and presents {@code clientCertificate} (null: none). */
    public static HttpClient client(DevelopmentCa ca, DevelopmentCa.Issued clientCertificate) throws Exception {
        return HttpClient.newBuilder().sslContext(context(ca, clientCertificate)).connectTimeout(Duration.ofSeconds(5)).build();
    }

    public static SSLContext context(DevelopmentCa ca, DevelopmentCa.Issued clientCertificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (clientCertificate != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("client", clientCertificate.privateKey(), PASSWORD,
                    new Certificate[] {clientCertificate.certificate(), clientCertificate.issuer()});
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, PASSWORD);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }
}
