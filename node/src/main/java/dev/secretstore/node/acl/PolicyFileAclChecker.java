package dev.secretstore.node.acl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.H256;
import dev.secretstore.protocol.acl.AclChecker;
import dev.secretstore.protocol.key.KeyShare;
import dev.secretstore.protocol.key.KeyStorage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code acl_contract = "policy"} (acl-and-config.md §2.6): the key's author is always allowed;
 * anyone else only with a matching grant from the policy file. Fails closed: a key this node does not
 * hold, or any error, is a denial.
 *
 * <pre>
 * [[grant]]
 * address = "0x&lt;40 hex&gt;"
 * key_id  = "0x&lt;64 hex&gt;"   # or "*"
 * </pre>
 */
public final class PolicyFileAclChecker implements AclChecker {
    /** A grant; {@code keyId} empty means every key. */
    public record Grant(Address address, Optional<H256> keyId) {}

    private final KeyStorage storage;
    private final Set<Grant> grants;
    private final String source;

    public PolicyFileAclChecker(Set<Grant> grants, KeyStorage storage, String source) {
        this.grants = Set.copyOf(grants);
        this.storage = storage;
        this.source = source;
    }

    /** Reads the policy file; any problem is an {@link IllegalArgumentException} naming the file and the grant. */
    public static Set<Grant> load(Path file) {
        JsonNode root;
        try {
            root = new TomlMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the ACL policy file: " + e.getClass().getSimpleName());
        }
        Set<Grant> out = new HashSet<>();
        if (root == null || root.isEmpty()) return out;
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            String name = it.next().getKey();
            if (!name.equals("grant")) throw new IllegalArgumentException(file + ": unknown entry '" + name + "' (expected [[grant]])");
        }
        JsonNode list = root.get("grant");
        if (!list.isArray()) throw new IllegalArgumentException(file + ": 'grant' must be an array of tables ([[grant]])");
        int i = 0;
        for (JsonNode g : list) {
            i++;
            for (Iterator<String> names = g.fieldNames(); names.hasNext(); ) {
                String n = names.next();
                if (!n.equals("address") && !n.equals("key_id")) {
                    throw new IllegalArgumentException(file + ": grant " + i + ": unknown option '" + n + "'");
                }
            }
            try {
                Address address = Address.fromHex(text(g, "address", file, i));
                String key = text(g, "key_id", file, i);
                out.add(new Grant(address, key.equals("*") ? Optional.empty() : Optional.of(H256.fromHex(key))));
            } catch (CryptoException e) {
                throw new IllegalArgumentException(file + ": grant " + i + ": " + e.getMessage());
            }
        }
        return out;
    }

    private static String text(JsonNode g, String field, Path file, int i) {
        JsonNode v = g.get(field);
        if (v == null || !v.isTextual()) throw new IllegalArgumentException(file + ": grant " + i + ": '" + field + "' must be a string");
        return v.textValue();
    }

    @Override
    public CompletionStage<Decision> check(Address requester, H256 keyId) {
        try {
            Optional<KeyShare> share = storage.get(keyId);
            if (share.isPresent() && share.get().author().equals(requester)) {
                return CompletableFuture.completedFuture(Decision.allow(source + ": author"));
            }
            boolean granted = grants.contains(new Grant(requester, Optional.of(keyId))) || grants.contains(new Grant(requester, Optional.empty()));
            return CompletableFuture.completedFuture(granted ? Decision.allow(source + ": grant") : Decision.deny(source));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(Decision.deny(source + ": error"));
        }
    }
}
