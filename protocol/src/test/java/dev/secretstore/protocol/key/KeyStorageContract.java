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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link KeyStorage} backend must have (SEC-11, SEC-25, SEC-26). A backend's test extends
 * this class and supplies {@link #open()}, a storage of node {@link #N1}; backends that persist also
 * implement {@link #reopen()}.
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

    // ------------------------------------------------------------------ the split port (issue #12)

    private static void assertSameMetadata(KeyMetadata m, KeyShare expected) {
        assertThat(m).isEqualTo(expected.metadata());
        assertThat(m.versions()).extracting(VersionMetadata::id).containsExactlyElementsOf(
                expected.versions().stream().map(KeyVersion::id).toList());
    }

    @Test
    void metadataIsTheCommittedKeyWithoutShares() throws Exception {
        KeyShare in = sampleShare(id(20), SecretScalar.random());
        storage.prepareNewKey(in);
        assertThat(storage.metadata(id(20))).isEmpty(); // SEC-25: prepared data is invisible here too
        assertThat(storage.contains(id(20))).isFalse();
        storage.commit(id(20));
        DocumentKey dk = new DocumentKey(SecretScalar.random().mulG(), SecretScalar.random().mulG());
        storage.prepareDocumentKey(id(20), dk);
        assertThat(storage.metadata(id(20)).orElseThrow().documentKey()).isEmpty();
        storage.commit(id(20));
        storage = reopen();
        KeyMetadata m = storage.metadata(id(20)).orElseThrow();
        assertSameMetadata(m, in.withDocumentKey(dk));
        assertThat(m.author()).isEqualTo(AUTHOR);
        assertThat(m.latestVersion().nonce()).isEmpty();
        assertThat(storage.contains(id(20))).isTrue();
        assertThat(storage.metadata(id(21))).isEmpty();
    }

    @Test
    void readUnsealsTheVersionTheSelectorChooses() throws Exception {
        SecretScalar f0 = SecretScalar.random();
        SecretScalar f1 = SecretScalar.random();
        KeyVersion v1 = sampleVersion(f0, f1, 7, 9);
        KeyVersion v2 = sampleVersion(f0, f1, 11, 13);
        storage.prepareNewKey(new KeyShare(id(22), AUTHOR, 1, f0.mulG(), Optional.empty(), List.of(v1)));
        storage.commit(id(22));
        storage.prepareVersion(id(22), v2);
        assertThat(storage.read(id(22), VersionSelector.id(v2.id())).orElseThrow().share()).isEmpty(); // prepared only
        storage.commit(id(22));
        storage = reopen();

        KeyRead latest = storage.read(id(22), VersionSelector.latest()).orElseThrow();
        assertThat(latest.key()).isEqualTo(storage.metadata(id(22)).orElseThrow());
        OwnShare own = latest.share().orElseThrow();
        assertThat(own.version().id()).isEqualTo(v2.id());
        assertThat(own.share()).isEqualTo(v2.share());
        assertThat(own.self()).isEqualTo(N1);

        OwnShare older = storage.read(id(22), v1.id()).orElseThrow().share().orElseThrow();
        assertThat(older.share()).isEqualTo(v1.share());
        assertThat(older.keyVersion().commitments()).isEqualTo(v1.commitments());

        KeyRead unknownVersion = storage.read(id(22), id(99)).orElseThrow();
        assertThat(unknownVersion.share()).isEmpty();
        assertThat(unknownVersion.key().versions()).hasSize(2);
        assertThat(storage.read(id(23), VersionSelector.latest())).isEmpty();
    }

    /** The SEC-11 own-share check, the same in every backend: a write of such a version is refused and nothing is prepared. */
    private void assertRefusedBySec11(Runnable write) {
        assertThatThrownBy(write::run).isInstanceOfSatisfying(SecretStoreException.class,
                        e -> assertThat(e.kind()).isEqualTo(SecretStoreException.Kind.DATABASE))
                .hasMessageContaining("SEC-11");
    }

    @Test
    void sec11_aShareThatDoesNotMatchItsCommitmentsIsRefusedByEveryBackend() {
        KeyShare good = sampleShare(id(24), SecretScalar.random());
        KeyVersion v = good.latestVersion();
        KeyVersion wrongShare = new KeyVersion(v.idNumbers(), SecretScalar.random(), v.commitments());
        List<dev.secretstore.crypto.PublicPoint> tampered = new ArrayList<>(v.commitments());
        tampered.set(1, SecretScalar.random().mulG());
        KeyVersion tamperedCommitments = new KeyVersion(v.idNumbers(), v.share().copy(), tampered);
        KeyVersion notHeldBySelf = new KeyVersion(Map.of(N2, Scalar.of(9)), v.share().copy(), v.commitments());
        for (KeyVersion bad : List.of(wrongShare, tamperedCommitments, notHeldBySelf)) {
            assertRefusedBySec11(() -> storage.prepareNewKey(new KeyShare(id(24), AUTHOR, 1, good.publicKey(), Optional.empty(), List.of(bad))));
        }
        assertThat(storage.pendingKeyIds()).isEmpty();
        storage.prepareNewKey(good);
        storage.commit(id(24));
        for (KeyVersion bad : List.of(wrongShare, tamperedCommitments, notHeldBySelf)) {
            assertRefusedBySec11(() -> storage.prepareVersion(id(24), bad));
        }
        assertThat(storage.pendingKeyIds()).isEmpty();
        assertThat(storage.get(id(24)).orElseThrow().versions()).hasSize(1);
    }

    @Test
    void aNewSharingToTheSameHoldersIsANewVersionWhenItCarriesANonce() throws Exception {
        // Refresh: same holders, same id numbers, same Y, new polynomial. Parity's hash would name both
        // sharings alike (the UNIQUE (key_id, version_hash) failure of issue #12 defect 1).
        SecretScalar f0 = SecretScalar.random();
        KeyVersion original = sampleVersion(f0, SecretScalar.random(), 7, 9);
        storage.prepareNewKey(new KeyShare(id(25), AUTHOR, 1, f0.mulG(), Optional.empty(), List.of(original)));
        storage.commit(id(25));
        KeyVersion sameIds = sampleVersion(f0, SecretScalar.random(), 7, 9);
        assertThat(sameIds.id()).isEqualTo(original.id());
        assertThatThrownBy(() -> storage.prepareVersion(id(25), sameIds)).isInstanceOf(SecretStoreException.class);
        assertThat(storage.pendingKeyIds()).isEmpty();

        KeyVersion refreshed = new KeyVersion(VersionMetadata.withNonce(sameIds.idNumbers(), sameIds.commitments(), id(77)),
                sameIds.share().copy());
        assertThat(refreshed.id()).isNotEqualTo(original.id());
        storage.prepareVersion(id(25), refreshed);
        storage.commit(id(25));
        storage = reopen();
        KeyMetadata m = storage.metadata(id(25)).orElseThrow();
        assertThat(m.versions()).extracting(VersionMetadata::id).containsExactly(original.id(), refreshed.id());
        assertThat(m.latestVersion().nonce()).contains(id(77));
        assertThat(m.latestVersion()).isEqualTo(refreshed.metadata());
        assertThat(storage.read(id(25), refreshed.id()).orElseThrow().share().orElseThrow().share()).isEqualTo(refreshed.share());
        assertThat(storage.read(id(25), original.id()).orElseThrow().share().orElseThrow().share()).isEqualTo(original.share());
        // the same nonce again is the same version: refused
        KeyVersion again = new KeyVersion(VersionMetadata.withNonce(sameIds.idNumbers(), sameIds.commitments(), id(77)),
                sameIds.share().copy());
        assertThatThrownBy(() -> storage.prepareVersion(id(25), again)).isInstanceOf(SecretStoreException.class);
        storage.removeVersion(id(25), original.id());
        assertThat(storage.get(id(25)).orElseThrow().versions()).extracting(KeyVersion::id).containsExactly(refreshed.id());
    }

    @Test
    void inventoryPagesThroughCommittedKeysInKeyIdOrder() throws Exception {
        List<KeyShare> keys = new ArrayList<>();
        for (int i : new int[] {34, 31, 35, 33, 32}) {
            KeyShare s = sampleShare(id(i), SecretScalar.random());
            storage.prepareNewKey(s);
            storage.commit(id(i));
            keys.add(s);
        }
        storage.prepareNewKey(sampleShare(id(30), SecretScalar.random())); // prepared only: never listed
        KeyShare withDoc = keys.get(0).withDocumentKey(new DocumentKey(SecretScalar.random().mulG(), SecretScalar.random().mulG()));
        storage.prepareDocumentKey(id(34), withDoc.documentKey().orElseThrow());
        storage.commit(id(34));
        storage = reopen();

        InventoryPage first = storage.inventory(Optional.empty(), 2);
        assertThat(first.keys()).extracting(KeyMetadata::keyId).containsExactly(id(31), id(32));
        assertThat(first.next()).contains(id(32));
        InventoryPage second = storage.inventory(first.next(), 2);
        assertThat(second.keys()).extracting(KeyMetadata::keyId).containsExactly(id(33), id(34));
        assertSameMetadata(second.keys().get(1), withDoc);
        InventoryPage last = storage.inventory(second.next(), 2);
        assertThat(last.keys()).extracting(KeyMetadata::keyId).containsExactly(id(35));
        assertThat(last.next()).isEmpty();
        assertSameMetadata(last.keys().get(0), keys.get(2));
        assertThat(storage.inventory(Optional.empty(), 10).keys()).hasSize(5);
        assertThat(storage.inventory(Optional.of(id(35)), 10).keys()).isEmpty();
        assertThatThrownBy(() -> storage.inventory(Optional.empty(), 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
