package dev.secretstore.crypto.threshold;

import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.Keccak256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Secp256k1;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.bouncycastle.math.ec.ECPoint;

/**
 * The Pedersen second generator {@code H} with no known discrete logarithm (crypto.md §10.3.3,
 * SEC-09): try-and-increment from the tag {@code secretstore/v1/pedersen-h}, even square root.
 */
public final class PedersenGenerator {
    public static final String TAG = "secretstore/v1/pedersen-h";

    /**
     * The production {@code H}, computed once from the definition, with its fixed-base table: every key
     * generation multiplies it by secrets (each dealer's blinding coefficients, each received share).
     */
    public static final PublicPoint H = derive(TAG).withFixedBaseTable();

    private PedersenGenerator() {}

    /** Runs the try-and-increment derivation for {@code tag} (package-visible for the SEC-09 test). */
    static PublicPoint derive(String tag) {
        byte[] t = tag.getBytes(StandardCharsets.US_ASCII);
        for (int ctr = 0; ctr >= 0; ctr++) {
            byte[] c = {(byte) (ctr >>> 24), (byte) (ctr >>> 16), (byte) (ctr >>> 8), (byte) ctr};
            byte[] x = Keccak256.hash(t, c);
            if (new BigInteger(1, x).compareTo(Secp256k1.P) >= 0) {
                continue;
            }
            byte[] compressed = new byte[33];
            compressed[0] = 0x02; // even Y
            System.arraycopy(x, 0, compressed, 1, 32);
            ECPoint p;
            try {
                p = Secp256k1.CURVE.decodePoint(compressed).normalize(); // fails iff x³+7 is not a square
            } catch (IllegalArgumentException notOnCurve) {
                continue;
            }
            byte[] sec1 = p.getEncoded(false);
            return PublicPoint.fromBytes(Arrays.copyOfRange(sec1, 1, 65));
        }
        throw new CryptoException(CryptoException.Reason.ZERO_RESULT, "no generator found");
    }
}
