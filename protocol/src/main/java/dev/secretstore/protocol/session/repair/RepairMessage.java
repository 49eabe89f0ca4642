package dev.secretstore.protocol.session.repair;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.SessionType;
import dev.secretstore.protocol.session.generation.GenerationMessage.IdNumber;
import java.util.List;

/**
 * Messages of share repair (SEC-40), wire names {@code rep.*}: the inventory pages a member's sweep reads
 * from each peer, the public facts of one key, and the verifiable share recovery ({@code ShareRecovery}).
 * Optional values travel as lists of zero or one element; the codec validates every point, scalar and id.
 */
public sealed interface RepairMessage extends SessionMessage {
    @Override
    default SessionType sessionType() {
        return SessionType.SHARE_REPAIR;
    }

    // ------------------------------------------------------------ sweep

    /** Sweeping member → peer: one page of the peer's keys whose latest version names the sweeping member. */
    record InventoryRequest(List<H256> after, int limit) implements RepairMessage {
        public InventoryRequest {
            after = List.copyOf(after);
            if (after.size() > 1) throw new IllegalArgumentException("at most one cursor");
        }

        @Override
        public boolean isInitialization() {
            return true;
        }
    }

    /** One key of an inventory page: its threshold, the id of the peer's latest committed version, whether it has the document key. */
    record InventoryEntry(H256 keyId, int threshold, H256 latestVersion, boolean documentKey) {}

    /**
     * Peer → sweeping member: the page's keys that concern the asker and the cursor of the next page (empty at
     * the end); {@code next} covers the keys the peer scanned, also those it left out.
     */
    record InventoryReply(List<InventoryEntry> entries, List<H256> next) implements RepairMessage {
        public InventoryReply {
            entries = List.copyOf(entries);
            next = List.copyOf(next);
            if (next.size() > 1) throw new IllegalArgumentException("at most one cursor");
        }
    }

    // ------------------------------------------------------------ key facts

    /** Repairing member → every connected member: what do you hold of this key? */
    record Query(H256 keyId) implements RepairMessage {
        @Override
        public boolean isInitialization() {
            return true;
        }
    }

    /** One committed version without its share: id, nonce (0 or 1), id numbers, commitment vector. */
    record VersionFacts(H256 id, List<H256> nonce, List<IdNumber> idNumbers, List<PublicPoint> commitments) {
        public VersionFacts {
            nonce = List.copyOf(nonce);
            idNumbers = List.copyOf(idNumbers);
            commitments = List.copyOf(commitments);
        }
    }

    /** A key's committed public state: author, t, Y, document key (0 or 2 points: C, E), versions oldest first. */
    record KeyFacts(Address author, int threshold, PublicPoint publicKey, List<PublicPoint> documentKey, List<VersionFacts> versions) {
        public KeyFacts {
            documentKey = List.copyOf(documentKey);
            versions = List.copyOf(versions);
        }
    }

    /** Member → repairing member: its committed facts of the key (empty if it has none). */
    record Facts(List<KeyFacts> key) implements RepairMessage {
        public Facts {
            key = List.copyOf(key);
        }
    }

    // ------------------------------------------------------------ recovery (one attempt)

    /** Repairing member → each helper: recover my share of {@code version} with exactly these t+1 helpers. */
    record Recover(H256 attempt, H256 version, List<NodeId> helpers) implements RepairMessage {
        public Recover {
            helpers = List.copyOf(helpers);
        }
    }

    /** Helper i → helper k: the piece r_{i,k} and helper i's points R_{i,·} in the helpers' node-id order. */
    record Piece(H256 attempt, SecretScalar piece, List<PublicPoint> points) implements RepairMessage {
        public Piece {
            points = List.copyOf(points);
        }

        @Override
        public String toString() {
            return "Piece[" + attempt + ", redacted]";
        }
    }

    /** Helper i → repairing member: its points R_{i,·}. */
    record Points(H256 attempt, List<PublicPoint> points) implements RepairMessage {
        public Points {
            points = List.copyOf(points);
        }
    }

    /** Helper k → repairing member: σ_k = Σ_i r_{i,k} and the column R_{i,k} it checked the pieces against. */
    record Sum(H256 attempt, SecretScalar sigma, List<PublicPoint> column) implements RepairMessage {
        public Sum {
            column = List.copyOf(column);
        }

        @Override
        public String toString() {
            return "Sum[" + attempt + ", redacted]";
        }
    }

    /**
     * Helper k → repairing member: it holds a checked piece from {@code dealer}. Lets the repairing member tell, at a
     * stall, which dealer's piece a helper still waits for.
     */
    record Received(H256 attempt, NodeId dealer) implements RepairMessage {}

    /** Helper k → repairing member: helper {@code accused}'s piece did not match its point. */
    record Complaint(H256 attempt, NodeId accused) implements RepairMessage {}

    /** Helper → repairing member: it will not help in this attempt (it does not hold the version, a bad group). */
    record Refused(H256 attempt, String reason) implements RepairMessage {}

    /** Repairing member → every member asked: the repair is over. */
    record Done() implements RepairMessage {}
}
