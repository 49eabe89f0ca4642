package dev.secretstore.crypto.auth;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.CryptoException.Reason;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.RecoverableSignature;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fresh authorization (SEC-32, docs/auth.md): the requester's signature over one operation on one key with its
 * parameters, for one cluster, until an expiry, with a nonce that makes it usable once. Immutable and public (it is
 * no secret, but it is a credential until it expires: do not log it whole).
 *
 * <p>The signed hash (docs/auth.md §2):
 *
 * <pre>
 *   keccak256( "secretstore/v1/request-authorization" ‖ 0x00 ‖ cluster id (32) ‖ operation code (1)
 *              ‖ key id (32) ‖ params (32) ‖ expires (8, big-endian unix seconds) ‖ nonce (16) )
 * </pre>
 *
 * signed as a raw recoverable ECDSA signature (crypto.md §4). The authorization names its {@link #signer()}; a
 * signature that recovers to another address (another operation, key, parameter, cluster or expiry than the one
 * signed, or a forgery) is refused, never taken as another requester.
 */
public final class Authorization {
    /** The HTTP request header that carries an authorization. */
    public static final String HEADER = "Secretstore-Authorization";
    /** The domain tag of the signed hash. */
    public static final String TAG = "secretstore/v1/request-authorization";
    /** The version this class reads and writes. */
    public static final int VERSION = 1;
    /** Length of the binary form: version, expires, nonce, signer, signature. */
    public static final int LENGTH = 1 + 8 + 16 + Address.LENGTH + RecoverableSignature.LENGTH;
    /** Length of a nonce in bytes. */
    public static final int NONCE_LENGTH = 16;

    private static final int MAX_HEADER_LENGTH = 400;
    private static final Pattern HEADER_FORM = Pattern.compile(
            "v1 expires=([0-9]{1,19}) nonce=([0-9a-fA-F]{32}) signer=0[xX]([0-9a-fA-F]{40}) signature=(?:0[xX])?([0-9a-fA-F]{130})");

    private final long expires;
    private final byte[] nonce;
    private final Address signer;
    private final RecoverableSignature signature;

    private Authorization(long expires, byte[] nonce, Address signer, RecoverableSignature signature) {
        if (expires <= 0) throw new CryptoException(Reason.INVALID_ENCODING, "authorization expiry must be positive");
        if (nonce.length != NONCE_LENGTH) throw new CryptoException(Reason.INVALID_ENCODING, "authorization nonce must be 16 bytes");
        this.expires = expires;
        this.nonce = nonce.clone();
        this.signer = signer;
        this.signature = signature;
    }

    public static Authorization of(long expires, byte[] nonce, Address signer, RecoverableSignature signature) {
        return new Authorization(expires, nonce, signer, signature);
    }

    /** The hash a requester signs (see the class comment). */
    public static H256 hash(H256 clusterId, Operation operation, H256 keyId, H256 params, long expires, byte[] nonce) {
        if (nonce.length != NONCE_LENGTH) throw new IllegalArgumentException("nonce must be 16 bytes");
        return H256.keccak(ClusterId.tag(TAG), clusterId.toBytes(), new byte[] {(byte) operation.code()}, keyId.toBytes(),
                params.toBytes(), ByteBuffer.allocate(8).putLong(expires).array(), nonce);
    }

    /** Signs one operation with {@code requester}'s key. */
    public static Authorization sign(KeyPair requester, H256 clusterId, Operation operation, H256 keyId, H256 params, long expires,
                                     byte[] nonce) {
        RecoverableSignature sig = Ecdsa.sign(requester.secret(), hash(clusterId, operation, keyId, params, expires, nonce));
        return new Authorization(expires, nonce, Address.of(requester.publicKey()), sig);
    }

    /**
     * The requester's public key, if this authorization was signed by {@link #signer()} for exactly this cluster,
     * operation, key and parameters. Expiry and nonce are the caller's to check (they need a clock and memory).
     *
     * @throws CryptoException {@code INVALID_SIGNATURE} if the signature does not recover, or recovers to another address
     */
    public PublicPoint verify(H256 clusterId, Operation operation, H256 keyId, H256 params) {
        PublicPoint recovered = Ecdsa.recover(signature, hash(clusterId, operation, keyId, params, expires, nonce));
        if (!Address.of(recovered).equals(signer)) {
            throw new CryptoException(Reason.INVALID_SIGNATURE,
                    "authorization was not signed by " + signer.toHex() + " for this operation, key, parameters and cluster");
        }
        return recovered;
    }

    public long expires() {
        return expires;
    }

    public byte[] nonce() {
        return nonce.clone();
    }

    public Address signer() {
        return signer;
    }

    public RecoverableSignature signature() {
        return signature;
    }

    /** {@code v1 expires=<decimal> nonce=<32 hex> signer=0x<40 hex> signature=<130 hex>}, single spaces. */
    public String toHeader() {
        return "v1 expires=" + expires + " nonce=" + Hex.encode(nonce) + " signer=0x" + Hex.encode(signer.toBytes()) + " signature="
                + Hex.encode(signature.toBytes());
    }

    /**
     * Parses the header form strictly (hex of either case, {@code 0x} optional before the signature only).
     *
     * @throws CryptoException {@code INVALID_ENCODING} or {@code INVALID_SIGNATURE} with a message naming the fault
     */
    public static Authorization parseHeader(String value) {
        if (value == null || value.length() > MAX_HEADER_LENGTH) {
            throw new CryptoException(Reason.INVALID_ENCODING, "authorization header is missing or too long");
        }
        Matcher m = HEADER_FORM.matcher(value.strip());
        if (!m.matches()) {
            throw new CryptoException(Reason.INVALID_ENCODING,
                    "authorization header must read \"v1 expires=<unix seconds> nonce=<32 hex> signer=0x<40 hex> signature=<130 hex>\"");
        }
        long expires;
        try {
            expires = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new CryptoException(Reason.INVALID_ENCODING, "authorization expiry out of range");
        }
        return new Authorization(expires, Hex.decode(m.group(2), NONCE_LENGTH), Address.fromBytes(Hex.decode(m.group(3), Address.LENGTH)),
                RecoverableSignature.fromBytes(Hex.decode(m.group(4), RecoverableSignature.LENGTH)));
    }

    /** The binary form (cluster messages): version ‖ expires ‖ nonce ‖ signer ‖ signature, {@link #LENGTH} bytes. */
    public byte[] toBytes() {
        return ByteBuffer.allocate(LENGTH).put((byte) VERSION).putLong(expires).put(nonce).put(signer.toBytes()).put(signature.toBytes())
                .array();
    }

    /** Reads {@link #toBytes()}'s form; any other length or version is {@code INVALID_ENCODING}. */
    public static Authorization fromBytes(byte[] bytes) {
        if (bytes == null || bytes.length != LENGTH || bytes[0] != VERSION) {
            throw new CryptoException(Reason.INVALID_ENCODING, "authorization must be " + LENGTH + " bytes of version " + VERSION);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes, 1, LENGTH - 1);
        long expires = in.getLong();
        byte[] nonce = new byte[NONCE_LENGTH];
        in.get(nonce);
        byte[] signer = new byte[Address.LENGTH];
        in.get(signer);
        byte[] sig = new byte[RecoverableSignature.LENGTH];
        in.get(sig);
        return new Authorization(expires, nonce, Address.fromBytes(signer), RecoverableSignature.fromBytes(sig));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Authorization a && Arrays.equals(toBytes(), a.toBytes());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(toBytes());
    }

    /** Signer and expiry only: the whole authorization is a credential until it expires. */
    @Override
    public String toString() {
        return "Authorization[signer=" + signer.toHex() + ", expires=" + expires + "]";
    }
}
