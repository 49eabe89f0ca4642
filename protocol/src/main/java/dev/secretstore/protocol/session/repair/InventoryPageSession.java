package dev.secretstore.protocol.session.repair;

import dev.secretstore.crypto.H256;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.key.InventoryPage;
import dev.secretstore.protocol.key.KeyMetadata;
import dev.secretstore.protocol.key.KeyStorage;
import dev.secretstore.protocol.key.VersionMetadata;
import dev.secretstore.protocol.session.AbstractSession;
import dev.secretstore.protocol.session.Outbox;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One page of a peer's inventory for a repair sweep (SEC-40): the peer's committed keys, in key id order from a
 * cursor, whose latest version names the asking member, each with its threshold, latest version id and whether
 * the peer has the document key. Public data only, nothing unsealed; one storage access on the peer.
 */
public final class InventoryPageSession extends AbstractSession<RepairMessage.InventoryReply> {
    /** The most keys one page scans (SEC-20: a reply stays small). */
    public static final int MAX_PAGE = 1024;

    private final NodeId peer;

    private InventoryPageSession(SessionKey key, NodeId self, NodeId peer, Outbox outbox) {
        super(key, self, Set.of(self, peer), outbox);
        this.peer = peer;
    }

    /** Asks {@code peer} for the page after {@code after} of at most {@code limit} scanned keys. */
    public static InventoryPageSession startMaster(SessionKey key, NodeId self, NodeId peer, Outbox outbox, Optional<H256> after, int limit) {
        InventoryPageSession s = new InventoryPageSession(key, self, peer, outbox);
        outbox.send(peer, new RepairMessage.InventoryRequest(after.stream().toList(), limit));
        return s;
    }

    @Override
    public void onMessage(NodeId from, SessionMessage message) {
        if (from.equals(peer) && message instanceof RepairMessage.InventoryReply reply) succeed(reply);
    }

    @Override
    public void onNodeDisconnected(NodeId node) {
        if (node.equals(peer)) fail(SecretStoreException.of(SecretStoreException.Kind.NODE_DISCONNECTED));
    }

    /** The entries of one storage page that concern {@code asker}: keys whose latest version names it. */
    static RepairMessage.InventoryReply reply(InventoryPage page, NodeId asker) {
        List<RepairMessage.InventoryEntry> entries = new ArrayList<>();
        for (KeyMetadata key : page.keys()) {
            VersionMetadata latest = key.latestVersion();
            if (!latest.isHolder(asker)) continue;
            entries.add(new RepairMessage.InventoryEntry(key.keyId(), key.threshold(), latest.id(), key.documentKey().isPresent()));
        }
        return new RepairMessage.InventoryReply(entries, page.next().stream().toList());
    }

    /** The peer's side: answers the one request and ends. */
    static final class Responder extends AbstractSession<Void> {
        private final KeyStorage storage;

        Responder(SessionKey key, NodeId self, Outbox outbox, KeyStorage storage) {
            super(key, self, Set.of(self, key.master()), outbox);
            this.storage = storage;
        }

        @Override
        public void onMessage(NodeId from, SessionMessage message) {
            if (isFinished() || !from.equals(key.master()) || !(message instanceof RepairMessage.InventoryRequest r)) return;
            int limit = Math.max(1, Math.min(MAX_PAGE, r.limit()));
            outbox.send(from, reply(storage.inventory(r.after().stream().findFirst(), limit), from));
            succeed(null);
        }

        @Override
        public void onNodeDisconnected(NodeId node) {
            succeed(null);
        }
    }
}
