package dev.secretstore.node.acl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.key.InMemoryKeyStorage;
import dev.secretstore.protocol.session.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** acl-and-config.md §2.6: author always allowed, grants from the file, reloaded on change, fail closed. */
class PolicyFileAclCheckerTest {
    @TempDir
    Path dir;

    private final KeyPair author = KeyPair.random();
    private final KeyPair reader = KeyPair.random();
    private final H256 keyId = H256.keccak(new byte[] {1});
    private final H256 otherKey = H256.keccak(new byte[] {2});
    private final NodeId node = new NodeId(KeyPair.random().publicKey());
    private final InMemoryKeyStorage storage = new InMemoryKeyStorage(node);

    private boolean allowed(PolicyFileAclChecker acl, Address who, H256 key) {
        return acl.check(who, key).toCompletableFuture().join().allowed();
    }

    private Path write(String text, long mtimeMillis) throws Exception {
        Path f = dir.resolve("acl-policy.toml");
        Files.writeString(f, text);
        Files.setLastModifiedTime(f, FileTime.fromMillis(mtimeMillis));
        return f;
    }

    /** A 0-of key of {@code author} held by this storage's node alone, a consistent sharing (the storage checks it, SEC-11). */
    private void storeKey(H256 id) {
        storage.prepareNewKey(TestKeys.deal(id, author.address(), 0, Map.of(node, Scalar.ONE), Optional.empty(), new SecureRandom()).of(node));
        storage.commit(id);
    }

    @Test
    void authorIsAllowedGrantsMatchAndEverythingElseIsDenied() throws Exception {
        storeKey(keyId);
        storeKey(otherKey);
        Path f = write("[[grant]]\naddress = \"" + reader.address().toHex() + "\"\nkey_id = \"0x" + keyId.toHex() + "\"\n", 1_000);
        PolicyFileAclChecker acl = new PolicyFileAclChecker(f, storage);
        assertThat(allowed(acl, author.address(), keyId)).isTrue();
        assertThat(allowed(acl, reader.address(), keyId)).isTrue();
        assertThat(allowed(acl, reader.address(), otherKey)).isFalse();
        assertThat(allowed(acl, KeyPair.random().address(), keyId)).isFalse();
        assertThat(allowed(acl, author.address(), H256.keccak(new byte[] {3}))).isFalse(); // a key this node does not hold
    }

    @Test
    void wildcardGrantCoversEveryKey() throws Exception {
        storeKey(otherKey);
        PolicyFileAclChecker acl = new PolicyFileAclChecker(write("[[grant]]\naddress = \"" + reader.address().toHex() + "\"\nkey_id = \"*\"\n", 1_000), storage);
        assertThat(allowed(acl, reader.address(), otherKey)).isTrue();
    }

    @Test
    void changesAreReloadedAndABrokenFileKeepsThePreviousPolicy() throws Exception {
        storeKey(keyId);
        Path f = write("", 1_000);
        PolicyFileAclChecker acl = new PolicyFileAclChecker(f, storage);
        assertThat(allowed(acl, reader.address(), keyId)).isFalse();
        write("[[grant]]\naddress = \"" + reader.address().toHex() + "\"\nkey_id = \"*\"\n", 2_000);
        Thread.sleep(1_100); // the file is looked at no more than once a second
        assertThat(allowed(acl, reader.address(), keyId)).isTrue();
        write("[[grant]]\naddress = \"not an address\"\n", 3_000);
        Thread.sleep(1_100);
        assertThat(allowed(acl, reader.address(), keyId)).isTrue(); // previous policy kept
    }

    @Test
    void aBrokenFileStopsTheStart() throws Exception {
        assertThatThrownBy(() -> new PolicyFileAclChecker(write("[[grant]]\naddress = \"0x12\"\nkey_id = \"*\"\n", 1_000), storage))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("grant 1");
        assertThatThrownBy(() -> new PolicyFileAclChecker(write("[other]\nx = 1\n", 1_000), storage))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown entry 'other'");
        assertThatThrownBy(() -> new PolicyFileAclChecker(write("[[grant]]\naddress = \"" + reader.address().toHex() + "\"\nkey_id = \"*\"\nextra = 1\n", 1_000), storage))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown option 'extra'");
    }
}
