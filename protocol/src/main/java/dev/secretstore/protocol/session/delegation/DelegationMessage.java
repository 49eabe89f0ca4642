package dev.secretstore.protocol.session.delegation;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.protocol.Culprit;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.auth.Credential;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.SessionType;
import java.util.List;

/**
 * Messages of the entry-point sessions (SEC-40): key-version negotiation ({@link Query} → {@link Held} or
 * {@link NotHeld}) and one delegated request ({@link Request} → {@link Succeeded} or {@link Failed}). Each
 * exchange is a session of its own; both kinds of initialization open {@link SessionType#DELEGATION}.
 */
public sealed interface DelegationMessage extends SessionMessage {
    @Override
    default SessionType sessionType() {
        return SessionType.DELEGATION;
    }

    /** Entry node → every connected member: what do you hold of this key, for this endpoint? */
    record Query(H256 keyId, Endpoint endpoint) implements DelegationMessage {
        @Override
        public boolean isInitialization() {
            return true;
        }
    }

    /**
     * Member → entry node: its committed public metadata of the key (nothing unsealed): author, threshold, Y,
     * whether it has the document key committed, and whether it has a version the endpoint's session could use.
     */
    record Held(Address author, int threshold, PublicPoint publicKey, boolean documentKey, boolean usable) implements DelegationMessage {
        public Held {
            if (threshold < 0) throw new IllegalArgumentException("negative threshold");
        }
    }

    /** Member → entry node: it has no committed key of that id. */
    record NotHeld() implements DelegationMessage {}

    /**
     * Entry node → one holder: serve this request as if a client had sent it to you. {@code credential} is the
     * requester's own (the entry node names no requester: the holder derives it, and the holder's session members
     * derive it again, SEC-31); {@code messageHash} is the hash to sign (7, 8; zero otherwise); {@code documentKey}
     * is (C, E) for 2 and empty otherwise; {@code excluded} the members the requester left out of the decryption
     * group (6 only, SEC-33; empty otherwise).
     */
    record Request(Endpoint endpoint, H256 keyId, Credential credential, H256 messageHash, List<PublicPoint> documentKey,
                   List<NodeId> excluded) implements DelegationMessage {
        /** Most members a request may exclude. */
        public static final int MAX_EXCLUDED = 256;

        public Request {
            java.util.Objects.requireNonNull(credential, "credential");
            documentKey = List.copyOf(documentKey);
            excluded = List.copyOf(excluded);
            if (endpoint == Endpoint.RETRIEVE_SERVER_KEY) throw new IllegalArgumentException("endpoint 4 is never delegated");
            if (documentKey.size() != (endpoint == Endpoint.STORE_DOCUMENT_KEY ? 2 : 0)) {
                throw new IllegalArgumentException("document key points do not fit the endpoint");
            }
            if (!excluded.isEmpty() && endpoint != Endpoint.RETRIEVE_SHADOWS || excluded.size() > MAX_EXCLUDED) {
                throw new IllegalArgumentException("excluded members do not fit the endpoint");
            }
        }

        /** A request that excludes nobody. */
        public Request(Endpoint endpoint, H256 keyId, Credential credential, H256 messageHash, List<PublicPoint> documentKey) {
            this(endpoint, keyId, credential, messageHash, documentKey, List.of());
        }

        @Override
        public boolean isInitialization() {
            return true;
        }
    }

    /**
     * Holder → entry node: the request succeeded. {@code result}: the encrypted blob of 5, 7 and 8 (empty for 2
     * and 6); {@code points}: decrypted secret and common point of 6 (empty otherwise); {@code shadows}: the
     * encrypted decrypt shadows of 6 by ascending node id (empty otherwise); {@code shadowNodes} and
     * {@code shadowPoints}: for each shadow, in the same order, its member and the {@code W_i} it proved (6 only,
     * SEC-33). The entry node checks the shape.
     */
    record Succeeded(byte[] result, List<PublicPoint> points, List<byte[]> shadows, List<NodeId> shadowNodes,
                     List<PublicPoint> shadowPoints) implements DelegationMessage {
        public Succeeded {
            points = List.copyOf(points);
            shadows = List.copyOf(shadows);
            shadowNodes = List.copyOf(shadowNodes);
            shadowPoints = List.copyOf(shadowPoints);
            if (shadowNodes.size() != shadowPoints.size()) throw new IllegalArgumentException("one point per shadow member");
        }

        /** A success without shadow check data (every endpoint but 6). */
        public Succeeded(byte[] result, List<PublicPoint> points, List<byte[]> shadows) {
            this(result, points, shadows, List.of(), List.of());
        }
    }

    /**
     * Holder → entry node: the request failed with this error kind (and its detail, empty for a kind without
     * one), naming the nodes blamed ({@link Culprit}s without their log detail).
     */
    record Failed(SecretStoreException.Kind kind, String detail, List<NodeId> culprits, List<Culprit.Reason> reasons)
            implements DelegationMessage {
        /** Longest detail text accepted: details are short public texts (SEC-07). */
        public static final int MAX_DETAIL = 256;

        public Failed {
            culprits = List.copyOf(culprits);
            reasons = List.copyOf(reasons);
            if (culprits.size() != reasons.size()) throw new IllegalArgumentException("one reason per culprit");
            if (kind.hasDetail() == detail.isEmpty() || detail.length() > MAX_DETAIL) {
                throw new IllegalArgumentException("detail does not fit the error kind");
            }
        }
    }
}
