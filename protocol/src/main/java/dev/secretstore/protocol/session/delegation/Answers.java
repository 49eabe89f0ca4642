package dev.secretstore.protocol.session.delegation;

import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.protocol.Culprit;
import dev.secretstore.protocol.KeyServer;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.auth.RequesterCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The two ends of a delegated request's answer: the holder runs the request on its own {@link KeyServer} and
 * turns the result or error into a message; the entry node checks the message's shape for the endpoint and
 * turns it back into exactly that result or error (kind, detail and culprits), so the client's status and
 * body are the holder's.
 */
final class Answers {
    private Answers() {}

    /**
     * Holder: runs {@code r} as the ordinary request of a client, for the requester {@code requester} derived from
     * the forwarded credential ({@link #requester}); never throws, the stage carries the answer.
     */
    static CompletionStage<DelegationMessage> serve(KeyServer server, DelegationMessage.Request r, Requester requester) {
        CompletionStage<DelegationMessage> answer;
        try {
            answer = switch (r.endpoint()) {
                case STORE_DOCUMENT_KEY -> server.storeDocumentKey(r.keyId(), requester, r.documentKey().get(0), r.documentKey().get(1))
                        .thenApply(v -> succeeded(new byte[0], List.of(), List.of()));
                case RETRIEVE_DOCUMENT_KEY -> server.retrieveDocumentKey(r.keyId(), requester)
                        .thenApply(blob -> succeeded(blob, List.of(), List.of()));
                case RETRIEVE_SHADOWS -> server.retrieveDocumentKeyShadows(r.keyId(), requester, Set.copyOf(r.excluded()))
                        .thenApply(Answers::shadowsSucceeded);
                case SIGN_SCHNORR -> server.signSchnorr(r.keyId(), requester, r.messageHash())
                        .thenApply(blob -> succeeded(blob, List.of(), List.of()));
                case SIGN_ECDSA -> server.signEcdsa(r.keyId(), requester, r.messageHash())
                        .thenApply(blob -> succeeded(blob, List.of(), List.of()));
                case RETRIEVE_SERVER_KEY -> throw new IllegalArgumentException("endpoint 4 is never delegated");
            };
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        return answer.exceptionally(Answers::failed);
    }

    /**
     * Holder: the requester of the forwarded credential, as this node's own check derives it without spending a
     * nonce (the session the holder then masters spends it, as every member does; SEC-31, docs/auth.md §4).
     *
     * @throws SecretStoreException the check's error
     */
    static Requester requester(RequesterCheck requesters, DelegationMessage.Request r) {
        return requesters.verify(r.credential(), r.endpoint().operation(), r.keyId(), r.endpoint().params(r.messageHash(), r.documentKey()));
    }

    private static DelegationMessage succeeded(byte[] result, List<PublicPoint> points, List<byte[]> shadows) {
        return new DelegationMessage.Succeeded(result, points, shadows);
    }

    private static DelegationMessage shadowsSucceeded(KeyServer.ShadowRetrieval s) {
        return new DelegationMessage.Succeeded(new byte[0], List.of(s.decryptedSecret(), s.commonPoint()), s.decryptShadows(),
                s.checks().stream().map(KeyServer.ShadowCheck::node).toList(), s.checks().stream().map(KeyServer.ShadowCheck::w).toList());
    }

    /** Holder: the error as a message: its kind, detail and culprits; anything that is not ours becomes a 500. */
    static DelegationMessage.Failed failed(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (!(e instanceof SecretStoreException s)) {
            return new DelegationMessage.Failed(Kind.INTERNAL, e.getClass().getSimpleName(), List.of(), List.of());
        }
        String detail = s.detail().orElse("");
        if (s.kind().hasDetail() && detail.isEmpty()) detail = "-";
        if (detail.length() > DelegationMessage.Failed.MAX_DETAIL) detail = detail.substring(0, DelegationMessage.Failed.MAX_DETAIL);
        List<NodeId> nodes = new ArrayList<>();
        List<Culprit.Reason> reasons = new ArrayList<>();
        for (Culprit c : s.culprits()) {
            nodes.add(c.node());
            reasons.add(c.reason());
        }
        return new DelegationMessage.Failed(s.kind(), detail, nodes, reasons);
    }

    /** Entry node: the holder's error, as the holder's own client would have got it. */
    static SecretStoreException error(DelegationMessage.Failed f, NodeId holder) {
        SecretStoreException e = f.kind().hasDetail() ? SecretStoreException.of(f.kind(), f.detail()) : SecretStoreException.of(f.kind());
        List<Culprit> culprits = new ArrayList<>();
        for (int i = 0; i < f.culprits().size(); i++) {
            culprits.add(new Culprit(f.culprits().get(i), f.reasons().get(i), "reported by delegate " + holder.shortId()));
        }
        return culprits.isEmpty() ? e : e.withCulprits(culprits);
    }

    /** Decodes a holder's success for the entry node; throws {@link IllegalArgumentException} for a wrong shape. */
    @FunctionalInterface
    interface Decoder<T> {
        T decode(DelegationMessage.Succeeded s, int threshold);
    }

    /** Endpoint 2: nothing but the success. */
    static Void stored(DelegationMessage.Succeeded s, int threshold) {
        shape(s.result().length == 0 && s.points().isEmpty() && s.shadows().isEmpty() && s.shadowNodes().isEmpty());
        return null;
    }

    /** Endpoints 5, 7, 8: one encrypted blob of the endpoint's exact length. */
    static Decoder<byte[]> blob(Endpoint endpoint) {
        return (s, t) -> {
            shape(s.result().length == endpoint.resultLength() && s.points().isEmpty() && s.shadows().isEmpty() && s.shadowNodes().isEmpty());
            return s.result().clone();
        };
    }

    /**
     * Endpoint 6: two points and t+1 encrypted shadows of {@link Endpoint#SHADOW_BLOB_LENGTH} bytes, each with its
     * member (strictly ascending node ids) and proved point (SEC-33).
     */
    static KeyServer.ShadowRetrieval shadows(DelegationMessage.Succeeded s, int threshold) {
        shape(s.result().length == 0 && s.points().size() == 2 && s.shadows().size() == threshold + 1
                && s.shadows().stream().allMatch(b -> b.length == Endpoint.SHADOW_BLOB_LENGTH)
                && s.shadowNodes().size() == s.shadows().size());
        List<KeyServer.ShadowCheck> checks = new ArrayList<>();
        for (int i = 0; i < s.shadowNodes().size(); i++) {
            shape(i == 0 || s.shadowNodes().get(i - 1).compareTo(s.shadowNodes().get(i)) < 0);
            checks.add(new KeyServer.ShadowCheck(s.shadowNodes().get(i), s.shadowPoints().get(i)));
        }
        return new KeyServer.ShadowRetrieval(s.points().get(0), s.points().get(1), s.shadows().stream().map(byte[]::clone).toList(), checks);
    }

    private static void shape(boolean ok) {
        if (!ok) throw new IllegalArgumentException("delegated answer does not have the endpoint's shape");
    }
}
