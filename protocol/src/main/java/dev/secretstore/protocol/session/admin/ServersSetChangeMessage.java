package dev.secretstore.protocol.session.admin;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.SessionType;
import dev.secretstore.protocol.session.generation.GenerationMessage.IdNumber;
import java.util.List;

/**
 * Messages of the servers set change session (http-api.md §6 endpoint 9, crypto.md §10.9 and §11.5,
 * SEC-20, SEC-24, SEC-26). Wire names are {@code ssc.*} in {@link dev.secretstore.protocol.codec.ClusterMessages}.
 * Lists that grow with the number of keys travel in pages and batches (SEC-20).
 */
public sealed interface ServersSetChangeMessage extends SessionMessage {
    @Override
    default SessionType sessionType() {
        return SessionType.SERVERS_SET_CHANGE;
    }

    /**
     * Master → every node of the old set: the administrator's request, for each node to check itself (SEC-24):
     * Parity's two signatures and, if the administrator sent one, the fresh authorization in its binary form
     * ({@code Authorization.toBytes()}, 110 bytes; empty: none), which each member verifies and spends (SEC-32).
     */
    record Init(List<NodeId> oldSet, List<NodeId> newSet, byte[] oldSetSignature, byte[] newSetSignature, byte[] authorization)
            implements ServersSetChangeMessage {
        public Init {
            oldSet = List.copyOf(oldSet);
            newSet = List.copyOf(newSet);
            oldSetSignature = oldSetSignature.clone();
            newSetSignature = newSetSignature.clone();
            authorization = authorization.clone();
        }

        @Override
        public boolean isInitialization() {
            return true;
        }
    }

    /** Node → master: refused the change (bad signatures, a different view of the old set, other sessions running). */
    record Refused(SecretStoreException.Kind reason) implements ServersSetChangeMessage {}

    /** One committed version a node holds: its hash and id numbers. */
    record VersionEntry(H256 hash, List<IdNumber> idNumbers) {
        public VersionEntry {
            idNumbers = List.copyOf(idNumbers);
        }
    }

    /** One key a node holds: its threshold and committed versions, oldest first. */
    record KeyEntry(H256 keyId, int threshold, List<VersionEntry> versions) {
        public KeyEntry {
            versions = List.copyOf(versions);
        }
    }

    /** Node → master, after accepting: one page of its key inventory; {@code last} ends it. */
    record Inventory(List<KeyEntry> keys, boolean last) implements ServersSetChangeMessage {
        public Inventory {
            keys = List.copyOf(keys);
        }
    }

    /** How one key is re-shared: the old version, its dealers Q (t+1 holders) and the new id numbers X'. */
    record KeyPlan(H256 keyId, H256 oldVersion, List<NodeId> dealers, List<IdNumber> newIdNumbers) {
        public KeyPlan {
            dealers = List.copyOf(dealers);
            newIdNumbers = List.copyOf(newIdNumbers);
        }
    }

    /** Master → all: re-share these keys now. */
    record Plan(int batch, List<KeyPlan> keys) implements ServersSetChangeMessage {
        public Plan {
            keys = List.copyOf(keys);
        }
    }

    /**
     * One dealer's contribution for one key to one new holder: its Feldman vector F_i, the subshare
     * f_i(x'_j), and the public data a new holder needs (author, Y, the document key as 0 or 2 points,
     * the old version's commitments, id numbers and id nonce as 0 or 1 value: none for a version identified by
     * Parity's hash, the nonce of a refreshed one, {@link dev.secretstore.protocol.key.VersionMetadata}). The new
     * holder derives the old version's id from the id numbers and the nonce and accepts the subshare only if it is
     * the planned version.
     */
    record Subshare(H256 keyId, List<PublicPoint> feldman, SecretScalar value, Address author, PublicPoint publicKey,
                    List<PublicPoint> documentKey, List<PublicPoint> oldCommitments, List<IdNumber> oldIdNumbers,
                    List<H256> oldNonce) {
        public Subshare {
            feldman = List.copyOf(feldman);
            documentKey = List.copyOf(documentKey);
            oldCommitments = List.copyOf(oldCommitments);
            oldIdNumbers = List.copyOf(oldIdNumbers);
            oldNonce = List.copyOf(oldNonce);
            if (oldNonce.size() > 1) throw new IllegalArgumentException("at most one nonce");
        }

        @Override
        public String toString() {
            return "Subshare[" + keyId + ", value redacted]";
        }
    }

    /** Dealer → new holder: its subshares for this batch. */
    record Subshares(int batch, List<Subshare> items) implements ServersSetChangeMessage {
        public Subshares {
            items = List.copyOf(items);
        }
    }

    /** A key a new holder could not accept: the node it blames (empty if none) and why. */
    /**
     * A key a new holder did not prepare: the nodes to blame, if any, and whether the cause passes by itself
     * ({@code retryable}: an earlier prepared write of the key awaits the commit's recovery path, so repeating
     * the change completes it).
     */
    record KeyFault(H256 keyId, List<NodeId> culprits, String reason, boolean retryable) {
        public KeyFault {
            culprits = List.copyOf(culprits);
        }
    }

    /** New holder → master: keys prepared durably, and the ones that failed. */
    record Prepared(int batch, List<H256> prepared, List<KeyFault> faults) implements ServersSetChangeMessage {
        public Prepared {
            prepared = List.copyOf(prepared);
            faults = List.copyOf(faults);
        }
    }

    /** Master → new holders: commit these keys' new versions, discard the others'. */
    record Commit(int batch, List<H256> commit, List<H256> discard) implements ServersSetChangeMessage {
        public Commit {
            commit = List.copyOf(commit);
            discard = List.copyOf(discard);
        }
    }

    /** New holder → master: committed. */
    record Committed(int batch) implements ServersSetChangeMessage {}

    /** A key whose new version every new holder committed: the version to keep. */
    record Keep(H256 keyId, H256 version) {}

    /** Master → all: every holder of these versions committed them; remove older versions (or the key, if not a holder). */
    record Cleanup(int batch, List<Keep> keys) implements ServersSetChangeMessage {
        public Cleanup {
            keys = List.copyOf(keys);
        }
    }

    /** Node → master: cleaned up. */
    record CleanedUp(int batch) implements ServersSetChangeMessage {}

    /** Master → all: the change is over (successfully or not for some keys); leave exclusive mode. */
    record Done() implements ServersSetChangeMessage {}

    /** Master → all: the change failed; discard what is prepared and not committed. */
    record Abort(SecretStoreException.Kind reason) implements ServersSetChangeMessage {}
}
