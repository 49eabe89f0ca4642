package dev.secretstore.cli.eth;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.List;

/** Recursive Length Prefix encoding (Ethereum yellow paper, appendix B); only what transactions need. */
public final class Rlp {
    private Rlp() {}

    /** A byte string. */
    public static byte[] bytes(byte[] b) {
        if (b.length == 1 && (b[0] & 0xff) < 0x80) return b.clone();
        return concat(header(0x80, b.length), b);
    }

    /** A non-negative integer, big-endian without leading zeros (zero is the empty string). */
    public static byte[] integer(BigInteger v) {
        if (v.signum() < 0) throw new IllegalArgumentException("negative");
        if (v.signum() == 0) return bytes(new byte[0]);
        byte[] b = v.toByteArray();
        if (b[0] == 0) b = java.util.Arrays.copyOfRange(b, 1, b.length);
        return bytes(b);
    }

    public static byte[] integer(long v) {
        return integer(BigInteger.valueOf(v));
    }

    /** A list of already encoded items. */
    public static byte[] list(List<byte[]> items) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] i : items) body.writeBytes(i);
        return concat(header(0xc0, body.size()), body.toByteArray());
    }

    private static byte[] header(int offset, int length) {
        if (length < 56) return new byte[] {(byte) (offset + length)};
        byte[] len = BigInteger.valueOf(length).toByteArray();
        if (len[0] == 0) len = java.util.Arrays.copyOfRange(len, 1, len.length);
        byte[] out = new byte[1 + len.length];
        out[0] = (byte) (offset + 55 + len.length);
        System.arraycopy(len, 0, out, 1, len.length);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
