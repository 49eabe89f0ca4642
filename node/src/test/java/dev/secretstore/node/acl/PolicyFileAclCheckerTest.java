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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
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
    void changesAreReloaded() throws Exception {
        storeKey(keyId);
        Path f = write("", 1_000);
        PolicyFileAclChecker acl = new PolicyFileAclChecker(f, storage);
        assertThat(allowed(acl, reader.address(), keyId)).isFalse();
        write(grantAll(reader), 2_000);
        Thread.sleep(1_100); // the file is looked at no more than once a second
        assertThat(allowed(acl, reader.address(), keyId)).isTrue();
    }

    private static String grantAll(KeyPair who) {
        return "[[grant]]\naddress = \"" + who.address().toHex() + "\"\nkey_id = \"*\"\n";
    }

    /** SEC-39: revoke, then break the file: the revoked reader is refused (not the last good grants), the author is not. */
    @Test
    void sec39ABrokenFileDeniesEveryGrantLoudlyUntilFixed() throws Exception {
        storeKey(keyId);
        AtomicLong clock = new AtomicLong();
        Path f = write(grantAll(reader), 1_000);
        PolicyFileAclChecker acl = new PolicyFileAclChecker(f, storage, clock::get);
        List<LogRecord> severe = captureSevere();
        assertThat(allowed(acl, reader.address(), keyId)).isTrue();

        write("[[grant]]\naddress = \"not an address\"\n", 2_000); // the revoking edit went wrong
        clock.addAndGet(1_000_000_000L);
        assertThat(allowed(acl, reader.address(), keyId)).isFalse();
        assertThat(allowed(acl, author.address(), keyId)).isTrue(); // authors keep access
        assertThat(acl.broken()).isTrue();
        assertThat(severe).hasSize(1);
        assertThat(severe.get(0).getMessage()).contains("EVERY GRANT IS DENIED").contains("grant 1");

        // loud but rate-limited: no new record within the minute, one after it
        for (int s = 0; s < 59; s++) {
            clock.addAndGet(1_000_000_000L);
            assertThat(allowed(acl, reader.address(), keyId)).isFalse();
        }
        assertThat(severe).hasSize(1);
        clock.addAndGet(1_000_000_000L);
        assertThat(allowed(acl, reader.address(), keyId)).isFalse();
        assertThat(severe).hasSize(2);

        write(grantAll(reader), 3_000); // fixed
        clock.addAndGet(1_000_000_000L);
        assertThat(allowed(acl, reader.address(), keyId)).isTrue();
        assertThat(acl.broken()).isFalse();
        assertThat(severe).hasSize(3);
        assertThat(severe.get(2).getMessage()).contains("fixed");
    }

    /** SEC-35: {@code [[creator]]} entries decide who may generate keys; none: anyone; a broken file: nobody. */
    @Test
    void sec35_creatorEntriesDecideWhoMayGenerateKeys() throws Exception {
        AtomicLong clock = new AtomicLong();
        Path f = write(grantAll(reader), 1_000);
        PolicyFileAclChecker acl = new PolicyFileAclChecker(f, storage, clock::get);
        assertThat(acl.mayCreate(author.address())).as("no [[creator]]: anyone").isTrue();
        assertThat(acl.mayCreate(reader.address())).isTrue();

        write(grantAll(reader) + "[[creator]]\naddress = \"" + author.address().toHex() + "\"\n", 2_000);
        clock.addAndGet(1_000_000_000L);
        assertThat(acl.mayCreate(author.address())).isTrue();
        assertThat(acl.mayCreate(reader.address())).isFalse();
        assertThat(PolicyFileAclChecker.load(f)).hasSize(1); // the grants are unchanged by the creator entry

        write("[[creator]]\naddress = \"0x1234\"\n", 3_000); // broken: fail closed
        clock.addAndGet(1_000_000_000L);
        List<LogRecord> severe = captureSevere();
        assertThat(acl.mayCreate(author.address())).isFalse();
        assertThat(acl.broken()).isTrue();
        assertThat(severe).hasSize(1);
        assertThat(severe.get(0).getMessage()).contains("creator 1");
        assertThatThrownBy(() -> PolicyFileAclChecker.load(f)).hasMessageContaining("creator 1");
        assertThatThrownBy(() -> PolicyFileAclChecker.load(write("[[creator]]\naddress = \"" + author.address().toHex()
                + "\"\nkey_id = \"*\"\n", 4_000))).hasMessageContaining("unknown option 'key_id'");
    }

    /** SEC-39: a policy file deleted while the node runs denies every grant until it is back. */
    @Test
    void sec39ADeletedFileDeniesEveryGrantUntilRestored() throws Exception {
        storeKey(keyId);
        AtomicLong clock = new AtomicLong();
        Path f = write(grantAll(reader), 1_000);
        PolicyFileAclChecker acl = new PolicyFileAclChecker(f, storage, clock::get);
        List<LogRecord> severe = captureSevere();
        Files.delete(f);
        clock.addAndGet(500_000_000L);
        assertThat(allowed(acl, reader.address(), keyId)).isTrue(); // not looked at again within the second
        clock.addAndGet(500_000_000L);
        assertThat(allowed(acl, reader.address(), keyId)).isFalse();
        assertThat(allowed(acl, author.address(), keyId)).isTrue();
        assertThat(acl.check(reader.address(), keyId).toCompletableFuture().join().allowed()).isFalse();
        assertThat(severe).hasSize(1);
        assertThat(severe.get(0).getMessage()).contains("cannot read the ACL policy file");

        write(grantAll(reader), 2_000);
        clock.addAndGet(1_000_000_000L);
        assertThat(allowed(acl, reader.address(), keyId)).isTrue();
    }

    private final List<Handler> handlers = new ArrayList<>();

    /** SEVERE records of the checker's logger from now until the test ends. */
    private List<LogRecord> captureSevere() {
        List<LogRecord> out = new CopyOnWriteArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel() == Level.SEVERE) out.add(r);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger.getLogger(PolicyFileAclChecker.class.getName()).addHandler(h);
        handlers.add(h);
        return out;
    }

    @AfterEach
    void removeHandlers() {
        handlers.forEach(Logger.getLogger(PolicyFileAclChecker.class.getName())::removeHandler);
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
