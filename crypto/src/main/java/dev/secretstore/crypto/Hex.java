package dev.secretstore.crypto;

/** Hex encoding: lower case out; either case in; no prefix handling (callers strip {@code 0x}). */
public final class Hex {
    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private Hex() {}

    public static String encode(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = DIGITS[(bytes[i] >> 4) & 0xf];
            out[2 * i + 1] = DIGITS[bytes[i] & 0xf];
        }
        return new String(out);
    }

    /** {@code "0x"} followed by lower-case hex, the client-facing form. */
    public static String encodePrefixed(byte[] bytes) {
        return "0x" + encode(bytes);
    }

    /** Decodes an even number of hex digits (either case). Anything else is {@code INVALID_ENCODING}. */
    public static byte[] decode(CharSequence hex) {
        int len = hex.length();
        if ((len & 1) != 0) {
            throw new CryptoException(CryptoException.Reason.INVALID_ENCODING, "odd number of hex digits: " + len);
        }
        byte[] out = new byte[len / 2];
        for (int i = 0; i < out.length; i++) {
            int hi = digit(hex.charAt(2 * i));
            int lo = digit(hex.charAt(2 * i + 1));
            if (hi < 0 || lo < 0) {
                throw new CryptoException(CryptoException.Reason.INVALID_ENCODING, "not a hex digit at " + (hi < 0 ? 2 * i : 2 * i + 1));
            }
            out[i] = (byte) ((hi << 4) | lo);
        }
        return out;
    }

    /** Decodes exactly {@code expectedBytes} bytes of hex. */
    public static byte[] decode(CharSequence hex, int expectedBytes) {
        if (hex.length() != expectedBytes * 2) {
            throw new CryptoException(CryptoException.Reason.INVALID_ENCODING,
                    "expected " + expectedBytes * 2 + " hex digits, got " + hex.length());
        }
        return decode(hex);
    }

    /** Decodes hex with an optional {@code 0x}/{@code 0X} prefix. */
    public static byte[] decodeLenient(CharSequence hex) {
        return decode(strip0x(hex));
    }

    public static CharSequence strip0x(CharSequence hex) {
        if (hex.length() >= 2 && hex.charAt(0) == '0' && (hex.charAt(1) == 'x' || hex.charAt(1) == 'X')) {
            return hex.subSequence(2, hex.length());
        }
        return hex;
    }

    private static int digit(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }
}
