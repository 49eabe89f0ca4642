package dev.secretstore.bench.cluster;

import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.DocumentKey;
import dev.secretstore.crypto.threshold.EncryptedDocumentKey;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Keys for a remote cluster ({@code --url}), made through its HTTP API before the run: a server-key
 * generation each, then (for retrieval and signing) a document key stored. The requester is the author,
 * so a policy ACL that lets authors use their keys admits the benchmark.
 */
final class RemoteKeys {
    private final List<URI> urls;
    private final KeyPair requester;
    private final int threshold;
    private final PrintStream log;
    private final SecureRandom rng = new SecureRandom();

    RemoteKeys(List<URI> urls, KeyPair requester, int threshold, PrintStream log) {
        this.urls = List.copyOf(urls);
        this.requester = requester;
        this.threshold = threshold;
        this.log = log;
    }

    KeyPool make(long count, boolean storeDocumentKey) throws IOException, InterruptedException {
        log.printf("making %d keys through %s …%n", count, urls.get(0));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<KeyPool.Made> made = Collections.synchronizedList(new ArrayList<>());
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (long i = 0; i < count; i++) {
                URI url = urls.get((int) (i % urls.size()));
                futures.add(pool.submit(() -> {
                    made.add(makeOne(url, storeDocumentKey));
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("making keys failed: " + e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return KeyPool.of(made);
    }

    private KeyPool.Made makeOne(URI url, boolean storeDocumentKey) throws IOException {
        byte[] id = new byte[32];
        rng.nextBytes(id);
        H256 keyId = H256.fromBytes(id);
        String sig = Ecdsa.sign(requester.secret(), keyId).toHex();
        try (HttpConnection c = new HttpConnection(url, 120_000)) {
            HttpConnection.Response r = c.request("POST", "/shadow/" + keyId.toHex() + "/" + sig + "/" + threshold);
            if (r.status() != 200) throw new IOException("server key generation answered " + r.status() + " " + r.text());
            PublicPoint y = PublicPoint.fromHex(r.text().replace("\"", ""));
            SecretScalar m = SecretScalar.random(rng);
            PublicPoint documentKey = m.mulG();
            m.destroy();
            EncryptedDocumentKey e = DocumentKey.encrypt(documentKey, y, rng);
            dev.secretstore.protocol.key.DocumentKey stored = new dev.secretstore.protocol.key.DocumentKey(e.commonPoint(), e.encryptedPoint());
            if (storeDocumentKey) {
                HttpConnection.Response s = c.request("POST", "/shadow/" + keyId.toHex() + "/" + sig + "/" + e.commonPoint().toHex() + "/"
                        + e.encryptedPoint().toHex());
                if (s.status() != 200) throw new IOException("document key store answered " + s.status() + " " + s.text());
            }
            return new KeyPool.Made(keyId, y, documentKey, stored);
        }
    }
}
