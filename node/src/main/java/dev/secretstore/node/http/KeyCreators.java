package dev.secretstore.node.http;

import dev.secretstore.crypto.Address;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Who may create server keys (endpoints 1 and 3), decided at the node that receives the request, after the
 * requester is recovered and before any session starts (security.md SEC-35, {@code [secretstore_ext]
 * key_creators}). {@link #anyone()} is Parity's behaviour. A refused requester gets Parity's
 * {@code 403 "Access denied"}.
 */
public final class KeyCreators {
    private static final KeyCreators ANYONE = new KeyCreators(Optional.empty(), null, false);
    private static final KeyCreators CONTRACT = new KeyCreators(Optional.empty(), null, true);

    private final Optional<Set<Address>> allowed;
    /** A further decision every creator must also pass (the ACL policy file's {@code [[creator]]}); null: none. */
    private final Predicate<Address> also;
    /** {@code key_creators = "contract"}: the node must add the ACL contract's {@code canCreateKeys} with {@link #and}. */
    private final boolean asksContract;

    private KeyCreators(Optional<Set<Address>> allowed, Predicate<Address> also, boolean asksContract) {
        this.allowed = allowed;
        this.also = also;
        this.asksContract = asksContract;
    }

    /** Every requester may create keys (the default). */
    public static KeyCreators anyone() {
        return ANYONE;
    }

    /** Only these requesters may create keys; an empty set lets nobody create keys through this node. */
    public static KeyCreators only(Set<Address> addresses) {
        return new KeyCreators(Optional.of(Set.copyOf(Objects.requireNonNull(addresses, "addresses"))), null, false);
    }

    /**
     * {@code key_creators = "contract"}: the ACL contract's {@code canCreateKeys(address)} decides. This value
     * only marks the mode; until the node adds that decision with {@link #and} it refuses everyone (fail closed).
     */
    public static KeyCreators fromContract() {
        return CONTRACT;
    }

    /** True for {@link #fromContract()}: the node must add the contract's decision. */
    public boolean asksContract() {
        return asksContract;
    }

    /** These creators, of whom {@code decision} must also allow a requester (both must say yes). */
    public KeyCreators and(Predicate<Address> decision) {
        Objects.requireNonNull(decision, "decision");
        return new KeyCreators(allowed, also == null ? decision : also.and(decision), asksContract);
    }

    public boolean mayCreate(Address requester) {
        if (asksContract && also == null) return false;
        return allowed.map(a -> a.contains(requester)).orElse(true) && (also == null || also.test(requester));
    }

    /** The allow-list, empty for {@link #anyone()}. */
    public Optional<Set<Address>> allowed() {
        return allowed;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyCreators k && k.allowed.equals(allowed) && Objects.equals(k.also, also) && k.asksContract == asksContract;
    }

    @Override
    public int hashCode() {
        return allowed.hashCode();
    }

    @Override
    public String toString() {
        return allowed.map(a -> "KeyCreators" + a).orElse(asksContract ? "KeyCreators[contract]" : "KeyCreators[anyone]")
                + (also == null ? "" : " and a further decision");
    }
}
