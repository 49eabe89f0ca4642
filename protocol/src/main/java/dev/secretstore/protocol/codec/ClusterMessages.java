package dev.secretstore.protocol.codec;

import dev.secretstore.protocol.session.SessionRefusal;
import dev.secretstore.protocol.session.SessionType;
import dev.secretstore.protocol.session.admin.ServersSetChangeMessage;
import dev.secretstore.protocol.session.consensus.ConsensusMessage;
import dev.secretstore.protocol.session.dealing.DealingMessage;
import dev.secretstore.protocol.session.decryption.DecryptionMessage;
import dev.secretstore.protocol.session.delegation.DelegationMessage;
import dev.secretstore.protocol.session.generation.GenerationMessage;
import dev.secretstore.protocol.session.refresh.RefreshMessage;
import dev.secretstore.protocol.session.repair.RepairMessage;
import dev.secretstore.protocol.session.resolution.ResolutionMessage;
import dev.secretstore.protocol.session.signing.EcdsaMessage;
import dev.secretstore.protocol.session.signing.SchnorrMessage;
import dev.secretstore.protocol.session.store.StoreMessage;
import java.util.Map;

/** The registry of every message body on the wire, with stable names. Add new messages here, never rename. */
public final class ClusterMessages {
    /** Largest message the node accepts (SEC-20: at least 16 MiB). */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    private ClusterMessages() {}

    public static MessageCodec codec() {
        return codec(DEFAULT_MAX_MESSAGE_BYTES);
    }

    public static MessageCodec codec(int maxMessageBytes) {
        MessageCodec codec = new MessageCodec(maxMessageBytes);
        registerSubProtocols(codec);
        registerRepair(codec);
        return codec
                .register("store.init", StoreMessage.Init.class)
                .register("store.prepared", StoreMessage.Prepared.class)
                .register("store.refused", StoreMessage.Refused.class)
                .register("store.commit", StoreMessage.Commit.class)
                .register("store.abort", StoreMessage.Abort.class)
                .register("store.committed", StoreMessage.Committed.class)
                .register("dec.partial.request", DecryptionMessage.PartialRequest.class)
                .register("dec.partial.response", DecryptionMessage.PartialResponse.class)
                .register("dec.partial.shadow-response", DecryptionMessage.ShadowPartialResponse.class)
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
                .register("gen.deadline", GenerationMessage.Deadline.class)
                .register("gen.complaints", GenerationMessage.Complaints.class)
                .register("gen.qual", GenerationMessage.Qual.class)
                .register("gen.feldman_all", GenerationMessage.FeldmanAll.class)
                .register("gen.reconstruct", GenerationMessage.Reconstruct.class)
                .register("gen.shares", GenerationMessage.Shares.class)
                .register("gen.final", GenerationMessage.Final.class)
                .register("res.query", ResolutionMessage.Query.class)
                .register("res.status", ResolutionMessage.Status.class)
                .register("sch.partial.request", SchnorrMessage.PartialRequest.class)
                .register("sch.partial.response", SchnorrMessage.Partial.class)
                .register("ecd.u.request", EcdsaMessage.URequest.class)
                .register("ecd.u.share", EcdsaMessage.UShare.class)
                .register("ecd.signature.request", EcdsaMessage.SignRequest.class)
                .register("ecd.signature.share", EcdsaMessage.SignatureShare.class)
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
                .register("ssc.abort", ServersSetChangeMessage.Abort.class)
                .register("ref.init", RefreshMessage.Init.class)
                .register("ref.prepare", RefreshMessage.Prepare.class)
                .register("ref.prepared", RefreshMessage.Prepared.class)
                .register("ref.refused", RefreshMessage.Refused.class)
                .register("ref.commit", RefreshMessage.Commit.class)
                .register("ref.committed", RefreshMessage.Committed.class)
                .register("ref.abort-attempt", RefreshMessage.AbortAttempt.class)
                .register("ref.cleanup", RefreshMessage.Cleanup.class)
                .register("ref.cleaned-up", RefreshMessage.CleanedUp.class)
                .register("ref.done", RefreshMessage.Done.class)
                .register("del.query", DelegationMessage.Query.class)
                .register("del.held", DelegationMessage.Held.class)
                .register("del.not-held", DelegationMessage.NotHeld.class)
                .register("del.request", DelegationMessage.Request.class)
                .register("del.succeeded", DelegationMessage.Succeeded.class)
                .register("del.failed", DelegationMessage.Failed.class);
    }

