package dev.secretstore.node.scenario;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.RecoverableSignature;
import dev.secretstore.crypto.threshold.EncryptedDocumentKey;
import dev.secretstore.crypto.threshold.SchnorrSignature;
import java.time.Duration;
import java.util.List;
import java.util.SortedSet;
import java.util.function.BooleanSupplier;

/**
 * A key-server cluster as {@link KeyServerScenarios} drives it: the HTTP API's operations through
 * member {@code via} (members are numbered 0..size-1 in ascending node id), and faults. Two drivers:
 * {@link InMemoryClusterUnderTest} (the protocol's in-memory cluster with its interceptor and fake
 * clock) and {@code ProcessClusterUnderTest} in the cli module's tests (node processes over real sockets).
 *
 * <p>Every operation returns what the client saw ({@link Outcome}); it never throws for a session
 * error, and it returns {@link Outcome#NO_ANSWER} instead of waiting past {@link #answerDeadline()}.
 * Every key is authored by {@link #requester()}; the values returned are what that requester decrypts
 * (the document key {@code M}, the signatures), so a scenario compares them with what it knows.
 */
public interface ClusterUnderTest extends AutoCloseable {
    /** A point during an operation at which a member can be lost; what it means depends on the driver. */
    interface Step {
        String name();
    }

    int size();

    /** The author and requester of every key in the scenarios. */
    KeyPair requester();

    /** Endpoint 1: the server key {@code Y}. */
    Outcome<PublicPoint> generateServerKey(int via, H256 keyId, int threshold);

    /** Endpoint 2: stores {@code (C, E)}. */
    Outcome<Void> storeDocumentKey(int via, H256 keyId, EncryptedDocumentKey key);

    /** Endpoint 4: {@code Y} as this member alone knows it (no cluster session). */
    Outcome<PublicPoint> retrieveServerKey(int via, H256 keyId);

    /** Endpoint 5: the document key {@code M}, decrypted by the requester. */
    Outcome<PublicPoint> retrieveDocumentKey(int via, H256 keyId);

    /** Endpoint 6: the document key {@code M}, combined from the shadows by the requester. */
    Outcome<PublicPoint> retrieveDocumentKeyFromShadows(int via, H256 keyId);

    /** Endpoint 7: the Schnorr signature of {@code message}, decrypted by the requester (not yet verified). */
    Outcome<SchnorrSignature> signSchnorr(int via, H256 keyId, H256 message);

    /** Endpoint 8: the ECDSA signature of {@code message}, decrypted by the requester (not yet verified). */
    Outcome<RecoverableSignature> signEcdsa(int via, H256 keyId, H256 message);

    /** Endpoint 9, both sets signed by the cluster's administrator key; sets of member numbers. */
    Outcome<Void> changeServersSet(int via, SortedSet<Integer> oldSet, SortedSet<Integer> newSet);

    /** Loses member {@code member} now (in memory: cut off; processes: kill -9); returns once the others noticed. */
    void lose(int member);

    /** Brings a lost member back (in memory: reconnected; processes: restarted on the same data) and waits until it is connected. */
    void restore(int member);

    /**
     * Runs {@code cleanRun} (one operation, no fault) and returns the points during it at which this
     * driver can lose a member, in protocol order.
     */
    List<Step> stepsOf(Runnable cleanRun);

    /** Arms a fault: member {@code member} is lost at {@code step} of the next operation (or right after it). */
    void loseAt(int member, Step step);

    /**
     * Lets time pass until {@code condition} holds or {@code bound} has passed (in memory: the fake clock,
     * with every node's maintenance; processes: real time); true if it held.
     */
    boolean within(Duration bound, BooleanSupplier condition);

    /** No session runs on any member that is not lost. */
    boolean idle();

    /** How long a client waits for an answer: the master's session deadline plus a margin. */
    Duration answerDeadline();

    /** How long any session may live without progress: a member's deadline (2 × the session timeout) plus a margin. */
    Duration sessionDeadline();

    /** Restores every lost member and disarms any armed fault. */
    void heal();

    @Override
    void close();
}
