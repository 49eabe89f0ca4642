package dev.secretstore.crypto.threshold;

import java.io.ByteArrayOutputStream;

/** Length-prefixed transcript encoding of crypto.md §11.1: {@code len(field) as 4-byte BE ‖ field}. */
final class Transcript {
    private Transcript() {}

    static void append(ByteArrayOutputStream out, byte[] field) {
        int n = field.length;
        out.write(n >>> 24);
        out.write(n >>> 16);
        out.write(n >>> 8);
        out.write(n);
        out.writeBytes(field);
    }
}
