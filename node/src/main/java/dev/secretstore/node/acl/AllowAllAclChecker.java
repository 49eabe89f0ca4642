package dev.secretstore.node.acl;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.protocol.acl.AclChecker;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code acl_contract = "none"}: every requester is allowed. Exists only when configured explicitly
 * (SEC-22); the node logs a warning at start-up and every 10 minutes while it runs with it.
 */
public final class AllowAllAclChecker implements AclChecker {
    public static final String WARNING = "Running SecretStore with disabled ACL check: every requester may retrieve every document key";

    @Override
    public CompletionStage<Decision> check(Address requester, H256 keyId) {
        return CompletableFuture.completedFuture(Decision.allow("acl disabled"));
    }
}
