package dev.secretstore.protocol;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.PublicPoint;

/**
 * Who asked: the public key recovered from the request signature and its address (http-api.md §5).
 * Returned secrets are encrypted to {@link #publicKey()}; permissions are checked on {@link #address()}.
 */
public record Requester(PublicPoint publicKey, Address address) {
    public static Requester of(PublicPoint publicKey) {
        return new Requester(publicKey, publicKey.toAddress());
    }
}
