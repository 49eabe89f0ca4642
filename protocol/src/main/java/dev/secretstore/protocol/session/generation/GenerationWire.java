package dev.secretstore.protocol.session.generation;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.threshold.CommitmentVector;
import dev.secretstore.crypto.threshold.IdNumbers;
import dev.secretstore.protocol.NodeId;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** The one place where generation messages are mapped to and from the crypto module's types. */
final class GenerationWire {
    /** Domain tag of the round-5 transcript hash (to be registered in crypto.md §11.7). */
    static final String TRANSCRIPT_TAG = "secretstore/v1/dkg-transcript";

    private GenerationWire() {}

    /** The vector hash a receiver reports for a deal that never arrived. */
    static final H256 MISSING = H256.fromBytes(new byte[32]);

    static List<GenerationMessage.IdNumber> toWire(IdNumbers ids) {
        List<GenerationMessage.IdNumber> out = new ArrayList<>();
        ids.asMap().forEach((node, x) -> out.add(new GenerationMessage.IdNumber(new NodeId(node), x)));
        return out;
    }

    /**
     * Validates received id numbers for the given participants (SEC-02): one entry per node (a node
     * listed twice is refused), then {@link IdNumbers#validate}. Throws {@code CryptoException}.
     */
    static IdNumbers fromWire(List<NodeId> participants, List<GenerationMessage.IdNumber> wire) {
        Map<PublicPoint, Scalar> m = new HashMap<>();
        for (GenerationMessage.IdNumber e : wire) {
            if (m.put(e.node().publicKey(), e.x()) != null) {
                throw new IllegalArgumentException("node " + e.node() + ": listed twice in the id numbers");
            }
        }
        return IdNumbers.validate(participants.stream().map(NodeId::publicKey).toList(), m);
    }

    static SortedMap<NodeId, Scalar> byNodeId(IdNumbers ids) {
        SortedMap<NodeId, Scalar> out = new TreeMap<>();
        ids.asMap().forEach((node, x) -> out.put(new NodeId(node), x));
        return out;
    }

    static CommitmentVector vector(List<PublicPoint> points) {
        return CommitmentVector.of(points);
    }

    /**
     * keccak256 of the public transcript, every field with a 4-byte length prefix: tag, key id, author,
     * t, id numbers by ascending node id, then per dealer (ascending) its node id, C_i and A_i, then the
     * round-2 complaints as (dealer, complainer) pairs in the master's order. {@code pedersen} and {@code feldman} hold
     * exactly the QUAL dealers (a reconstructed dealer's A_i included).
     */
    static H256 transcriptHash(H256 keyId, Address author, int t, IdNumbers ids, Map<NodeId, CommitmentVector> pedersen,
                               Map<NodeId, CommitmentVector> feldman, List<GenerationMessage.Complaint> complaints) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        field(out, TRANSCRIPT_TAG.getBytes(StandardCharsets.US_ASCII));
        field(out, keyId.toBytes());
        field(out, author.toBytes());
        field(out, new byte[] {(byte) (t >>> 24), (byte) (t >>> 16), (byte) (t >>> 8), (byte) t});
        ids.asMap().forEach((node, x) -> {
            field(out, node.toBytes());
            field(out, x.toBytes());
        });
        for (NodeId dealer : new TreeMap<>(pedersen).keySet()) {
            field(out, dealer.toBytes());
            for (PublicPoint p : pedersen.get(dealer).points()) field(out, p.toBytes());
            field(out, new byte[] {'A'});
            for (PublicPoint p : feldman.get(dealer).points()) field(out, p.toBytes());
        }
        for (GenerationMessage.Complaint c : complaints) {
            field(out, c.dealer().toBytes());
            field(out, c.complainer().toBytes());
        }
        return H256.keccak(out.toByteArray());
    }

    /**
     * The coefficients {@code a_0..a_t} of the degree-{@code t} polynomial through the public points
     * {@code (xs[m], ys[m])}, {@code m = 0..t} (Lagrange basis, expanded). The x values are distinct id numbers
     * (SEC-02). Used only for values revealed in clear (a QUAL dealer's polynomial reconstructed by GJKR).
     */
    static List<Scalar> interpolate(List<Scalar> xs, List<Scalar> ys) {
        int n = xs.size();
        if (n == 0 || ys.size() != n) throw new IllegalArgumentException("interpolation needs matching, non-empty point lists");
        Scalar[] out = new Scalar[n];
        java.util.Arrays.fill(out, Scalar.ZERO);
        for (int m = 0; m < n; m++) {
            // basis numerator prod_{l != m} (X - x_l), coefficients ascending
            Scalar[] basis = new Scalar[n];
            java.util.Arrays.fill(basis, Scalar.ZERO);
            basis[0] = Scalar.ONE;
            int deg = 0;
            Scalar denominator = Scalar.ONE;
            for (int l = 0; l < n; l++) {
                if (l == m) continue;
                Scalar xl = xs.get(l);
                for (int k = deg + 1; k >= 1; k--) basis[k] = basis[k - 1].sub(basis[k].mul(xl));
                basis[0] = basis[0].mul(xl).negate();
                deg++;
                denominator = denominator.mul(xs.get(m).sub(xl));
            }
            Scalar factor = ys.get(m).mul(denominator.inverse());
            for (int k = 0; k < n; k++) out[k] = out[k].add(basis[k].mul(factor));
        }
        return List.of(out);
    }

    private static void field(ByteArrayOutputStream out, byte[] b) {
        int n = b.length;
        out.write(n >>> 24);
        out.write(n >>> 16);
        out.write(n >>> 8);
        out.write(n);
        out.writeBytes(b);
    }
}
