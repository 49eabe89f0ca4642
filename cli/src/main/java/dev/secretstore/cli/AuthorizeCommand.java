package dev.secretstore.cli;

import dev.secretstore.client.ClusterInfo;
import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.auth.Authorization;
import dev.secretstore.crypto.auth.Operation;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Prints a fresh authorization (docs/auth.md) for one request, for scripts that call the HTTP API with curl:
 * {@code curl -H "Secretstore-Authorization: $(./secretstore authorize …)" …}. The cluster id comes from
 * {@code --cluster-id} or the node's {@code GET /cluster}, whose {@code time} also corrects a skewed local clock.
 */
@Command(name = "authorize", mixinStandardHelpOptions = true,
        description = {"Print a Secretstore-Authorization header value authorizing one request once (docs/auth.md): "
                + "operation, key id and its parameters, for one cluster, until an expiry.",
            "Example: curl -H \"Secretstore-Authorization: $(./secretstore authorize --key-file K --key-id ID --operation shadow)\" "
                    + "http://127.0.0.1:8082/shadow/ID/SIG"})
final class AuthorizeCommand implements Callable<Integer> {
    /** The operations by the names this command takes. */
    enum Op {
        generate(Operation.GENERATE_SERVER_KEY), store(Operation.STORE_DOCUMENT_KEY), generate_document_key(Operation.GENERATE_DOCUMENT_KEY),
        server_key(Operation.RETRIEVE_SERVER_KEY), document_key(Operation.RETRIEVE_DOCUMENT_KEY), shadow(Operation.RETRIEVE_DOCUMENT_KEY_SHADOWS),
        schnorr(Operation.SIGN_SCHNORR), ecdsa(Operation.SIGN_ECDSA);

        final Operation operation;

        Op(Operation operation) {
            this.operation = operation;
        }
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--key-file", required = true, paramLabel = "FILE", description = "file with the requester's secret key (64 hex digits)")
    Path keyFile;

    @Option(names = "--key-id", required = true, paramLabel = "HEX", description = "server key id (64 hex digits, 0x optional)")
    String keyId;

    @Option(names = "--operation", required = true, paramLabel = "OP",
            description = "generate (endpoint 1), store (2), generate_document_key (3), server_key (4), document_key (5), shadow (6), "
                    + "schnorr (7), ecdsa (8)")
    Op op;

    @Option(names = "--threshold", paramLabel = "T", description = "generate, generate_document_key: the threshold")
    Long threshold;

    @Option(names = "--common-point", paramLabel = "HEX", description = "store: the common point C (128 hex digits)")
    String commonPoint;

    @Option(names = "--encrypted-point", paramLabel = "HEX", description = "store: the encrypted point E (128 hex digits)")
    String encryptedPoint;

    @Option(names = "--message-hash", paramLabel = "HEX", description = "schnorr, ecdsa: the message hash (64 hex digits)")
    String messageHash;

    @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:8082",
            description = "key server whose GET /cluster names the cluster and its clock (default: ${DEFAULT-VALUE}); not asked with --cluster-id")
    String url;

    @Option(names = "--cluster-id", paramLabel = "HEX", description = "the cluster's identity (64 hex digits); default: asked with GET /cluster")
    String clusterId;

    @picocli.CommandLine.Mixin
    CaFileOption ca;

    @Option(names = "--lifetime", paramLabel = "SECONDS", defaultValue = "60",
            description = "seconds until the authorization expires (default: ${DEFAULT-VALUE}; capped by the node's max_lifetime)")
    long lifetime;

    @Override
    public Integer call() throws IOException {
        H256 id = hex32(keyId, "--key-id");
        H256 params = params();
        if (lifetime < 1) throw new ParameterException(spec.commandLine(), "--lifetime must be at least 1");
        H256 cluster;
        long offset = 0;
        long now = System.currentTimeMillis() / 1000;
        if (clusterId != null) {
            cluster = hex32(clusterId, "--cluster-id");
        } else {
            Optional<ClusterInfo> info = ClusterInfo.fetch(ca.httpClient(spec, null), URI.create(url.replaceAll("/+$", "")),
                    Duration.ofSeconds(10), now);
            if (info.isEmpty()) {
                throw new ParameterException(spec.commandLine(), url + " has no GET /cluster (a Parity node?): it takes only static signatures");
            }
            cluster = info.get().clusterId();
            offset = info.get().clockOffset();
            if (info.get().maxLifetime().isPresent()) lifetime = Math.min(lifetime, info.get().maxLifetime().getAsLong());
        }
        byte[] nonce = new byte[Authorization.NONCE_LENGTH];
        new SecureRandom().nextBytes(nonce);
        SecretScalar secret = ClientCommands.readKeyFile(keyFile);
        try {
            Authorization a = Authorization.sign(KeyPair.fromSecret(secret), cluster, op.operation, id, params, now + offset + lifetime, nonce);
            spec.commandLine().getOut().println(a.toHeader());
        } finally {
            secret.destroy();
        }
        return 0;
    }

    /** The parameter field of the operation (docs/auth.md §1.3), from the options it needs; others are refused. */
    private H256 params() {
        boolean thresholdOp = op == Op.generate || op == Op.generate_document_key;
        boolean hashOp = op == Op.schnorr || op == Op.ecdsa;
        if (threshold != null && !thresholdOp) throw usage("--threshold only goes with generate and generate_document_key");
        if ((commonPoint != null || encryptedPoint != null) && op != Op.store) throw usage("--common-point and --encrypted-point only go with store");
        if (messageHash != null && !hashOp) throw usage("--message-hash only goes with schnorr and ecdsa");
        if (thresholdOp) {
            if (threshold == null || threshold < 0) throw usage(op + " needs --threshold T (T ≥ 0)");
            return Operation.thresholdParams(threshold);
        }
        if (op == Op.store) {
            if (commonPoint == null || encryptedPoint == null) throw usage("store needs --common-point and --encrypted-point");
            try {
                return Operation.storeParams(PublicPoint.fromHex(ClientCommands.strip(commonPoint)), PublicPoint.fromHex(ClientCommands.strip(encryptedPoint)));
            } catch (CryptoException e) {
                throw usage("--common-point and --encrypted-point are points of 128 hex digits: " + e.getMessage());
            }
        }
        if (hashOp) {
            if (messageHash == null) throw usage(op + " needs --message-hash HEX");
            return hex32(messageHash, "--message-hash");
        }
        return Operation.NO_PARAMS;
    }

    private H256 hex32(String value, String option) {
        try {
            return H256.fromBytes(Hex.decode(Hex.strip0x(value.trim()), 32));
        } catch (CryptoException e) {
            throw usage(option + " is 64 hex digits");
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
