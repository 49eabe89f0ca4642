package dev.secretstore.rpc.json;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * Result of {@code secretstore_generateDocumentKey} (jsonrpc.md §4.2), members in Parity's order.
 * The writer does not validate the points (test-vectors.md A.9 serializes non-curve values); the
 * method that builds it only ever passes real points.
 */
@JsonPropertyOrder({"common_point", "encrypted_point", "encrypted_key"})
public record EncryptedDocumentKey(
        @JsonProperty("common_point") HexBytes commonPoint,
        @JsonProperty("encrypted_point") HexBytes encryptedPoint,
        @JsonProperty("encrypted_key") HexBytes encryptedKey) {}
