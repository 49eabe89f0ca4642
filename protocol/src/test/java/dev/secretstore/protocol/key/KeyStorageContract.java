package dev.secretstore.protocol.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link KeyStorage} backend must have (SEC-25, SEC-26). A backend's test extends
 * this class and supplies {@link #open()}; backends that persist also implement {@link #reopen()}.
 */
public abstract class KeyStorageContract {
    protected KeyStorage storage;

    /** A fresh, empty storage. */
    protected abstract KeyStorage open() throws Exception;

    /** Closes and reopens the same storage (same files); in-memory backends return the same instance. */
    protected abstract KeyStorage reopen() throws Exception;

    @BeforeEach
    void setUp() throws Exception {
        storage = open();
    }

    @AfterEach
    void tearDown() {
        storage.close();
    }

    protected static final NodeId N1 = new NodeId(KeyPair.random().publicKey());
    protected static final NodeId N2 = new NodeId(KeyPair.random().publicKey());

    protected static final Address AUTHOR = Address.fromHex("0x00a329c0648769a73afac7f9381e08fb43dbea72");

    /**
     * A consistent t = 1 sharing in which {@code share} is N1's share at x = 7 (SEC-11: N1's public share
     * derived from the commitment vector equals share·G). Backends that verify the own share on
     * write or read are opened as node N1.
     */
    protected static KeyShare sampleShare(H256 keyId, SecretScalar share) {
        SecretScalar f1 = SecretScalar.random();
        SecretScalar f0 = share.sub(f1.mul(Scalar.of(7)));
        PublicPoint a0 = f0.mulG();
        KeyVersion v = new KeyVersion(Map.of(N1, Scalar.of(7), N2, Scalar.of(9)), share, List.of(a0, f1.mulG()));
        return new KeyShare(keyId, AUTHOR, 1, a0, Optional.empty(), List.of(v));
    }

    /** The version of the polynomial f0 + f1·x held at x1 (N1, whose share it carries) and x2 (N2). */
    protected static KeyVersion sampleVersion(SecretScalar f0, SecretScalar f1, long x1, long x2) {
        SecretScalar share = f0.add(f1.mul(Scalar.of(x1)));
        return new KeyVersion(Map.of(N1, Scalar.of(x1), N2, Scalar.of(x2)), share, List.of(f0.mulG(), f1.mulG()));
    }

    protected static H256 id(int i) {
        byte[] b = new byte[32];
        b[31] = (byte) i;
        return H256.fromBytes(b);
    }

    @Test
    void freshStorageIsEmpty() {
        assertThat(storage.keyIds()).isEmpty();
        assertThat(storage.pendingKeyIds()).isEmpty();
        assertThat(storage.get(id(1))).isEmpty();
    }

    @Test
    void preparedKeyIsInvisibleUntilCommitted() { // SEC-25
        SecretScalar s = SecretScalar.random();
        storage.prepareNewKey(sampleShare(id(1), s.copy()));
        assertThat(storage.get(id(1))).isEmpty();
        assertThat(storage.pendingKeyIds()).containsExactly(id(1));
        storage.commit(id(1));
        KeyShare got = storage.get(id(1)).orElseThrow();
        assertThat(got.latestVersion().share()).isEqualTo(s);
        assertThat(storage.pendingKeyIds()).isEmpty();
        assertThat(storage.keyIds()).containsExactly(id(1));
    }

    @Test
    void committedKeyRoundTripsEveryField() throws Exception {
        KeyShare in = sampleShare(id(2), SecretScalar.random());
        storage.prepareNewKey(in);
        storage.commit(id(2));
        storage = reopen();
        KeyShare out = storage.get(id(2)).orElseThrow();
        assertThat(out.keyId()).isEqualTo(in.keyId());
        assertThat(out.author()).isEqualTo(in.author());
        assertThat(out.threshold()).isEqualTo(in.threshold());
        assertThat(out.publicKey()).isEqualTo(in.publicKey());
        assertThat(out.documentKey()).isEmpty();
        assertThat(out.versions()).hasSize(1);
        KeyVersion vi = in.latestVersion();
        KeyVersion vo = out.latestVersion();
        assertThat(vo.hash()).isEqualTo(vi.hash());
        assertThat(vo.idNumbers()).isEqualTo(vi.idNumbers());
        assertThat(vo.commitments()).isEqualTo(vi.commitments());
        assertThat(vo.share()).isEqualTo(vi.share());
    }

    @Test
    void discardForgetsPreparedWrites() throws Exception {
        storage.prepareNewKey(sampleShare(id(3), SecretScalar.random()));
        storage.discard(id(3));
        storage = reopen();
        assertThat(storage.get(id(3))).isEmpty();
        assertThat(storage.pendingKeyIds()).isEmpty();
        storage.prepareNewKey(sampleShare(id(3), SecretScalar.random())); // the id is free again
    }

    @Test
    void pendingSurvivesRestartButStaysInvisible() throws Exception { // SEC-25
        storage.prepareNewKey(sampleShare(id(4), SecretScalar.random()));
        storage = reopen();
        assertThat(storage.pendingKeyIds()).containsExactly(id(4));
        assertThat(storage.get(id(4))).isEmpty();
        storage.commit(id(4));
        assertThat(storage.get(id(4))).isPresent();
    }

    @Test
    void duplicateKeyIsRefused() {
        storage.prepareNewKey(sampleShare(id(5), SecretScalar.random()));
        assertThatThrownBy(() -> storage.prepareNewKey(sampleShare(id(5), SecretScalar.random())))
                .isInstanceOf(SecretStoreException.class);
        storage.commit(id(5));
        assertThatThrownBy(() -> storage.prepareNewKey(sampleShare(id(5), SecretScalar.random())))
                .isInstanceOf(SecretStoreException.class);
    }

    @Test
    void documentKeyIsTwoPhaseAndStoredOnce() throws Exception {
        storage.prepareNewKey(sampleShare(id(6), SecretScalar.random()));
        storage.commit(id(6));
        DocumentKey dk = new DocumentKey(SecretScalar.random().mulG(), SecretScalar.random().mulG());
        storage.prepareDocumentKey(id(6), dk);
        assertThat(storage.get(id(6)).orElseThrow().documentKey()).isEmpty();
        storage.commit(id(6));
        storage = reopen();
        assertThat(storage.get(id(6)).orElseThrow().documentKey()).contains(dk);
        assertThatThrownBy(() -> storage.prepareDocumentKey(id(6), dk)).isInstanceOf(SecretStoreException.class);
        assertThatThrownBy(() -> storage.prepareDocumentKey(id(99), dk)).isInstanceOf(SecretStoreException.class);
    }

    @Test
    void newVersionNeverOverwritesOld() throws Exception { // SEC-26
        SecretScalar f0 = SecretScalar.random();
        SecretScalar f1 = SecretScalar.random();
        KeyShare first = new KeyShare(id(7), AUTHOR, 1, f0.mulG(), Optional.empty(), List.of(sampleVersion(f0, f1, 7, 9)));
        storage.prepareNewKey(first);
        storage.commit(id(7));
        KeyVersion v2 = sampleVersion(f0, f1, 11, 13); // same polynomial re-shared to new id numbers
        storage.prepareVersion(id(7), v2);
        assertThat(storage.get(id(7)).orElseThrow().versions()).hasSize(1);
        storage.commit(id(7));
        storage = reopen();
        KeyShare both = storage.get(id(7)).orElseThrow();
        assertThat(both.versions()).extracting(KeyVersion::hash).containsExactly(first.latestVersion().hash(), v2.hash());
        storage.removeVersion(id(7), first.latestVersion().hash());
        assertThat(storage.get(id(7)).orElseThrow().versions()).extracting(KeyVersion::hash).containsExactly(v2.hash());
        assertThatThrownBy(() -> storage.removeVersion(id(7), v2.hash())).isInstanceOf(SecretStoreException.class);
    }

    @Test
    void sec26_removeKeyForgetsEveryVersionAndPendingWrites() throws Exception {
        KeyShare share = sampleShare(id(8), SecretScalar.random());
        storage.prepareNewKey(share);
        storage.commit(id(8));
        storage.prepareDocumentKey(id(8), new DocumentKey(SecretScalar.random().mulG(), SecretScalar.random().mulG()));
        storage.removeKey(id(8));
        assertThat(storage.get(id(8))).isEmpty();
        assertThat(storage.pendingKeyIds()).doesNotContain(id(8));
        assertThat(storage.keyIds()).doesNotContain(id(8));
        storage = reopen();
        assertThat(storage.get(id(8))).isEmpty();
        storage.removeKey(id(8)); // absent: no-op
        storage.prepareNewKey(sampleShare(id(8), SecretScalar.random())); // the id is free again
    }

    @Test
    void issue12_aVersionIsStoredOnceWhetherCommittedOrPrepared() { // SEC-26, issue #12 defect 1
        SecretScalar f0 = SecretScalar.random();
        SecretScalar f1 = SecretScalar.random();
        KeyShare first = new KeyShare(id(9), AUTHOR, 1, f0.mulG(), Optional.empty(), List.of(sampleVersion(f0, f1, 7, 9)));
        storage.prepareNewKey(first);
        storage.commit(id(9));
        assertThatThrownBy(() -> storage.prepareVersion(id(9), first.latestVersion())).isInstanceOf(SecretStoreException.class);
        KeyVersion v2 = sampleVersion(f0, f1, 11, 13);
        storage.prepareVersion(id(9), v2);
        // a second prepare of the same version (a repeated servers set change) is refused: the first one
        // is decided by the recovery path, never silently replaced
        assertThatThrownBy(() -> storage.prepareVersion(id(9), v2)).isInstanceOf(SecretStoreException.class);
        storage.discard(id(9));
        storage.prepareVersion(id(9), v2); // free again once discarded
        storage.commit(id(9));
        assertThat(storage.get(id(9)).orElseThrow().versions()).extracting(KeyVersion::hash)
                .containsExactly(first.latestVersion().hash(), v2.hash());
    }
}
