package dev.secretstore.client.archfixture;

/** A deliberate violation for ArchitectureTest: the client using the JSON-RPC service. */
public final class UsesTheRpcService {
    Class<?> service() {
        return dev.secretstore.rpc.SecretStoreRpc.class;
    }
}
