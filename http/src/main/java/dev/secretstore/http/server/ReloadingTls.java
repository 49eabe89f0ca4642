package dev.secretstore.http.server;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * The server TLS context of a listener, rebuilt when its files change on disk, so a renewed certificate is served
 * without a restart (SEC-34). New connections ask {@link #current()}; at most once per {@link #CHECK_INTERVAL_NANOS}
 * that looks at the files' modification times and sizes, and when they changed it loads them again. A change that
 * does not load (a half-written file, a key that does not match) keeps the previous context and logs why; the next
 * check tries again. TLS 1.2 and 1.3 only.
 */
public final class ReloadingTls {
    private static final Logger LOG = Logger.getLogger(ReloadingTls.class.getName());
    static final long CHECK_INTERVAL_NANOS = 1_000_000_000L;
    /** The protocols a listener accepts. */
    public static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final TlsFiles files;
    private final LongSupplier nanoClock;
    private SslContext context;
    private List<Object> stamp;
    private long checkedAt;

    private ReloadingTls(TlsFiles files, LongSupplier nanoClock) throws IOException {
        this.files = Objects.requireNonNull(files, "files");
        this.nanoClock = nanoClock;
        this.stamp = stamp(files);
        this.context = context(files);
        this.checkedAt = nanoClock.getAsLong();
    }

    /**
     * Loads {@code files} now.
     *
     * @throws IOException naming the file and the reason when a file is missing or unreadable, or the material is unusable
     */
    public static ReloadingTls load(TlsFiles files) throws IOException {
        return new ReloadingTls(files, System::nanoTime);
    }

    static ReloadingTls load(TlsFiles files, LongSupplier nanoClock) throws IOException {
        return new ReloadingTls(files, nanoClock);
    }

    /** The context for a new connection: the files' current content, or the last one that loaded. */
    public synchronized SslContext current() {
        long now = nanoClock.getAsLong();
        if (now - checkedAt < CHECK_INTERVAL_NANOS) return context;
        checkedAt = now;
        List<Object> seen;
        try {
            seen = stamp(files);
        } catch (IOException e) {
            LOG.warning(() -> "TLS files unreadable, still serving the certificate loaded before: " + e.getMessage());
            return context;
        }
        if (seen.equals(stamp)) return context;
        try {
            context = context(files);
            stamp = seen;
            LOG.info(() -> "TLS certificate reloaded from " + files.certificateChain());
        } catch (IOException e) {
            LOG.warning(() -> "TLS files changed but do not load, still serving the certificate loaded before: " + e.getMessage());
        }
        return context;
    }

    public TlsFiles files() {
        return files;
    }

    /** Modification time and size of every file, read before the files themselves so a change during a load is seen again. */
    private static List<Object> stamp(TlsFiles files) throws IOException {
        List<Object> out = new ArrayList<>();
        for (Path p : paths(files)) {
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                out.add(a.lastModifiedTime());
                out.add(a.size());
            } catch (NoSuchFileException e) {
                throw new IOException(p + ": no such file", e);
            }
        }
        return out;
    }

    private static List<Path> paths(TlsFiles files) {
        List<Path> out = new ArrayList<>(List.of(files.certificateChain(), files.privateKey()));
        files.clientCa().ifPresent(out::add);
        return out;
    }

    /** A server context from the files; refuses a key that is not the leaf certificate's (a renewal caught half-way). */
    private static SslContext context(TlsFiles files) throws IOException {
        for (Path p : paths(files)) {
            if (!Files.isReadable(p)) throw new IOException(p + ": not a readable file");
        }
        List<X509Certificate> chain = certificates(files.certificateChain());
        PrivateKey key = privateKey(files.privateKey());
        requireMatch(key, chain.get(0), files);
        try {
            SslContextBuilder b = SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new))
                    .sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS);
            if (files.clientCa().isPresent()) {
                b.trustManager(certificates(files.clientCa().get()).toArray(X509Certificate[]::new)).clientAuth(ClientAuth.REQUIRE);
            }
            return b.build();
        } catch (SSLException | RuntimeException e) {
            throw new IOException(files.certificateChain() + " / " + files.privateKey() + ": " + e.getMessage(), e);
        }
    }

    /** Every certificate in a PEM file, in order; at least one. */
    static List<X509Certificate> certificates(Path file) throws IOException {
        byte[] pem = Files.readAllBytes(file);
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) throw new IOException(file + ": no PEM certificate in it");
            return out;
        } catch (CertificateException e) {
            throw new IOException(file + ": not a PEM certificate chain (" + e.getMessage() + ")", e);
        }
    }

    /** The first unencrypted private key in a PEM file: PKCS#8, SEC1 {@code EC PRIVATE KEY} or PKCS#1 RSA. */
    static PrivateKey privateKey(Path file) throws IOException {
        try (PEMParser parser = new PEMParser(Files.newBufferedReader(file, StandardCharsets.US_ASCII))) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof PEMKeyPair pair) return converter.getPrivateKey(pair.getPrivateKeyInfo()); // SEC1: public key optional
                if (o instanceof PrivateKeyInfo info) return converter.getPrivateKey(info);
            }
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": not a PEM private key (" + e.getMessage() + ")", e);
        }
        throw new IOException(file + ": no unencrypted PEM private key in it");
    }

    /** Signs with {@code key} and verifies with the leaf's public key: the pair must belong together. */
    private static void requireMatch(PrivateKey key, X509Certificate leaf, TlsFiles files) throws IOException {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> throw new IOException(files.privateKey() + ": unsupported key algorithm " + key.getAlgorithm());
        };
        byte[] probe = "secretstore tls key check".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(probe);
            if (verifier.verify(signature)) return;
        } catch (GeneralSecurityException e) {
            // a key of another type than the certificate's: not its key either
        }
        throw new IOException(files.privateKey() + ": not the private key of the first certificate in " + files.certificateChain());
    }
}
