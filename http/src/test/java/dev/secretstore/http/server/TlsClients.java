package dev.secretstore.http.server;

import dev.secretstore.http.tls.DevelopmentCa;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** TLS clients for the tests: trust one CA, optionally present a client certificate, check the server's name. */
final class TlsClients {
    private TlsClients() {
    }

    /** A context that trusts {@code ca} only and, when {@code clientCertificate} is not null, presents it. */
    static SSLContext trusting(DevelopmentCa ca, DevelopmentCa.Issued clientCertificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (clientCertificate != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            char[] pw = "pw".toCharArray();
            keys.setKeyEntry("client", clientCertificate.privateKey(), pw,
                    new Certificate[] {clientCertificate.certificate(), clientCertificate.issuer()});
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, pw);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    /** Connects and completes the handshake, checking the certificate names 127.0.0.1; {@code protocols} null: the defaults. */
    static SSLSocket connect(SSLContext context, InetSocketAddress server, String... protocols) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket();
        s.connect(server, (int) RawClient.READ_BOUND.toMillis());
        s.setSoTimeout((int) RawClient.READ_BOUND.toMillis());
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        if (protocols.length > 0) p.setProtocols(protocols);
        s.setSSLParameters(p);
        s.startHandshake();
        return s;
    }

    /** The serial number of the certificate the server presented on {@code s}. */
    static BigInteger servedSerial(SSLSocket s) throws IOException {
        return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
}
