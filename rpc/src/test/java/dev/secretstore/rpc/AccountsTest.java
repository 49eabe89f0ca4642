package dev.secretstore.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.keystore.Keystore;
import dev.secretstore.keystore.KeystoreFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Accounts of the rpc service (issue 14, jsonrpc.md §10): one answer for unknown account and wrong
 * password, lockout per (account, source) with exactly {@link Lockout#FREE_ATTEMPTS} guesses, the
 * keystore listing cached until the directory changes, and bounded password checks per request
 * (per-source admission as SEC-35). Work is asserted by counting KDF runs and directory listings.
 */
class AccountsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String DEV_SECRET = "4d5db4107d237df6a3d58ee5f70ae63d73d7658d4026f2eefd2f204c81682cb7";
    static final String DEV = "0x00a329c0648769a73afac7f9381e08fb43dbea72";
    static final String HASH = "\"0x" + "00".repeat(31) + "01\"";

    @TempDir
    Path dir;
    Keystore ks;
    final AtomicInteger kdfRuns = new AtomicInteger();
    final AtomicInteger listings = new AtomicInteger();
    final long[] now = {0};
    final long[] wall = {1_000_000_000_000L};
    AccountStore.Kdf kdf = (file, pw) -> {
        kdfRuns.incrementAndGet();
        return KeystoreFile.decrypt(file, pw);
    };

    @BeforeEach
    void keystore() throws Exception {
        ks = new Keystore(dir);
        ks.store(KeyPair.fromSecretBytes(Hex.decode(DEV_SECRET)), "dev-pw", KeystoreFile.ScryptParams.LIGHT);
        // the listing is old enough to be trusted (not racy)
        Files.setLastModifiedTime(dir, FileTime.fromMillis(wall[0] - 10_000));
    }

    AccountStore store() {
        return new AccountStore(dir, () -> {
            listings.incrementAndGet();
            return ks.accounts();
        }, (file, pw) -> kdf.decrypt(file, pw), () -> wall[0], new SecureRandom(new byte[] {1}));
    }

    SecretStoreRpc rpc(AccountStore store) {
        return new SecretStoreRpc(ks, new SecureRandom(), store, new Lockout(() -> now[0], 100));
    }

    static String sign(String address, String password) {
        return "{\"jsonrpc\":\"2.0\",\"method\":\"secretstore_signRawHash\",\"params\":[\"" + address + "\",\""
                + password + "\"," + HASH + "],\"id\":1}";
    }

    static String randomAddress(java.util.Random r) {
        byte[] b = new byte[20];
        r.nextBytes(b);
        return "0x" + Hex.encode(b);
    }

    // ------------------------------------------------------------------ 1. same answer, same work

    @Test
    void unknownAccountAndWrongPasswordGiveTheSameAnswerAfterTheSameKdf() throws Exception {
        SecretStoreRpc rpc = rpc(store());
        java.util.Random r = new java.util.Random(14);
        String wrong = rpc.handle(sign(DEV, "bad"), "10.0.0.1");
        assertThat(kdfRuns.get()).isEqualTo(1);
        for (int i = 0; i < 3; i++) {
            String unknown = rpc.handle(sign(randomAddress(r), "bad"), "10.0.0.1");
            assertThat(unknown).isEqualTo(wrong);
            assertThat(kdfRuns.get()).as("an unknown account runs the KDF too").isEqualTo(2 + i);
        }
        assertThat(wrong).isEqualTo(
                "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32023,\"message\":\"Could not sign raw hash.\",\"data\":\"InvalidPassword\"},\"id\":1}");
    }

    @Test
    void theDummyKeystoreUsesTheAccountsKdfParameters() throws Exception {
        List<JsonNode> seen = new ArrayList<>();
        kdf = (file, pw) -> {
            seen.add(file);
            return KeystoreFile.decrypt(file, pw);
        };
        SecretStoreRpc rpc = rpc(store());
        rpc.handle(sign(DEV, "bad"), "a");
        rpc.handle(sign(randomAddress(new java.util.Random(1)), "dev-pw"), "a");
        JsonNode realParams = seen.get(0).path("crypto").path("kdfparams");
        JsonNode dummyParams = seen.get(1).path("crypto").path("kdfparams");
        assertThat(dummyParams.path("n")).isEqualTo(realParams.path("n"));
        assertThat(dummyParams.path("r")).isEqualTo(realParams.path("r"));
        assertThat(dummyParams.path("p")).isEqualTo(realParams.path("p"));
        assertThat(dummyParams.path("salt")).isNotEqualTo(realParams.path("salt"));
    }

    @Test
    void lockoutLooksTheSameForUnknownAccounts() {
        SecretStoreRpc rpc = rpc(store());
        String ghost = randomAddress(new java.util.Random(7));
        for (int i = 0; i < Lockout.FREE_ATTEMPTS; i++) rpc.handle(sign(ghost, "bad"), "x");
        assertThat(rpc.handle(sign(ghost, "bad"), "x")).contains("TooManyAttempts");
    }

    // ------------------------------------------------------------------ 2. lockout per (account, source)

    @Test
    void exactlyFiveGuessesThenBoundedBackoff() {
        SecretStoreRpc rpc = rpc(store());
        for (int i = 0; i < 12; i++) rpc.handle(sign(DEV, "bad" + i), "203.0.113.9");
        assertThat(kdfRuns.get()).as("guesses that reached the KDF").isEqualTo(Lockout.FREE_ATTEMPTS);
        now[0] += 1_000_000_000L;                              // 1 s: one more guess
        rpc.handle(sign(DEV, "bad"), "203.0.113.9");
        rpc.handle(sign(DEV, "bad"), "203.0.113.9");
        assertThat(kdfRuns.get()).isEqualTo(Lockout.FREE_ATTEMPTS + 1);
        now[0] += 1_999_999_999L;                              // the second lock is 2 s
        assertThat(rpc.handle(sign(DEV, "dev-pw"), "203.0.113.9")).contains("TooManyAttempts");
        now[0] += 1;
        assertThat(rpc.handle(sign(DEV, "dev-pw"), "203.0.113.9")).contains("\"result\"");
        // the backoff never exceeds MAX_LOCK_NANOS
        for (int i = 0; i < 12; i++) {         // uncapped, the 12th failure would lock for 128 s
            rpc.handle(sign(DEV, "bad"), "203.0.113.9");
            now[0] += Lockout.MAX_LOCK_NANOS;
        }
        assertThat(rpc.handle(sign(DEV, "dev-pw"), "203.0.113.9")).contains("\"result\"");
    }

    @Test
    void aStrangersGuessesNeverLockTheOwnerOut() {
        SecretStoreRpc rpc = rpc(store());
        for (int i = 0; i < 50; i++) rpc.handle(sign(DEV, "guess" + i), "198.51.100.7");
        assertThat(rpc.handle(sign(DEV, "dev-pw"), "198.51.100.7")).contains("TooManyAttempts");
        assertThat(rpc.handle(sign(DEV, "dev-pw"), "127.0.0.1")).contains("\"result\"");
    }

    @Test
    void concurrentGuessesCannotExceedTheAllowance() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        kdf = (file, pw) -> {
            kdfRuns.incrementAndGet();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return KeystoreFile.decrypt(file, pw);
        };
        SecretStoreRpc rpc = rpc(store());
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            List<Future<String>> fs = new ArrayList<>();
            for (int i = 0; i < 12; i++) fs.add(pool.submit(() -> rpc.handle(sign(DEV, "bad"), "192.0.2.1")));
            // the refused calls answer while the admitted ones are still inside the KDF
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (fs.stream().filter(Future::isDone).count() < 12 - Lockout.FREE_ATTEMPTS && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            release.countDown();
            for (Future<String> f : fs) f.get(10, TimeUnit.SECONDS);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
        assertThat(kdfRuns.get()).isEqualTo(Lockout.FREE_ATTEMPTS);
    }

    @Test
    void countersAreBounded() {
        Lockout lockout = new Lockout(() -> now[0], 100);
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < 1000; i++) {
            Lockout.Attempt a = lockout.tryAcquire(Address.fromBytes(Hex.decode(randomAddress(r).substring(2))), "s" + i);
            a.failed();
        }
        assertThat(lockout.size()).isEqualTo(100);
    }

    // ------------------------------------------------------------------ 3. keystore cached

    @Test
    void theDirectoryIsListedOnlyWhenItChanges() throws Exception {
        SecretStoreRpc rpc = rpc(store());
        for (int i = 0; i < 10; i++) assertThat(rpc.handle(sign(DEV, "dev-pw"), "a")).contains("\"result\"");
        assertThat(listings.get()).isEqualTo(1);

        KeyPair added = KeyPair.random();
        ks.store(added, "new-pw", KeystoreFile.ScryptParams.LIGHT);
        Files.setLastModifiedTime(dir, FileTime.fromMillis(wall[0] - 5_000));
        String addr = added.address().toHex();
        assertThat(rpc.handle(sign(addr, "new-pw"), "a")).contains("\"result\"");
        assertThat(rpc.handle(sign(addr, "new-pw"), "a")).contains("\"result\"");
        assertThat(listings.get()).isEqualTo(2);
    }

    @Test
    void aRecentChangeIsListedAgainUntilItIsOldEnough() throws Exception {
        AccountStore store = store();
        SecretStoreRpc rpc = rpc(store);
        Files.setLastModifiedTime(dir, FileTime.fromMillis(wall[0] - 500)); // within the racy window
        rpc.handle(sign(DEV, "dev-pw"), "a");
        rpc.handle(sign(DEV, "dev-pw"), "a");
        assertThat(listings.get()).isEqualTo(2);
        wall[0] += AccountStore.RACY_MILLIS;
        rpc.handle(sign(DEV, "dev-pw"), "a");
        rpc.handle(sign(DEV, "dev-pw"), "a");
        rpc.handle(sign(DEV, "dev-pw"), "a");
        assertThat(listings.get()).isEqualTo(3);
    }

    @Test
    void unknownAccountsDoNotCauseListings() {
        SecretStoreRpc rpc = rpc(store());
        java.util.Random r = new java.util.Random(5);
        for (int i = 0; i < 20; i++) rpc.handle(sign(randomAddress(r), "x"), "s" + i);
        assertThat(listings.get()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ 4. bounded batch cost

    @Test
    void aBatchRunsAtMostMaxPasswordChecksKdfs() throws Exception {
        SecretStoreRpc rpc = rpc(store());
        java.util.Random r = new java.util.Random(9);
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < 30; i++) {
            if (i > 0) b.append(',');
            b.append(sign(randomAddress(r), "x"));
        }
        JsonNode out = JSON.readTree(rpc.handle(b.append(']').toString(), "a"));
        assertThat(kdfRuns.get()).isEqualTo(SecretStoreRpc.MAX_PASSWORD_CHECKS);
        assertThat(out).hasSize(30);
        int limited = 0;
        for (JsonNode n : out) if (n.path("error").path("code").asInt() == RpcError.LIMIT_EXCEEDED) limited++;
        assertThat(limited).isEqualTo(30 - SecretStoreRpc.MAX_PASSWORD_CHECKS);
        // the budget is per request: the next request checks passwords again
        assertThat(rpc.handle(sign(DEV, "dev-pw"), "b")).contains("\"result\"");
    }

    @Test
    void anOversizedBatchIsRefusedWhole() throws Exception {
        SecretStoreRpc rpc = rpc(store());
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i <= SecretStoreRpc.MAX_BATCH; i++) {
            if (i > 0) b.append(',');
            b.append("{\"jsonrpc\":\"2.0\",\"method\":\"secretstore_serversSetHash\",\"params\":[[]],\"id\":").append(i).append('}');
        }
        assertThat(rpc.handle(b.append(']').toString(), "a")).isEqualTo(
                "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"Invalid request\",\"data\":\"batch of more than "
                        + SecretStoreRpc.MAX_BATCH + " calls\"},\"id\":null}");
        assertThat(kdfRuns.get()).isZero();
        assertThat(listings.get()).isZero();
    }

    @Test
    void sourceKeysIpv6ByPrefix() throws Exception {
        var a = new java.net.InetSocketAddress(java.net.InetAddress.getByName("2001:db8:1:2::1"), 1);
        var b = new java.net.InetSocketAddress(java.net.InetAddress.getByName("2001:db8:1:2:ffff::9"), 1);
        var c = new java.net.InetSocketAddress(java.net.InetAddress.getByName("2001:db8:1:3::1"), 1);
        assertThat(dev.secretstore.rpc.http.RpcHttpServer.source(a)).isEqualTo(dev.secretstore.rpc.http.RpcHttpServer.source(b));
        assertThat(dev.secretstore.rpc.http.RpcHttpServer.source(a)).isNotEqualTo(dev.secretstore.rpc.http.RpcHttpServer.source(c));
        assertThat(dev.secretstore.rpc.http.RpcHttpServer.source(new java.net.InetSocketAddress("127.0.0.1", 1))).isEqualTo("127.0.0.1");
    }

}
