package dev.secretstore.protocol.auth;

import dev.secretstore.crypto.auth.Operation;
import java.util.Locale;
import java.util.Set;

/**
 * What a Parity static signature over the key id may still do ({@code [secretstore_ext] legacy_requester_signatures},
 * SEC-32, docs/auth.md §5). Every member applies its own policy to every request it takes part in.
 */
public enum LegacyPolicy {
    /** Parity's behaviour: a static signature authorizes every operation on its key. */
    ALL,
    /**
     * Only operations whose result no single member can read: server-key generation, document-key store, shadow
     * retrieval, and the server key (public) for its author.
     */
    SHADOW_ONLY,
    /** Every request needs a fresh authorization. */
    NONE;

    private static final Set<Operation> SHADOW_ONLY_OPERATIONS = Set.of(Operation.GENERATE_SERVER_KEY, Operation.STORE_DOCUMENT_KEY,
            Operation.RETRIEVE_SERVER_KEY, Operation.RETRIEVE_DOCUMENT_KEY_SHADOWS);

    /** Whether a static signature may authorize {@code operation}. */
    public boolean allowsStatic(Operation operation) {
        return switch (this) {
            case ALL -> true;
            case SHADOW_ONLY -> SHADOW_ONLY_OPERATIONS.contains(operation);
            case NONE -> false;
        };
    }

    /** The configuration spelling: {@code all}, {@code shadow-only}, {@code none}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses {@link #configName()}; anything else is an {@link IllegalArgumentException} naming the accepted values. */
    public static LegacyPolicy parse(String value) {
        for (LegacyPolicy p : values()) {
            if (p.configName().equals(value)) return p;
        }
        throw new IllegalArgumentException("legacy_requester_signatures must be \"all\", \"shadow-only\" or \"none\", got \"" + value + "\"");
    }
}
