package dev.secretstore.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.DocumentCipher;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.Decryption;
import dev.secretstore.crypto.threshold.DocumentKey;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Client-side steps of the Secret Store flow as subcommands, so it can be driven from a shell. All
 * cryptography runs locally (crypto layer); nothing secret is sent anywhere. Hex output is lower
 * case without {@code 0x}, ready to paste into URL paths.
 */
final class ClientCommands {
    private ClientCommands() {}

    /** Reads a key file: 64 hex digits (optional 0x), surrounding whitespace ignored. */
    static SecretScalar readKeyFile(Path file) throws IOException {
        byte[] raw = Files.readAllBytes(file);
        String text = new String(raw, StandardCharsets.US_ASCII).trim();
        Arrays.fill(raw, (byte) 0);
        try {
            byte[] secret = Hex.decode(Hex.strip0x(text), 32);
            try {
                return SecretScalar.fromBytes(secret);
            } finally {
                Arrays.fill(secret, (byte) 0);
            }
        } catch (CryptoException e) {
            throw new IllegalArgumentException(file + " does not hold a secp256k1 secret key (64 hex digits)");
        }
    }

    static String strip(String hex) {
        return Hex.strip0x(hex.trim()).toString().toLowerCase(java.util.Locale.ROOT);
    }

    @Command(name = "random-key-id", mixinStandardHelpOptions = true, description = "Print a random 32-byte server key id (64 hex digits).")
    static final class RandomKeyId implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            byte[] id = new byte[32];
            new SecureRandom().nextBytes(id);
            spec.commandLine().getOut().println(Hex.encode(id));
            return 0;
        }
    }

    @Command(name = "sign", mixinStandardHelpOptions = true,
            description = {"Sign a server key id with a key file: the requester signature of the HTTP API (raw ECDSA over the 32 bytes, r||s||v).",
                "With --schnorr HASH or --ecdsa HASH: have the key servers sign the 32-byte HASH with the server key KEY_ID (endpoints 7, 8); "
                        + "the result is decrypted and verified locally and printed as hex (Schnorr c||s, ECDSA r||s||v)."})
    static final class Sign implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--key-file", required = true, paramLabel = "FILE", description = "file with the requester's secret key (64 hex digits)")
        Path keyFile;

        @Option(names = "--key-id", required = true, paramLabel = "HEX", description = "server key id (64 hex digits, 0x optional)")
        String keyId;

        @ArgGroup(exclusive = true, multiplicity = "0..1")
        Scheme scheme;

        static final class Scheme {
            @Option(names = "--schnorr", required = true, paramLabel = "HASH", description = "message hash (64 hex digits) for a threshold Schnorr signature")
            String schnorr;

            @Option(names = "--ecdsa", required = true, paramLabel = "HASH", description = "message hash (64 hex digits) for a threshold ECDSA signature")
            String ecdsa;
        }

        @Option(names = "--url", paramLabel = "URL", split = ",", defaultValue = "http://127.0.0.1:8082",
                description = "with --schnorr/--ecdsa: key server HTTP URLs, tried in order (default: ${DEFAULT-VALUE})")
        List<String> urls;

        @Option(names = "--server-key", paramLabel = "HEX",
                description = "with --schnorr/--ecdsa: the expected server key (128 hex digits); default: retrieved from the key servers (author only)")
        String serverKey;

        @picocli.CommandLine.Mixin
        AuthorizationOptions authorization;

        @picocli.CommandLine.Mixin
        CaFileOption ca;

        @Override
        public Integer call() throws IOException {
            if (scheme == null) {
                if (serverKey != null) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--server-key needs --schnorr or --ecdsa");
                SecretScalar secret = readKeyFile(keyFile);
                try {
                    spec.commandLine().getOut().println(Hex.encode(Ecdsa.sign(secret, H256.fromHex(strip(keyId))).toBytes()));
                } finally {
                    secret.destroy();
                }
                return 0;
            }
            H256 id = H256.fromHex(strip(keyId));
            H256 hash;
            PublicPoint expected;
            try {
                hash = H256.fromHex(strip(scheme.schnorr != null ? scheme.schnorr : scheme.ecdsa));
                expected = serverKey == null ? null : PublicPoint.fromHex(strip(serverKey));
            } catch (CryptoException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "the message hash is 64 hex digits and --server-key 128 hex digits: " + e.getMessage());
            }
            SecretScalar secret = readKeyFile(keyFile);
            byte[] raw = secret.toBytes();
            dev.secretstore.client.Credentials credentials;
            try {
                credentials = dev.secretstore.client.Credentials.fromSecretKey(raw);
            } finally {
                Arrays.fill(raw, (byte) 0);
                secret.destroy();
            }
            try {
                var client = ca.apply(authorization.apply(dev.secretstore.client.SecretStoreClient.builder(urls, credentials), spec), spec).build();
                byte[] sig;
                if (scheme.schnorr != null) {
                    sig = (expected == null ? client.signSchnorr(id, hash) : client.signSchnorr(id, hash, expected)).toBytes();
                } else {
                    sig = (expected == null ? client.signEcdsa(id, hash) : client.signEcdsa(id, hash, expected)).toBytes();
                }
                spec.commandLine().getOut().println(Hex.encode(sig));
            } finally {
                credentials.destroy();
            }
            return 0;
        }
    }

    @Command(name = "document-key", mixinStandardHelpOptions = true,
            description = {"Make a fresh document key for a server key, encrypted to it (common point, encrypted point).",
                "Prints shell assignments DOCUMENT_KEY, COMMON_POINT and ENCRYPTED_POINT; DOCUMENT_KEY is your secret."})
    static final class MakeDocumentKey implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--server-key", required = true, paramLabel = "HEX", description = "the server key returned by generation (128 hex digits, 0x optional)")
        String serverKey;

        @Override
        public Integer call() {
            DocumentKey.Generated g = DocumentKey.generate(PublicPoint.fromHex(strip(serverKey)), new SecureRandom());
            var out = spec.commandLine().getOut();
            out.println("DOCUMENT_KEY=" + g.documentKey().toHex());
            out.println("COMMON_POINT=" + g.encrypted().commonPoint().toHex());
            out.println("ENCRYPTED_POINT=" + g.encrypted().encryptedPoint().toHex());
            return 0;
        }
    }

    @Command(name = "encrypt", mixinStandardHelpOptions = true,
            description = {"Encrypt bytes with a document key (Parity's document encryption: AES-128-CTR, ciphertext||iv); prints hex.",
                "With --id: publish the document read from standard input through the key servers (server key, local document key, store) "
                        + "and print the encrypted document (0x-prefixed hex)."})
    static final class Encrypt implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--document-key", paramLabel = "HEX", description = "document key (128 hex digits)")
        String documentKey;

        @ArgGroup(exclusive = true, multiplicity = "0..1")
        Input input;

        @picocli.CommandLine.Mixin
        IdMode idMode;

        @Option(names = "--threshold", paramLabel = "T", defaultValue = "0",
                description = "with --id: threshold of the new server key (default: ${DEFAULT-VALUE}; t+1 key servers are needed to decrypt)")
        int threshold;

        static final class Input {
            @Option(names = "--text", paramLabel = "TEXT", description = "UTF-8 text to encrypt")
            String text;

            @Option(names = "--data", paramLabel = "HEX", description = "bytes to encrypt, as hex")
            String data;
        }

        @Override
        public Integer call() throws IOException {
            if (idMode.id != null) {
                if (documentKey != null) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give --id or --document-key, not both");
                byte[] plain = input == null ? System.in.readAllBytes()
                        : input.text != null ? input.text.getBytes(StandardCharsets.UTF_8) : Hex.decode(strip(input.data));
                spec.commandLine().getOut().println(idMode.client(spec).encryptDocument(idMode.id, plain, threshold));
                return 0;
            }
            if (documentKey == null || input == null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "give --document-key with --text or --data, or --id (publish through the key servers, document on standard input)");
            }
            byte[] plain = input.text != null ? input.text.getBytes(StandardCharsets.UTF_8) : Hex.decode(strip(input.data));
            spec.commandLine().getOut().println(Hex.encode(DocumentCipher.encrypt(PublicPoint.fromHex(strip(documentKey)), plain)));
            return 0;
        }
    }

    @Command(name = "combine-shadows", mixinStandardHelpOptions = true,
            description = "Combine a shadow retrieval response (HTTP GET /shadow/{key_id}/{signature}) into the document key, with the requester's key file.")
    static final class CombineShadows implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--key-file", required = true, paramLabel = "FILE", description = "the requester's secret key file")
        Path keyFile;

        @Option(names = "--shadows", required = true, paramLabel = "FILE", description = "the JSON response of the shadow retrieval ('-' for standard input)")
        String shadows;

        @Override
        public Integer call() throws IOException {
            spec.commandLine().getOut().println(combine(keyFile, shadows).toHex());
            return 0;
        }
    }

    @Command(name = "decrypt", mixinStandardHelpOptions = true,
            description = {"Decrypt bytes made by 'encrypt' (ciphertext||iv, hex).",
                "The document key comes from --document-key, or from a shadow retrieval response with the requester's key file.",
                "With --id: retrieve the shadows from the key servers as the requester (--key or --keystore), decrypt the encrypted "
                        + "document read from standard input (or --data) locally and write the plaintext bytes to standard output."})
    static final class Decrypt implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--document-key", paramLabel = "HEX", description = "document key (128 hex digits)")
        String documentKey;

        @Option(names = "--key-file", paramLabel = "FILE", description = "the requester's secret key file (with --shadows)")
        Path keyFile;

        @picocli.CommandLine.Mixin
        IdMode idMode;

        @Option(names = "--shadows", paramLabel = "FILE", description = "the JSON response of the shadow retrieval ('-' for standard input)")
        String shadows;

        @Option(names = "--data", paramLabel = "HEX", description = "ciphertext||iv as hex (with --id: default standard input)")
        String data;

        @Option(names = "--hex", description = "print the plaintext as hex even if it is UTF-8 text")
        boolean hex;

        @Override
        public Integer call() throws IOException {
            if (idMode.id != null) {
                if (documentKey != null || shadows != null) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--id cannot be combined with --document-key or --shadows");
                }
                if (keyFile != null && idMode.key == null) idMode.key = keyFile;
                String encrypted = data != null ? data : new String(System.in.readAllBytes(), StandardCharsets.US_ASCII).trim();
                byte[] plain = idMode.client(spec).decryptDocument(idMode.id, encrypted);
                spec.commandLine().getOut().flush();
                if (hex) {
                    spec.commandLine().getOut().println(Hex.encode(plain));
                } else {
                    System.out.write(plain);
                    System.out.flush();
                }
                return 0;
            }
            if (data == null) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--data is required (or --id)");
            PublicPoint key;
            if (documentKey != null) {
                key = PublicPoint.fromHex(strip(documentKey));
            } else if (keyFile != null && shadows != null) {
                key = combine(keyFile, shadows);
            } else {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give --document-key, or --key-file with --shadows");
            }
            byte[] plain = DocumentCipher.decrypt(key, Hex.decode(strip(data)));
            String text = hex ? null : utf8(plain);
            spec.commandLine().getOut().println(text != null ? text : Hex.encode(plain));
            return 0;
        }

        private static String utf8(byte[] b) {
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(b)).toString();
            } catch (CharacterCodingException e) {
                return null;
            }
        }
    }

    /**
     * The {@code --id} mode of {@code encrypt}/{@code decrypt}: publish or consume through the key
     * servers with the Java client ({@code dev.secretstore.client}), the requester given by a secret
     * key file or a keystore v3 file (password from --password-file or the environment).
     */
    static final class IdMode {
        @Option(names = "--id", paramLabel = "HEX", description = "server key id (64 hex digits): publish/consume through the key servers")
        String id;

        @Option(names = "--key", paramLabel = "FILE", description = "with --id: the requester's secret key file (64 hex digits)")
        Path key;

        @Option(names = "--keystore", paramLabel = "FILE", description = "with --id: the requester's keystore v3 file")
        Path keystore;

        @Option(names = "--password-file", paramLabel = "FILE",
                description = "with --keystore: file holding its password (default: the " + RpcCommands.PASSWORD_ENV + " environment variable)")
        Path passwordFile;

        @Option(names = "--url", paramLabel = "URL", split = ",", defaultValue = "http://127.0.0.1:8082",
                description = "with --id: key server HTTP URLs, tried in order (default: ${DEFAULT-VALUE}, node 0 of 'secretstore dev')")
        List<String> urls;

        @picocli.CommandLine.Mixin
        AuthorizationOptions authorization;

        @picocli.CommandLine.Mixin
        CaFileOption ca;

        dev.secretstore.client.SecretStoreClient client(CommandSpec spec) throws IOException {
            dev.secretstore.client.Credentials credentials;
            if (key != null && keystore == null) {
                credentials = dev.secretstore.client.Credentials.fromSecretHex(Files.readString(key, StandardCharsets.US_ASCII));
            } else if (keystore != null && key == null) {
                String password = RpcCommands.password(passwordFile);
                if (password == null) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                            "--keystore needs a password: --password-file FILE or the " + RpcCommands.PASSWORD_ENV + " environment variable");
                }
                credentials = dev.secretstore.client.Credentials.fromKeystore(keystore, password);
            } else {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--id needs one of --key FILE or --keystore FILE");
            }
            try {
                return ca.apply(authorization.apply(dev.secretstore.client.SecretStoreClient.builder(urls, credentials), spec), spec).build();
            } catch (RuntimeException e) {
                credentials.destroy();
                throw e;
            }
        }
    }

    /** M = decrypted_secret + (Σ d_i)·common_point, with every d_i decrypted from its ECIES blob by the requester. */
    static PublicPoint combine(Path keyFile, String shadowsSource) throws IOException {
        byte[] json = shadowsSource.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(shadowsSource));
        JsonNode root = new ObjectMapper().readTree(json);
        if (root == null || !root.isObject() || !root.has("decrypted_secret") || !root.has("common_point") || !root.has("decrypt_shadows")) {
            throw new IllegalArgumentException("not a shadow retrieval response: expected decrypted_secret, common_point and decrypt_shadows"
                    + (root != null && root.isTextual() ? " (the server answered: " + root.textValue() + ")" : ""));
        }
        SecretScalar secret = readKeyFile(keyFile);
        List<SecretScalar> shadows = new ArrayList<>();
        try {
            for (JsonNode blob : root.get("decrypt_shadows")) {
                byte[] d = Ecies.decryptFromServer(secret, Hex.decode(strip(blob.asText())));
                try {
                    shadows.add(SecretScalar.fromBytes(d));
                } finally {
                    Arrays.fill(d, (byte) 0);
                }
            }
            return Decryption.clientCombine(PublicPoint.fromHex(strip(root.get("decrypted_secret").asText())),
                    PublicPoint.fromHex(strip(root.get("common_point").asText())), shadows);
        } finally {
            secret.destroy();
            shadows.forEach(SecretScalar::destroy);
        }
    }
}