    /** Wire prefix of each session type that composes the shared sub-protocols. */
    private static final Map<SessionType, String> PREFIX = Map.of(SessionType.DECRYPTION, "dec", SessionType.SCHNORR_SIGNING, "sch",
            SessionType.ECDSA_SIGNING, "ecd", SessionType.KEY_REFRESH, "ref");

    /** Wire prefix of each session type a member may refuse to join ({@link SessionRefusal}). */
    private static final Map<SessionType, String> REFUSAL = Map.of(SessionType.KEY_GENERATION, "gen", SessionType.DOCUMENT_KEY_STORE,
            "store", SessionType.DECRYPTION, "dec", SessionType.SCHNORR_SIGNING, "sch", SessionType.ECDSA_SIGNING, "ecd",
            SessionType.SERVERS_SET_CHANGE, "ssc", SessionType.PENDING_RESOLUTION, "res", SessionType.SHARE_REPAIR, "rep",
            SessionType.KEY_REFRESH, "ref", SessionType.DELEGATION, "del");

    /** One family per sub-protocol, named under each session type that uses it: {@code <session>.<sub-protocol>.<message>}. */
    private static void registerSubProtocols(MessageCodec codec) {
        for (SessionType session : SessionRefusal.USED_BY) {
            codec.register(session, REFUSAL.get(session) + ".member-refused", SessionRefusal.class);
        }
        for (SessionType session : ConsensusMessage.USED_BY) {
            String p = PREFIX.get(session) + ".consensus.";
            codec.register(session, p + "request", ConsensusMessage.Request.class)
                    .register(session, p + "response", ConsensusMessage.Response.class)
                    .register(session, p + "refused", ConsensusMessage.Refused.class)
                    .register(session, p + "done", ConsensusMessage.Done.class);
        }
        for (SessionType session : DealingMessage.USED_BY) {
            String p = PREFIX.get(session) + ".dealing.";
            codec.register(session, p + "request", DealingMessage.Request.class)
                    .register(session, p + "hash", DealingMessage.Hash.class)
                    .register(session, p + "hashes", DealingMessage.Hashes.class)
                    .register(session, p + "deal", DealingMessage.Deal.class)
                    .register(session, p + "commitment", DealingMessage.Commitment.class)
                    .register(session, p + "ready", DealingMessage.Ready.class)
                    .register(session, p + "complaint", DealingMessage.Complaint.class);
        }
    }

    /** Share repair (SEC-40): the sweep's inventory pages, the key facts and the share recovery. */
    private static void registerRepair(MessageCodec codec) {
        codec.register("rep.inventory.request", RepairMessage.InventoryRequest.class)
                .register("rep.inventory.reply", RepairMessage.InventoryReply.class)
                .register("rep.query", RepairMessage.Query.class)
                .register("rep.facts", RepairMessage.Facts.class)
                .register("rep.recover", RepairMessage.Recover.class)
                .register("rep.piece", RepairMessage.Piece.class)
                .register("rep.points", RepairMessage.Points.class)
                .register("rep.sum", RepairMessage.Sum.class)
                .register("rep.received", RepairMessage.Received.class)
                .register("rep.complaint", RepairMessage.Complaint.class)
                .register("rep.refused", RepairMessage.Refused.class)
                .register("rep.done", RepairMessage.Done.class);
    }
}
