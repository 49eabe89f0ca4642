package dev.secretstore.cli;

import dev.secretstore.client.SecretStoreClient;
import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Model.CommandSpec;

/**
 * How a command that calls a key server's HTTP API authorizes its requests (docs/auth.md §6): by default a fresh
 * authorization for the cluster named by {@code GET /cluster} (or {@code --cluster-id}), falling back to Parity's static
 * signature over the key id against a key server without it; {@code --legacy-signature} forces Parity's form,
 * {@code --fresh-only} forbids the fallback.
 */
final class AuthorizationOptions {
    @Option(names = "--legacy-signature",
            description = "send Parity's static requester signature over the key id instead of a fresh Secretstore-Authorization (docs/auth.md)")
    boolean legacySignature;

    @Option(names = "--fresh-only",
            description = "never fall back to Parity's static signature: fail against a key server without GET /cluster")
    boolean freshOnly;

    @Option(names = "--cluster-id", paramLabel = "HEX",
            description = "the cluster's identity (64 hex digits, as in the node's log, /health or GET /cluster); default: asked with GET /cluster")
    String clusterId;

    /** The client mode these options select; {@code --legacy-signature} with {@code --fresh-only} is a usage error. */
    SecretStoreClient.AuthorizationMode mode(CommandSpec spec) {
        if (legacySignature && freshOnly) throw new ParameterException(spec.commandLine(), "--legacy-signature and --fresh-only exclude each other");
        if (legacySignature) return SecretStoreClient.AuthorizationMode.LEGACY;
        return freshOnly ? SecretStoreClient.AuthorizationMode.FRESH_ONLY : SecretStoreClient.AuthorizationMode.AUTO;
    }

    /** {@code --cluster-id}, or null. */
    H256 clusterId(CommandSpec spec) {
        if (clusterId == null) return null;
        try {
            return H256.fromBytes(Hex.decode(Hex.strip0x(clusterId.trim()), 32));
        } catch (CryptoException e) {
            throw new ParameterException(spec.commandLine(), "--cluster-id is 64 hex digits");
        }
    }

    /** Applies the options to a client builder. */
    SecretStoreClient.Builder apply(SecretStoreClient.Builder builder, CommandSpec spec) {
        builder.authorization(mode(spec));
        H256 id = clusterId(spec);
        if (id != null) builder.clusterId(id);
        return builder;
    }
}
