package dev.secretstore.node.audit;

/** Where the HTTP edge writes the lines of requests no session recorded (SEC-29); {@link AuditTrail} in a node. */
@FunctionalInterface
public interface EdgeAudit {
    /** Writes {@code line}; throws a {@link dev.secretstore.protocol.SecretStoreException} ({@code DATABASE}) when it cannot. */
    void recordAlone(AuditTrail.Alone line);

    EdgeAudit NONE = line -> { };
}
