package dev.secretstore.node.scenario;

import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.RecoverableSignature;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.Decryption;
import dev.secretstore.crypto.threshold.SchnorrSignature;
import java.util.ArrayList;
import java.util.List;

/** What the requester makes of the key servers' encrypted answers (endpoints 5 to 8); shared by both drivers. */
final class Decrypted {
    private Decrypted() {}

    static PublicPoint documentKey(KeyPair requester, byte[] blob) {
        return PublicPoint.fromBytes(Ecies.decryptFromServer(requester.secret(), blob));
    }

    static PublicPoint documentKeyFromShadows(KeyPair requester, PublicPoint decryptedSecret, PublicPoint commonPoint, List<byte[]> shadows) {
        List<SecretScalar> ds = new ArrayList<>();
        for (byte[] blob : shadows) ds.add(SecretScalar.fromBytes(Ecies.decryptFromServer(requester.secret(), blob)));
        return Decryption.clientCombine(decryptedSecret, commonPoint, ds);
    }

    static SchnorrSignature schnorr(KeyPair requester, byte[] blob) {
        return SchnorrSignature.fromBytes(Ecies.decryptFromServer(requester.secret(), blob));
    }

    static RecoverableSignature ecdsa(KeyPair requester, byte[] blob) {
        return RecoverableSignature.fromBytes(Ecies.decryptFromServer(requester.secret(), blob));
    }
}
