package dev.secretstore.protocol.key;

import dev.secretstore.crypto.H256;
import java.util.List;
import java.util.Optional;

/**
 * One page of {@link KeyStorage#inventory}: committed keys in ascending key id order (unsigned bytes, as
 * {@link H256#compareTo}), each with its versions' metadata and no share. {@code next} is the cursor for the
 * following page (the last key id of this one) when the page is full, empty when it is not (no key follows).
 */
public record InventoryPage(List<KeyMetadata> keys, Optional<H256> next) {
    public InventoryPage {
        keys = List.copyOf(keys);
    }
}
