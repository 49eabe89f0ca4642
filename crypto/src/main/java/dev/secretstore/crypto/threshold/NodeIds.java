package dev.secretstore.crypto.threshold;

import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.PublicPoint;
import java.util.Arrays;
import java.util.Comparator;

/** Node ids (64-byte publics): ordering and the culprit label used in error messages. */
public final class NodeIds {
    /** Unsigned lexicographic order of the 64-byte encodings (crypto.md §2). */
    public static final Comparator<PublicPoint> ORDER = (a, b) -> Arrays.compareUnsigned(a.toBytes(), b.toBytes());

    private NodeIds() {}

    /** {@code "node <128 hex digits>"}; node ids are public. */
    public static String label(PublicPoint node) {
        return "node " + node.toHex();
    }

    /** A failed check of {@code culprit}'s contribution; the culprit travels as data ({@link CryptoException#culprit()}). */
    static CryptoException fault(PublicPoint culprit, String what) {
        return new CryptoException(CryptoException.Reason.VERIFICATION_FAILED, culprit, label(culprit) + ": " + what, null);
    }

    static CryptoException invalid(PublicPoint culprit, String what) {
        return new CryptoException(CryptoException.Reason.INVALID_ARGUMENT, culprit, label(culprit) + ": " + what, null);
    }

    static CryptoException invalid(String what) {
        return new CryptoException(CryptoException.Reason.INVALID_ARGUMENT, what);
    }
}
