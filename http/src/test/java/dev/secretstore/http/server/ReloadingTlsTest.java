package dev.secretstore.http.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.secretstore.http.tls.DevelopmentCa;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;
import java.security.interfaces.ECPrivateKey;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SEC-34: ReloadingTls re-checks its files at most once a second and keeps the last material that loaded. */
class ReloadingTlsTest {
    private static final long SECOND = 1_000_000_000L;

    @TempDir
    Path dir;
    private final AtomicLong now = new AtomicLong(42 * SECOND);
    private DevelopmentCa ca;
    private Path chain;
    private Path key;

    @BeforeEach
    void files() throws Exception {
        ca = DevelopmentCa.create("test CA");
        chain = dir.resolve("node.pem");
        key = dir.resolve("node.key");
        ca.issueLocal("node").write(chain, key);
    }

    /** Replaces both files and moves their modification time on, as a renewal does. */
    private void renew(DevelopmentCa.Issued next) throws IOException {
        next.write(chain, key);
        touch(chain);
        touch(key);
    }

    private static void touch(Path p) throws IOException {
        Files.setLastModifiedTime(p, FileTime.fromMillis(Files.getLastModifiedTime(p).toMillis() + 10_000));
    }

    @Test
    void sec34FilesAreReCheckedAtMostOncePerInterval() throws Exception {
        ReloadingTls tls = ReloadingTls.load(new TlsFiles(chain, key), now::get);
        SslContext first = tls.current();
        renew(ca.issueLocal("node"));
        now.addAndGet(SECOND - 1);
        assertThat(tls.current()).as("within the interval: not re-checked").isSameAs(first);
        now.addAndGet(1);
        SslContext second = tls.current();
        assertThat(second).as("interval passed, files changed: reloaded").isNotSameAs(first);
        now.addAndGet(5 * SECOND);
        assertThat(tls.current()).as("files unchanged: kept").isSameAs(second);
    }

    @Test
    void sec34ACheckWithinTheIntervalOfTheLastCheckDoesNotReload() throws Exception {
        ReloadingTls tls = ReloadingTls.load(new TlsFiles(chain, key), now::get);
        SslContext first = tls.current();
        now.addAndGet(SECOND); // a check that finds nothing new starts a new interval
        assertThat(tls.current()).isSameAs(first);
        renew(ca.issueLocal("node"));
        now.addAndGet(SECOND / 2);
        assertThat(tls.current()).isSameAs(first);
        now.addAndGet(SECOND / 2);
        assertThat(tls.current()).isNotSameAs(first);
    }

    @Test
    void sec34BrokenOrMismatchedReplacementKeepsTheOldContextAndIsRetried() throws Exception {
        ReloadingTls tls = ReloadingTls.load(new TlsFiles(chain, key), now::get);
        SslContext first = tls.current();
        Files.writeString(chain, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        touch(chain);
        now.addAndGet(SECOND);
        assertThat(tls.current()).isSameAs(first);
        DevelopmentCa.Issued next = ca.issueLocal("node");
        Files.writeString(chain, next.chainPem()); // the key still belongs to the old certificate
        touch(chain);
        now.addAndGet(SECOND);
        assertThat(tls.current()).isSameAs(first);
        Files.delete(key);
        now.addAndGet(SECOND);
        assertThat(tls.current()).as("unreadable: kept").isSameAs(first);
        renew(next);
        now.addAndGet(SECOND);
        assertThat(tls.current()).isNotSameAs(first);
    }

    @Test
    void sec34Sec1EcKeyLoads() throws Exception {
        DevelopmentCa.Issued leaf = ca.issueLocal("node");
        Files.writeString(chain, leaf.chainPem());
        // as openssl writes it: the curve and the public key inside the SEC1 structure
        byte[] sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, ((ECPrivateKey) leaf.privateKey()).getS(),
                new DERBitString(SubjectPublicKeyInfo.getInstance(leaf.certificate().getPublicKey().getEncoded()).getPublicKeyData().getBytes()),
                SECObjectIdentifiers.secp256r1).getEncoded();
        Files.writeString(key, "-----BEGIN EC PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(sec1) + "\n-----END EC PRIVATE KEY-----\n");
        assertThat(((ECPrivateKey) ReloadingTls.privateKey(key)).getS()).isEqualTo(((ECPrivateKey) leaf.privateKey()).getS());
        assertThat(ReloadingTls.load(new TlsFiles(chain, key)).current()).isNotNull();
    }

    @Test
    void sec34UnusableMaterialIsRefusedAtLoadNamingTheFile() throws Exception {
        Path other = dir.resolve("other.key");
        Files.writeString(other, ca.issueLocal("other").privateKeyPem());
        assertThatThrownBy(() -> ReloadingTls.load(new TlsFiles(chain, other))).isInstanceOf(IOException.class)
                .hasMessageContaining(other.toString()).hasMessageContaining("not the private key");
        Path empty = dir.resolve("empty.key");
        Files.writeString(empty, "");
        assertThatThrownBy(() -> ReloadingTls.load(new TlsFiles(chain, empty))).isInstanceOf(IOException.class)
                .hasMessageContaining(empty.toString());
        Path noCa = dir.resolve("no-ca.pem");
        assertThatThrownBy(() -> ReloadingTls.load(new TlsFiles(chain, key).requiringClientCertificates(noCa)))
                .isInstanceOf(IOException.class).hasMessageContaining(noCa.toString());
    }

    @Test
    void sec34Pkcs1RsaKeyLoadsAndAMismatchedOneDoesNot() throws Exception {
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        java.security.KeyPair pair = g.generateKeyPair();
        org.bouncycastle.asn1.x500.X500Name name = new org.bouncycastle.asn1.x500.X500Name("CN=rsa");
        java.util.Date now = new java.util.Date();
        java.security.cert.X509Certificate cert = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(
                new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(name, java.math.BigInteger.TEN, now,
                        new java.util.Date(now.getTime() + 86_400_000L), name, pair.getPublic())
                        .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
        Files.writeString(chain, "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder().encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        byte[] pkcs1 = PrivateKeyInfo.getInstance(pair.getPrivate().getEncoded()).parsePrivateKey().toASN1Primitive().getEncoded();
        Files.writeString(key, "-----BEGIN RSA PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(pkcs1)
                + "\n-----END RSA PRIVATE KEY-----\n");
        assertThat(ReloadingTls.load(new TlsFiles(chain, key)).current()).isNotNull();
        Files.writeString(key, ca.issueLocal("ec").privateKeyPem()); // an EC key under an RSA certificate
        assertThatThrownBy(() -> ReloadingTls.load(new TlsFiles(chain, key))).isInstanceOf(IOException.class)
                .hasMessageContaining("not the private key");
    }
}
