package dev.secretstore.crypto.threshold;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;

/**
 * The context a DLEQ proof is bound to (crypto.md §11.1, SEC-16): server key id, per-request
 * session id, computation attempt id (fresh on every restart) and the prover's node id.
 *
 * @param keyId server key id
 * @param sessionId per-request session identifier of the node protocol
 * @param attemptId identifier of the current computation attempt
 * @param prover the prover's node id
 */
public record ProofContext(H256 keyId, H256 sessionId, H256 attemptId, PublicPoint prover) {
    public ProofContext {
        if (keyId == null || sessionId == null || attemptId == null || prover == null) {
            throw NodeIds.invalid("proof context fields must be present");
        }
    }

    /** The same request context for another prover. */
    public ProofContext forProver(PublicPoint otherProver) {
        return new ProofContext(keyId, sessionId, attemptId, otherProver);
    }
}
