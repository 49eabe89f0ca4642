package dev.secretstore.protocol.key;

import java.util.Optional;

/**
 * The result of one {@link KeyStorage#read}: the key's metadata and this node's checked share of the version
 * the selector chose, read together in one storage access. {@code share} is empty when the selector chose
 * none (e.g. a version id this node does not hold).
 */
public record KeyRead(KeyMetadata key, Optional<OwnShare> share) {}
