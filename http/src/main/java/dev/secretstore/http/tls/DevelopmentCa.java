package dev.secretstore.http.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A development certificate authority, for test clusters on one machine ({@code init-cluster --tls},
 * {@code dev --tls}) and for tests: an ECDSA P-256 CA that issues leaf certificates usable by servers and clients
 * (extended key usage serverAuth and clientAuth), with the names they answer to as subject alternative names.
 * Keys are generated with {@link SecureRandom}; private keys are written as unencrypted PKCS#8 PEM with owner-only
 * permissions. Not for production: a production deployment uses its own CA.
 */
public final class DevelopmentCa {
    /** Lifetime of the CA certificate. */
    static final Duration CA_LIFETIME = Duration.ofDays(3650);
    /** Lifetime of an issued certificate (the largest browsers accept). */
    static final Duration LEAF_LIFETIME = Duration.ofDays(397);

    private final KeyPair keys;
    private final X509Certificate certificate;
    private final SecureRandom random;

    private DevelopmentCa(KeyPair keys, X509Certificate certificate, SecureRandom random) {
        this.keys = keys;
        this.certificate = certificate;
        this.random = random;
    }

    /** A new CA named {@code commonName}. */
    public static DevelopmentCa create(String commonName) {
        Objects.requireNonNull(commonName, "commonName");
        SecureRandom random = new SecureRandom();
        KeyPair keys = ecKeys(random);
        X500Name name = name(commonName);
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = builder(name, name, keys, CA_LIFETIME, random)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            return new DevelopmentCa(keys, sign(b, keys.getPrivate()), random);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot create a development CA: " + e.getMessage(), e);
        }
    }

    /**
     * Issues a certificate for {@code commonName} that names {@code dnsNames} and {@code addresses} (subject
     * alternative names, which TLS clients check against the host they dialled).
     */
    public Issued issue(String commonName, List<String> dnsNames, List<InetAddress> addresses) {
        Objects.requireNonNull(commonName, "commonName");
        KeyPair leaf = ecKeys(random);
        List<GeneralName> names = new ArrayList<>();
        for (String d : dnsNames) names.add(new GeneralName(GeneralName.dNSName, d));
        for (InetAddress a : addresses) names.add(new GeneralName(GeneralName.iPAddress, a.getHostAddress()));
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = builder(name(commonName), X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()), leaf,
                    LEAF_LIFETIME, random)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
                    .addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(leaf.getPublic()));
            if (!names.isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
            }
            return new Issued(sign(b, keys.getPrivate()), leaf.getPrivate(), certificate);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue a development certificate: " + e.getMessage(), e);
        }
    }

    /** A certificate for a node on this machine: {@code localhost}, 127.0.0.1 and ::1. */
    public Issued issueLocal(String commonName) {
        try {
            return issue(commonName, List.of("localhost"), List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1")));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e); // literals: never resolved
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** The CA certificate as PEM. */
    public String certificatePem() {
        return pem("CERTIFICATE", encoded(certificate));
    }

    /** Writes the CA certificate (what clients trust) to {@code file}. The CA's key is never written. */
    public void writeCertificate(Path file) throws IOException {
        Files.writeString(file, certificatePem(), StandardCharsets.US_ASCII);
    }

    /** An issued certificate, its private key, and the CA certificate that signed it. */
    public record Issued(X509Certificate certificate, PrivateKey privateKey, X509Certificate issuer) {
        /** The chain a server presents: this certificate, then the CA's. */
        public String chainPem() {
            return pem("CERTIFICATE", encoded(certificate)) + pem("CERTIFICATE", encoded(issuer));
        }

        /** The private key as unencrypted PKCS#8 PEM. */
        public String privateKeyPem() {
            return pem("PRIVATE KEY", privateKey.getEncoded());
        }

        /** The subject and serial only: a record's generated form would hand the private key to whatever prints it. */
        @Override
        public String toString() {
            return "Issued[" + certificate.getSubjectX500Principal().getName() + ", serial " + certificate.getSerialNumber().toString(16) + "]";
        }

        /** Writes the chain to {@code chainFile} and the key to {@code keyFile} (owner read/write only where POSIX). */
        public void write(Path chainFile, Path keyFile) throws IOException {
            Files.writeString(chainFile, chainPem(), StandardCharsets.US_ASCII);
            Path tmp = keyFile.resolveSibling(keyFile.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(tmp);
            }
            Files.writeString(tmp, privateKeyPem(), StandardCharsets.US_ASCII);
            Files.move(tmp, keyFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static X500Name name(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Secret Store development").addRDN(BCStyle.CN, commonName).build();
    }

    private static X509v3CertificateBuilder builder(X500Name subject, X500Name issuer, KeyPair subjectKeys, Duration lifetime,
                                                    SecureRandom random) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, random).add(BigInteger.ONE),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(lifetime)), subject, subjectKeys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static KeyPair ecKeys(SecureRandom random) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), random);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no EC key generator", e);
        }
    }

    private static byte[] encoded(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
