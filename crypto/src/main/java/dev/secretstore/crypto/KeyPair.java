package dev.secretstore.crypto;

import javax.security.auth.Destroyable;

/** A secret key and its public key. {@code toString} shows only the public half. */
public final class KeyPair implements Destroyable {
    private final SecretScalar secret;
    private final PublicPoint publicKey;

    private KeyPair(SecretScalar secret, PublicPoint publicKey) {
        this.secret = secret;
        this.publicKey = publicKey;
    }

    public static KeyPair fromSecret(SecretScalar secret) {
        return new KeyPair(secret, secret.mulG());
    }

    public static KeyPair fromSecretBytes(byte[] secret32) {
        return fromSecret(SecretScalar.fromBytes(secret32));
    }

    public static KeyPair random() {
        return fromSecret(SecretScalar.random());
    }

    public SecretScalar secret() {
        return secret;
    }

    public PublicPoint publicKey() {
        return publicKey;
    }

    public Address address() {
        return publicKey.toAddress();
    }

    @Override
    public void destroy() {
        secret.destroy();
    }

    @Override
    public boolean isDestroyed() {
        return secret.isDestroyed();
    }

    @Override
    public String toString() {
        return "KeyPair[public=" + publicKey.toHex() + "]";
    }
}
