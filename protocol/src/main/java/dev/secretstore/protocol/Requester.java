package dev.secretstore.protocol;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.protocol.auth.Credential;

/**
 * Who asked: the public key recovered from the requester's own {@link Credential} and its address (http-api.md §5,
 * docs/auth.md). Returned secrets are encrypted to {@link #publicKey()}; permissions are checked on {@link #address()};
 * the credential travels with the request so that every member derives the requester itself (SEC-31), through
 * {@link dev.secretstore.protocol.auth.RequesterCheck}.
 */
public record Requester(PublicPoint publicKey, Address address, Credential credential) {
    public Requester {
        java.util.Objects.requireNonNull(publicKey, "publicKey");
        java.util.Objects.requireNonNull(address, "address");
        java.util.Objects.requireNonNull(credential, "credential");
    }
}
