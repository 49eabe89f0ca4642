package dev.secretstore.bench.cluster;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The HTTP operations the cluster benchmark drives (http-api.md §6). */
public enum Operation {
    /** Endpoint 1: {@code POST /shadow/{id}/{sig}/{t}}, a fresh key id each time. */
    GENERATE("generate", "server-key generation"),
    /** Endpoint 2: {@code POST /shadow/{id}/{sig}/{C}/{E}} on a server key that has no document key yet. */
    STORE("store", "document-key store"),
    /** Endpoint 6: {@code GET /shadow/{id}/{sig}}. */
    SHADOW("shadow", "shadow retrieval"),
    /** Endpoint 5: {@code GET /{id}/{sig}}. */
    RETRIEVE("retrieve", "document-key retrieval"),
    /** Endpoint 7: {@code GET /schnorr/{id}/{sig}/{message hash}}. */
    SCHNORR("schnorr", "Schnorr signing"),
    /** Endpoint 8: {@code GET /ecdsa/{id}/{sig}/{message hash}}; needs 2t+1 ≤ N. */
    ECDSA("ecdsa", "ECDSA signing");

    private final String id;
    private final String title;

    Operation(String id, String title) {
        this.id = id;
        this.title = title;
    }

    /** The name on the command line and in JSON. */
    public String id() {
        return id;
    }

    public String title() {
        return title;
    }

    /** Size of the group that computes: t+1, or 2t+1 for ECDSA (the whole key for generation: N). */
    public int groupSize(int n, int t) {
        return switch (this) {
            case GENERATE -> n;
            case STORE -> n;
            case ECDSA -> 2 * t + 1;
            default -> t + 1;
        };
    }

    /** Why this operation cannot run with N nodes and threshold t, or null if it can. */
    public String unsupported(int n, int t) {
        if (t < 0 || t >= n) return "threshold " + t + " needs 0 ≤ t < N (N = " + n + ")";
        if (this == ECDSA && (t < 1 || 2 * t + 1 > n)) return "ECDSA signing needs 1 ≤ t and 2t+1 ≤ N (t = " + t + ", N = " + n + ")";
        return null;
    }

    /** Existing keys the operation uses: with a document key (retrievals, signing), without one (store), none (generation). */
    public boolean usesKeysWithDocumentKey() {
        return this == SHADOW || this == RETRIEVE || this == SCHNORR || this == ECDSA;
    }

    public static Operation parse(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        for (Operation op : values()) {
            if (op.id.equals(v) || op.name().toLowerCase(Locale.ROOT).equals(v)) return op;
        }
        throw new IllegalArgumentException("unknown operation '" + s + "'; one of " + ids());
    }

    public static String ids() {
        return Arrays.stream(values()).map(Operation::id).collect(Collectors.joining(", "));
    }
}
