package dev.secretstore.protocol.codec;

import dev.secretstore.protocol.session.admin.ServersSetChangeMessage;
import dev.secretstore.protocol.session.decryption.DecryptionMessage;
import dev.secretstore.protocol.session.generation.GenerationMessage;
import dev.secretstore.protocol.session.resolution.ResolutionMessage;
import dev.secretstore.protocol.session.signing.EcdsaMessage;
import dev.secretstore.protocol.session.signing.SchnorrMessage;
import dev.secretstore.protocol.session.store.StoreMessage;

/** The registry of every message body on the wire, with stable names. Add new messages here, never rename. */
public final class ClusterMessages {
    /** Largest message the node accepts (SEC-20: at least 16 MiB). */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    private ClusterMessages() {}

    public static MessageCodec codec() {
        return codec(DEFAULT_MAX_MESSAGE_BYTES);
    }

    public static MessageCodec codec(int maxMessageBytes) {
        return new MessageCodec(maxMessageBytes)
                .register("store.init", StoreMessage.Init.class)
                .register("store.prepared", StoreMessage.Prepared.class)
                .register("store.refused", StoreMessage.Refused.class)
                .register("store.commit", StoreMessage.Commit.class)
                .register("store.abort", StoreMessage.Abort.class)
                .register("store.committed", StoreMessage.Committed.class)
                .register("dec.consensus-request", DecryptionMessage.ConsensusRequest.class)
                .register("dec.consensus-response", DecryptionMessage.ConsensusResponse.class)
                .register("dec.partial-request", DecryptionMessage.PartialRequest.class)
                .register("dec.partial-response", DecryptionMessage.PartialResponse.class)
                .register("dec.shadow-partial-response", DecryptionMessage.ShadowPartialResponse.class)
                .register("dec.partial-refused", DecryptionMessage.PartialRefused.class)
                .register("dec.done", DecryptionMessage.Done.class)
                .register("gen.init", GenerationMessage.Init.class)
                .register("gen.init_ack", GenerationMessage.InitAck.class)
                .register("gen.refused", GenerationMessage.Refused.class)
                .register("gen.start", GenerationMessage.Start.class)
                .register("gen.deal", GenerationMessage.Deal.class)
                .register("gen.verdicts", GenerationMessage.Verdicts.class)
                .register("gen.reveal", GenerationMessage.Reveal.class)
                .register("gen.feldman", GenerationMessage.Feldman.class)
                .register("gen.feldman_verdicts", GenerationMessage.FeldmanVerdicts.class)
                .register("gen.prepared", GenerationMessage.Prepared.class)
                .register("gen.commit", GenerationMessage.Commit.class)
                .register("gen.abort", GenerationMessage.Abort.class)
                .register("gen.committed", GenerationMessage.Committed.class)
                .register("res.query", ResolutionMessage.Query.class)
                .register("res.status", ResolutionMessage.Status.class)
                .register("sch.consensus-request", SchnorrMessage.ConsensusRequest.class)
                .register("sch.consensus-response", SchnorrMessage.ConsensusResponse.class)
                .register("sch.nonce-request", SchnorrMessage.NonceRequest.class)
                .register("sch.nonce-deal", SchnorrMessage.NonceDeal.class)
                .register("sch.nonce-commitment", SchnorrMessage.NonceCommitment.class)
                .register("sch.nonce-ready", SchnorrMessage.NonceReady.class)
                .register("sch.nonce-complaint", SchnorrMessage.NonceComplaint.class)
                .register("sch.partial-request", SchnorrMessage.PartialRequest.class)
                .register("sch.partial", SchnorrMessage.Partial.class)
                .register("sch.refused", SchnorrMessage.Refused.class)
                .register("sch.done", SchnorrMessage.Done.class)
                .register("sch.nonce-hash", SchnorrMessage.NonceHash.class)
                .register("sch.nonce-hashes", SchnorrMessage.NonceHashes.class)
                .register("ecd.consensus-request", EcdsaMessage.ConsensusRequest.class)
                .register("ecd.consensus-response", EcdsaMessage.ConsensusResponse.class)
                .register("ecd.nonce-request", EcdsaMessage.NonceRequest.class)
                .register("ecd.nonce-deal", EcdsaMessage.NonceDeal.class)
                .register("ecd.nonce-commitment", EcdsaMessage.NonceCommitment.class)
                .register("ecd.nonce-ready", EcdsaMessage.NonceReady.class)
                .register("ecd.nonce-complaint", EcdsaMessage.NonceComplaint.class)
                .register("ecd.u-request", EcdsaMessage.URequest.class)
                .register("ecd.u-share", EcdsaMessage.UShare.class)
                .register("ecd.sign-request", EcdsaMessage.SignRequest.class)
                .register("ecd.signature-share", EcdsaMessage.SignatureShare.class)
                .register("ecd.refused", EcdsaMessage.Refused.class)
                .register("ecd.done", EcdsaMessage.Done.class)
                .register("ecd.nonce-hash", EcdsaMessage.NonceHash.class)
                .register("ecd.nonce-hashes", EcdsaMessage.NonceHashes.class)
                .register("ssc.init", ServersSetChangeMessage.Init.class)
                .register("ssc.refused", ServersSetChangeMessage.Refused.class)
                .register("ssc.inventory", ServersSetChangeMessage.Inventory.class)
                .register("ssc.plan", ServersSetChangeMessage.Plan.class)
                .register("ssc.subshares", ServersSetChangeMessage.Subshares.class)
                .register("ssc.prepared", ServersSetChangeMessage.Prepared.class)
                .register("ssc.commit", ServersSetChangeMessage.Commit.class)
                .register("ssc.committed", ServersSetChangeMessage.Committed.class)
                .register("ssc.cleanup", ServersSetChangeMessage.Cleanup.class)
                .register("ssc.cleaned-up", ServersSetChangeMessage.CleanedUp.class)
                .register("ssc.done", ServersSetChangeMessage.Done.class)
                .register("ssc.abort", ServersSetChangeMessage.Abort.class);
    }
}
