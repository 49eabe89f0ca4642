package dev.secretstore.protocol.session.consensus;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.protocol.NodeId;
import java.util.List;

/**
 * The messages every ACL-consensus session exchanges (document key retrieval, Schnorr and ECDSA
 * signing), as views that {@link ConsensusSession} handles once for all of them. Each session keeps
 * its own records and wire names (registered in {@code ClusterMessages}); the records implement these
 * interfaces, which add no field and so do not change the encoding.
 */
public interface ConsensusMessage {
    /**
     * Master → every connected holder of the version (the session's initialization): may
     * {@code requester} use {@code keyId}? {@code consensusGroup} lists every node asked (master
     * included); later attempts may name only these nodes. {@code block} is the chain block pinned for
     * every member's ACL check ({@link dev.secretstore.protocol.acl.PinnedBlock}).
     */
    interface Request extends ConsensusMessage {
        H256 keyId();

        Address requester();

        H256 version();

        List<NodeId> consensusGroup();

        long block();
    }

    /** Holder → master: its own ACL decision (no if it lacks the version, the ACL denies or fails). */
    interface Response extends ConsensusMessage {
        boolean allowed();
    }

    /** Member → master: it will not take part in (or contribute to) this attempt. */
    interface Refused extends ConsensusMessage {
        H256 attemptId();
    }

    /** Master → every node asked: the request ended; release everything. */
    interface Done extends ConsensusMessage {
        boolean success();
    }
}
