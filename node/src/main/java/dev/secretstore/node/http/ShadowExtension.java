package dev.secretstore.node.http;

import dev.secretstore.http.server.HttpRequest;
import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.Hex;
import dev.secretstore.protocol.KeyServer;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.session.delegation.DelegationMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The opt-in extension of endpoint 6 (SEC-33, docs/client.md "Checked shadows"). Without its request headers the
 * answer is Parity's, byte for byte.
 *
 * <ul>
 *   <li>{@value #CHECK_HEADER}{@code : 1} adds, after Parity's members, {@code "decrypt_shadow_nodes"} (each
 *       shadow's member, {@code 0x} + 128 hex digits) and {@code "decrypt_shadow_points"} ({@code W_i = d_i·G} that
 *       member proved to the master, {@code 0x} + 128 hex digits), both in the order of {@code decrypt_shadows}. A
 *       requester that decrypts {@code d_i} checks {@code d_i·G == W_i}; a member failing it encrypted another shadow
 *       than it proved. {@code 0} or no header: nothing added.</li>
 *   <li>{@value #EXCLUDE_HEADER}{@code : 0x<node id>[,0x<node id>…]} (at most {@value #MAX_EXCLUDED}, {@code 0x}
 *       optional): the master chooses the decryption group without these members; with fewer than {@code t+1} left
 *       the answer is the usual 403 {@code Consensus unreachable}.</li>
 * </ul>
 * A malformed value is a 400 {@code Serialization error}. Off with {@code parity_strict}: the headers are ignored.
 */
final class ShadowExtension {
    static final String CHECK_HEADER = "Secretstore-Shadow-Check";
    static final String EXCLUDE_HEADER = "Secretstore-Exclude-Nodes";
    static final int MAX_EXCLUDED = DelegationMessage.Request.MAX_EXCLUDED;

    /** What the request asked for: the check data, and members to leave out of the group. */
    record Options(boolean check, Set<NodeId> excluded) {
        /** Neither extension: Parity's endpoint 6. */
        static final Options NONE = new Options(false, Set.of());

        Options {
            excluded = Set.copyOf(excluded);
        }
    }

    private ShadowExtension() {}

    /** The extension's headers of a request; throws a 400-kind {@link SecretStoreException} for a malformed one. */
    static Options options(HttpRequest in) {
        return new Options(check(in.headerValues(CHECK_HEADER)), excluded(in.headerValues(EXCLUDE_HEADER)));
    }

    private static boolean check(List<String> values) {
        if (values == null || values.isEmpty()) return false;
        if (values.size() > 1) throw malformed(CHECK_HEADER + " given more than once");
        return switch (values.get(0).trim()) {
            case "1" -> true;
            case "0" -> false;
            default -> throw malformed(CHECK_HEADER + " must be 1 or 0");
        };
    }

    private static Set<NodeId> excluded(List<String> values) {
        Set<NodeId> out = new TreeSet<>();
        if (values == null) return out;
        int items = 0;
        for (String value : values) {
            for (String item : value.split(",", -1)) {
                if (++items > MAX_EXCLUDED) throw malformed(EXCLUDE_HEADER + ": more than " + MAX_EXCLUDED + " node ids");
                CharSequence hex = Hex.strip0x(item.trim());
                if (hex.length() != 128) throw malformed(EXCLUDE_HEADER + ": a node id is 128 hex digits");
                try {
                    out.add(NodeId.fromBytes(Hex.decode(hex, 64))); // a point on the curve (SEC-01)
                } catch (CryptoException e) {
                    throw malformed(EXCLUDE_HEADER + ": not a node id");
                }
            }
        }
        return out;
    }

    private static SecretStoreException malformed(String what) {
        return SecretStoreException.of(Kind.SERDE, what);
    }

    /** Parity's body, plus the check data when asked for and the key server has it. */
    static byte[] body(KeyServer.ShadowRetrieval r, Options options) {
        byte[] parity = HttpApi.shadowBody(r);
        if (!options.check() || r.checks().isEmpty()) return parity;
        String json = new String(parity, StandardCharsets.US_ASCII);
        return (json.substring(0, json.length() - 1)
                + ",\"decrypt_shadow_nodes\":[" + hexList(r.checks().stream().map(c -> c.node().toHex()).toList())
                + "],\"decrypt_shadow_points\":[" + hexList(r.checks().stream().map(c -> c.w().toHex()).toList()) + "]}")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static String hexList(List<String> hex) {
        return hex.stream().map(h -> "\"0x" + h + "\"").collect(Collectors.joining(","));
    }
}
