package dev.secretstore.protocol.session;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a finished client-request session on one member contributes to that member's audit line (SEC-29), as
 * data: the node layer writes it. Public values only (SEC-07): never a secret, a signature, a share or a credential.
 *
 * @param operation  the request's operation ({@code retrieve_document_key}, {@code sign_schnorr}, …)
 * @param keyId      the server key the request names
 * @param requester  the requester as this member derived it from the request's credential; empty if it did not
 * @param credential the kind of credential the request carried: {@code static} or {@code fresh}; empty if unknown
 * @param aclAllowed this member's own ACL decision; empty when it did not ask its ACL (no held version, a refused
 *                   credential, a session type without an ACL check)
 * @param aclBlock   the chain block this member's ACL judged at; empty for checkers without a chain
 * @param outcome    the request's outcome where the session's own failure does not tell it (a forwarded request's
 *                   answer); empty: {@code ok} or the session's failure
 */
public record AuditFacts(String operation, H256 keyId, Optional<Address> requester, Optional<String> credential,
                         Optional<Boolean> aclAllowed, OptionalLong aclBlock, Optional<String> outcome) {
    public AuditFacts(String operation, H256 keyId, Optional<Address> requester, Optional<String> credential,
                      Optional<Boolean> aclAllowed, OptionalLong aclBlock) {
        this(operation, keyId, requester, credential, aclAllowed, aclBlock, Optional.empty());
    }

    public AuditFacts {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(requester, "requester");
        Objects.requireNonNull(credential, "credential");
        Objects.requireNonNull(aclAllowed, "aclAllowed");
        Objects.requireNonNull(aclBlock, "aclBlock");
    }

    /** The credential kind of {@code c}: {@code fresh} or {@code static}; empty for null. */
    public static Optional<String> credentialKind(dev.secretstore.protocol.auth.Credential c) {
        if (c instanceof dev.secretstore.protocol.auth.Credential.Fresh) return Optional.of("fresh");
        if (c instanceof dev.secretstore.protocol.auth.Credential.Static) return Optional.of("static");
        return Optional.empty();
    }
}
