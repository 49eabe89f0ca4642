package dev.secretstore.protocol.session.resolution;

import dev.secretstore.crypto.H256;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.key.KeyStorage;
import dev.secretstore.protocol.session.Clock;
import dev.secretstore.protocol.session.ClusterSessions;
import dev.secretstore.protocol.session.ClusterView;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionType;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Decides when to resolve prepared writes (SEC-25). A prepared row is orphaned exactly when no session
 * on this node can still decide it ({@link ClusterSessions#isWriting}): its session ended without the
 * master's word (the master vanished, or the node restarted). Orphaned rows are resolved with the members
 * that are connected (a commit found there is taken at once; a discard needs every member's answer), and
 * retried at most every {@code retryInterval} while some member cannot answer or is still deciding. Called
 * from the cluster loop.
 */
public final class PendingResolver {
    private static final Logger LOG = Logger.getLogger(PendingResolver.class.getName());

    private final ClusterSessions sessions;
    private final ClusterView cluster;
    private final KeyStorage storage;
    private final Clock clock;
    private final SecureRandom random;
    private final long retryNanos;
    private final Map<H256, Long> lastTry = new HashMap<>();
    private final Set<H256> running = new HashSet<>();

    public PendingResolver(ClusterSessions sessions, ClusterView cluster, KeyStorage storage, Clock clock, SecureRandom random,
                           Duration retryInterval) {
        this.sessions = sessions;
        this.cluster = cluster;
        this.storage = storage;
        this.clock = clock;
        this.random = random;
        this.retryNanos = retryInterval.toNanos();
        int before = storage.pendingKeyIds().size();
        if (before > 0) {
            LOG.info(() -> before + " prepared write(s) from before this start will be resolved with the other members");
        }
    }

    /** One maintenance step; never throws. */
    public void tick() {
        try {
            Set<H256> pending = storage.pendingKeyIds();
            lastTry.keySet().retainAll(pending);
            if (pending.isEmpty() || (!others().isEmpty() && cluster.connected().isEmpty())) return;
            long now = clock.nanoTime();
            Set<H256> writing = sessions.writingKeys(); // sessions started below write nothing
            for (H256 keyId : pending) {
                boolean orphaned = !writing.contains(keyId);
                Long last = lastTry.get(keyId);
                boolean rested = last == null || Math.max(0, now - last) >= retryNanos;
                if (orphaned && rested && !running.contains(keyId)) {
                    start(keyId, now);
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "pending-write resolution failed", e);
        }
    }

    private Set<?> others() {
        Set<Object> out = new HashSet<>(cluster.members());
        out.remove(cluster.self());
        return out;
    }

    private void start(H256 keyId, long now) {
        byte[] id = new byte[32];
        random.nextBytes(id);
        SessionKey key = new SessionKey(SessionType.PENDING_RESOLUTION, H256.fromBytes(id), cluster.self());
        lastTry.put(keyId, now);
        PendingResolutionSession session;
        try {
            session = sessions.startMaster(key, outbox -> PendingResolutionSession.startMaster(key, cluster, outbox, storage, keyId));
        } catch (SecretStoreException refused) {
            // e.g. an exclusive session runs (ExclusiveSessionActive): try again after the retry interval
            LOG.fine(() -> "resolution of " + keyId + " not started: " + refused.getMessage());
            return;
        }
        running.add(keyId); // only once a session exists whose end removes it again
        session.result().whenComplete((outcome, error) -> running.remove(keyId));
    }
}
