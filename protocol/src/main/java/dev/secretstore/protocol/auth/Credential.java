package dev.secretstore.protocol.auth;

import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.RecoverableSignature;
import dev.secretstore.crypto.auth.Authorization;
import java.util.Arrays;

/**
 * What a requester presented: Parity's static signature over the key id, or a fresh authorization (SEC-32). Members
 * receive it in the consensus request and derive the requester from it themselves (SEC-31), through
 * {@link RequesterCheck}.
 */
public sealed interface Credential {
    /** The wire form: {@code 0x00 ‖ 65-byte signature} or {@code 0x01 ‖ Authorization.toBytes()}. */
    byte[] encode();

    /** Parity's signature over the raw 32-byte key id (http-api.md §5). */
    record Static(RecoverableSignature signature) implements Credential {
        @Override
        public byte[] encode() {
            byte[] sig = signature.toBytes();
            byte[] out = new byte[1 + sig.length];
            System.arraycopy(sig, 0, out, 1, sig.length);
            return out;
        }

        /** Redacted: under the legacy policy {@code all} the signature authorizes everything on its key, forever. */
        @Override
        public String toString() {
            return "Static[signature=redacted]";
        }
    }

    /** A fresh, operation-bound authorization (docs/auth.md). */
    record Fresh(Authorization authorization) implements Credential {
        @Override
        public byte[] encode() {
            byte[] auth = authorization.toBytes();
            byte[] out = new byte[1 + auth.length];
            out[0] = 1;
            System.arraycopy(auth, 0, out, 1, auth.length);
            return out;
        }
    }

    /**
     * Reads {@link #encode()}'s form.
     *
     * @throws CryptoException for an unknown type byte or a malformed body
     */
    static Credential decode(byte[] bytes) {
        if (bytes == null || bytes.length < 1) throw new CryptoException(CryptoException.Reason.INVALID_ENCODING, "empty credential");
        byte[] body = Arrays.copyOfRange(bytes, 1, bytes.length);
        return switch (bytes[0]) {
            case 0 -> new Static(RecoverableSignature.fromBytes(body));
            case 1 -> new Fresh(Authorization.fromBytes(body));
            default -> throw new CryptoException(CryptoException.Reason.INVALID_ENCODING, "unknown credential type " + bytes[0]);
        };
    }
}
