package dev.secretstore.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Hex;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** http-api.md §7 and §8: statuses and error bodies byte for byte. */
class ErrorResponsesTest {
    @Test
    void accessDeniedBodyIsTheNineteenBytesOfTheSpec() {
        byte[] body = ErrorResponses.body(SecretStoreException.of(Kind.ACCESS_DENIED));
        assertThat(Hex.encode(body)).isEqualTo("225c22" + Hex.encode("Access denied".getBytes(StandardCharsets.US_ASCII)) + "5c2222");
        assertThat(body).hasSize(19);
    }

    @Test
    void everyKindHasParitysStatusAndText() {
        Map<Kind, Object[]> table = new EnumMap<>(Kind.class);
        table.put(Kind.ACCESS_DENIED, new Object[] {403, "Access denied"});
        table.put(Kind.CONSENSUS_UNREACHABLE, new Object[] {403, "Consensus unreachable"});
        table.put(Kind.CONSENSUS_TEMPORARY_UNREACHABLE, new Object[] {403, "Consensus temporary unreachable"});
        table.put(Kind.SERVER_KEY_IS_NOT_FOUND, new Object[] {404, "Server key with this ID is not found"});
        table.put(Kind.DOCUMENT_KEY_IS_NOT_FOUND, new Object[] {404, "Document key with this ID is not found"});
        table.put(Kind.INSUFFICIENT_REQUESTER_DATA, new Object[] {400, "Insufficient requester data: X"});
        table.put(Kind.HYPER, new Object[] {400, "Hyper error: X"});
        table.put(Kind.SERDE, new Object[] {400, "Serialization error: X"});
        table.put(Kind.DOCUMENT_KEY_ALREADY_STORED, new Object[] {400, "Document key with this ID is already stored"});
        table.put(Kind.SERVER_KEY_ALREADY_GENERATED, new Object[] {400, "Server key with this ID is already generated"});
        table.put(Kind.INVALID_NODE_ADDRESS, new Object[] {500, "invalid node address has been passed"});
        table.put(Kind.INVALID_NODE_ID, new Object[] {500, "invalid node id has been passed"});
        table.put(Kind.DUPLICATE_SESSION_ID, new Object[] {500, "session with the same id is already registered"});
        table.put(Kind.NO_ACTIVE_SESSION_WITH_ID, new Object[] {500, "no active session with given id"});
        table.put(Kind.NOT_ENOUGH_NODES_FOR_THRESHOLD, new Object[] {500, "not enough nodes for passed threshold"});
        table.put(Kind.TOO_EARLY_FOR_REQUEST, new Object[] {500, "session is not yet ready to process this request"});
        table.put(Kind.INVALID_STATE_FOR_REQUEST, new Object[] {500, "session is in invalid state for processing this request"});
        table.put(Kind.INVALID_NODE_FOR_REQUEST, new Object[] {500, "invalid node for this request"});
        table.put(Kind.INVALID_MESSAGE, new Object[] {500, "invalid message is received"});
        table.put(Kind.INVALID_MESSAGE_VERSION, new Object[] {500, "unsupported message is received"});
        table.put(Kind.REPLAY_PROTECTION, new Object[] {500, "replay message is received"});
        table.put(Kind.NODE_DISCONNECTED, new Object[] {500, "node required for this operation is currently disconnected"});
        table.put(Kind.EXCLUSIVE_SESSION_ACTIVE, new Object[] {500, "Exclusive session active"});
        table.put(Kind.HAS_ACTIVE_SESSIONS, new Object[] {500, "Unable to start exclusive session"});
        table.put(Kind.ETH_KEY, new Object[] {500, "cryptographic error X"});
        table.put(Kind.IO, new Object[] {500, "IO error: X"});
        table.put(Kind.DATABASE, new Object[] {500, "Database error: X"});
        table.put(Kind.INTERNAL, new Object[] {500, "Internal error: X"});
        table.put(Kind.FRESH_AUTHORIZATION_REQUIRED, new Object[] {403, "Fresh authorization required: X"}); // SEC-32 extension
        assertThat(table.keySet()).containsExactlyInAnyOrder(Kind.values());
        table.forEach((kind, row) -> {
            SecretStoreException e = kind.hasDetail() ? SecretStoreException.of(kind, "X") : SecretStoreException.of(kind);
            assertThat(ErrorResponses.status(kind)).as(kind.name()).isEqualTo(row[0]);
            assertThat(new String(ErrorResponses.body(e), StandardCharsets.UTF_8)).as(kind.name())
                    .isEqualTo("\"\\\"" + row[1] + "\\\"\"");
        });
    }

    @Test
    void detailsAreEscapedLikeSerdeJson() {
        SecretStoreException e = SecretStoreException.of(Kind.INSUFFICIENT_REQUESTER_DATA, "bad \"sig\" \\ \n\u0001 é");
        assertThat(new String(ErrorResponses.body(e), StandardCharsets.UTF_8))
                .isEqualTo("\"\\\"Insufficient requester data: bad \\\"sig\\\" \\\\ \\n\\u0001 é\\\"\"");
    }
}
