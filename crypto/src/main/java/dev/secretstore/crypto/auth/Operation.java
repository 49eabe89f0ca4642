package dev.secretstore.crypto.auth;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.NodeSetHash;
import dev.secretstore.crypto.PublicPoint;
import java.math.BigInteger;
import java.util.Collection;

/**
 * What a fresh authorization allows (docs/auth.md): one HTTP endpoint of the key server, or an administrative
 * request. The one-byte {@link #code()} enters the signed hash; {@link #params} helpers compute the 32-byte
 * parameter field each operation binds.
 */
public enum Operation {
    /** Endpoint 1; params: the threshold, 32 bytes big-endian. */
    GENERATE_SERVER_KEY(1),
    /** Endpoint 2; params: keccak256(common point ‖ encrypted point), 64 bytes each. */
    STORE_DOCUMENT_KEY(2),
    /** Endpoint 3; params: the threshold, 32 bytes big-endian. */
    GENERATE_DOCUMENT_KEY(3),
    /** Endpoint 4; params: zero. */
    RETRIEVE_SERVER_KEY(4),
    /** Endpoint 5 (the master assembles the document key); params: zero. */
    RETRIEVE_DOCUMENT_KEY(5),
    /** Endpoint 6 (decryption shadows); params: zero. */
    RETRIEVE_DOCUMENT_KEY_SHADOWS(6),
    /** Endpoint 7; params: the message hash. */
    SIGN_SCHNORR(7),
    /** Endpoint 8; params: the message hash. */
    SIGN_ECDSA(8),
    /** Servers-set change (administrator); key id zero; params: keccak256(old set hash ‖ new set hash), crypto.md §8. */
    CHANGE_SERVERS_SET(9),
    /** Share refresh (administrator); key id zero; params: the refresh message hash over the key ids (docs/availability/refresh.md). */
    REFRESH_SHARES(10);

    private final int code;

    Operation(int code) {
        this.code = code;
    }

    /** The byte this operation contributes to the signed hash. */
    public int code() {
        return code;
    }

    /** The operation of {@code code}, or an {@link IllegalArgumentException}. */
    public static Operation ofCode(int code) {
        for (Operation op : values()) {
            if (op.code == code) return op;
        }
        throw new IllegalArgumentException("unknown operation code " + code);
    }

    /** The parameter field of an operation that binds none. */
    public static final H256 NO_PARAMS = H256.fromBytes(new byte[32]);

    /** Params of {@link #GENERATE_SERVER_KEY} and {@link #GENERATE_DOCUMENT_KEY}: the threshold (unsigned 64-bit) as 32 bytes big-endian. */
    public static H256 thresholdParams(long threshold) {
        byte[] out = new byte[32];
        byte[] v = new BigInteger(Long.toUnsignedString(threshold)).toByteArray();
        int n = Math.min(v.length, 8);
        System.arraycopy(v, v.length - n, out, 32 - n, n);
        return H256.fromBytes(out);
    }

    /** Params of {@link #STORE_DOCUMENT_KEY}: keccak256(C ‖ E). */
    public static H256 storeParams(PublicPoint commonPoint, PublicPoint encryptedPoint) {
        return H256.keccak(commonPoint.toBytes(), encryptedPoint.toBytes());
    }

    /** Params of {@link #CHANGE_SERVERS_SET}: keccak256(NodeSetHash(old) ‖ NodeSetHash(new)). */
    public static H256 serversSetParams(Collection<PublicPoint> oldSet, Collection<PublicPoint> newSet) {
        return H256.keccak(NodeSetHash.of(oldSet).toBytes(), NodeSetHash.of(newSet).toBytes());
    }
}
