package dev.secretstore.bench.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The cryptographic floor of one operation: the heavy primitives it needs across all members, counted
 * from the session code (protocol/.../session/**, crypto/.../threshold/**) with two rules:
 *
 * <ul>
 *   <li>every distinct scalar × point product the protocol specifies counts once, where it is needed. A
 *       product the code computes twice (f_k·G for both the Pedersen and the Feldman vector, B = a·C for
 *       every partial the master checks, the SEC-11 own-share check that storage repeats on every read)
 *       counts once or not at all: that repetition is part of what the measurement shows beyond the floor;
 *   <li>a sum Σ x^k·V_k counts one product per term whose coefficient is not 1 (x^0·V_0 is an addition),
 *       priced as a separate multiplication: an upper bound, since a multi-scalar multiplication shares
 *       its doublings.</li>
 * </ul>
 *
 * The ACL here is {@code acl_contract = "none"}, so the consensus round costs no cryptography. Point
 * additions, decoding, hashes, AES and scalar arithmetic are not counted (about a microsecond each).
 * {@code m} is the computing group: t+1 members, 2t+1 for ECDSA.
 */
public final class Floor {
    private Floor() {}

    /** One line of the table: {@code count} × {@code primitive}, done by {@code who}, because {@code why}. */
    public record Line(Primitive primitive, long count, String who, String why) {}

    /** The lines for {@code op} with {@code n} nodes and threshold {@code t}. */
    public static List<Line> lines(Operation op, int n, int t) {
        String bad = op.unsupported(n, t);
        if (bad != null) throw new IllegalArgumentException(bad);
        long m = op.groupSize(n, t);
        List<Line> out = new ArrayList<>();
        out.add(new Line(Primitive.RECOVER, 1, "master", "the requester's public key from the request signature (http-api.md §5)"));
        switch (op) {
            case GENERATE -> {
                out.add(new Line(Primitive.K_G, (long) n * (t + 1), "each node as dealer",
                        "f_k·G for its t+1 coefficients; the Pedersen C_k = f_k·G + g_k·H and the Feldman A_k = f_k·G share it"));
                out.add(new Line(Primitive.K_H, (long) n * (t + 1), "each node as dealer", "g_k·H, the Pedersen blinding on the fixed generator H"));
                out.add(new Line(Primitive.K_G, (long) n * (n - 1), "each node, per other dealer",
                        "f·G of the received pair, used by both the Pedersen (round 2) and the Feldman (round 4) check"));
                out.add(new Line(Primitive.K_H, (long) n * (n - 1), "each node, per other dealer", "g·H of the received pair (Pedersen check)"));
                out.add(new Line(Primitive.PUB_K_P, (long) n * (n - 1) * t, "each node, per other dealer",
                        "Σ_k x^k·C_k, the right-hand side of the Pedersen check (t products)"));
                out.add(new Line(Primitive.PUB_K_P, (long) n * (n - 1) * t, "each node, per other dealer",
                        "Σ_k x^k·A_k, the right-hand side of the Feldman check (t products)"));
                out.add(new Line(Primitive.K_G, n, "each node", "s·G for the own-share check against the aggregated vector (SEC-11)"));
                out.add(new Line(Primitive.PUB_K_P, (long) n * t, "each node", "Σ_k x^k·A_k for the own-share check (t products)"));
            }
            case STORE -> {
                // author check, C and E decoded and stored: no curve multiplication
            }
            case SHADOW, RETRIEVE -> {
                boolean shadow = op == Operation.SHADOW;
                out.add(new Line(Primitive.K_P, m, "each group member", "B = a·C, the access key times the common point"));
                out.add(new Line(Primitive.K_P, m, "each group member", shadow ? "P_i = ρ_i·B with ρ_i = σ_i + d_i" : "P_i = σ_i·B"));
                if (shadow) out.add(new Line(Primitive.K_G, m, "each group member", "W_i = d_i·G"));
                out.add(new Line(Primitive.K_G, m, "each group member", shadow ? "X = ρ_i·G, the DLEQ statement (= λ'_i·Y_i + W_i)"
                        : "X = σ_i·G, the DLEQ statement (= λ'_i·Y_i)"));
                out.add(new Line(Primitive.K_G, m, "each group member", "DLEQ proof commitment w·G"));
                out.add(new Line(Primitive.K_P_AGAIN, m, "each group member", "DLEQ proof commitment w·B (B was just multiplied)"));
                if (shadow) {
                    out.add(new Line(Primitive.K_G, m, "each group member", "ECIES of d_i to the requester: ephemeral r·G"));
                    out.add(new Line(Primitive.K_P, m, "each group member", "ECIES of d_i to the requester: r·Q"));
                }
                out.add(new Line(Primitive.K_P, 1, "master", "its own B = a·C to verify against (once per request)"));
                out.add(new Line(Primitive.PUB_K_P, m * (t + 1), "master, per partial",
                        "λ'_i·Y_i = Σ_k (λ'_i·x_i^k)·A_k from its stored commitments (SEC-11), t+1 products"));
                out.add(new Line(Primitive.PUB_AG_BP, m, "master, per partial", "DLEQ verification A1' = z·G + e·X"));
                out.add(new Line(Primitive.PUB_K_P, 2 * m, "master, per partial", "DLEQ verification A2' = z·B + e·P (no G: two products)"));
                out.add(new Line(Primitive.K_P, 1, "master", "a⁻¹·Σ P_i, unmasking the combined shadow point"));
                if (!shadow) {
                    out.add(new Line(Primitive.K_G, 1, "master", "ECIES of M to the requester: ephemeral r·G"));
                    out.add(new Line(Primitive.K_P, 1, "master", "ECIES of M to the requester: r·Q"));
                }
            }
            case SCHNORR -> {
                out.add(new Line(Primitive.K_G, m * (t + 1), "each group member",
                        "Feldman vector of its nonce polynomial, f_k·G (R_i = A_0 is the same product)"));
                out.add(new Line(Primitive.K_G, m * (m - 1), "each group member, per other member", "f·G of the received nonce share"));
                out.add(new Line(Primitive.PUB_K_P, m * (m - 1) * t, "each group member, per other member",
                        "Σ_k x^k·A_k, the Feldman check of the nonce share (t products)"));
                out.add(new Line(Primitive.PUB_AG_BP, m, "master, per partial",
                        "ps_i·G + (c·L_i)·A_0 of the check ps_i·G = R_i − c·L_i·Y_i, Y_i from stored commitments (§11.4)"));
                out.add(new Line(Primitive.PUB_K_P, m * t, "master, per partial", "the other t terms (c·L_i·x_i^k)·A_k of that check"));
                out.add(new Line(Primitive.PUB_AG_BP, 1, "master", "verification of the whole signature, s·G + c·Y, before release"));
                out.add(new Line(Primitive.K_G, 1, "master", "ECIES of c‖s to the requester: ephemeral r·G"));
                out.add(new Line(Primitive.K_P, 1, "master", "ECIES of c‖s to the requester: r·Q"));
            }
            case ECDSA -> {
                out.add(new Line(Primitive.K_G, m * (4L * t + 2), "each group member",
                        "Feldman vectors of its k and e polynomials (t+1 each) and of its zero sharing (2t)"));
                out.add(new Line(Primitive.K_G, 3 * m * (m - 1), "each group member, per other member", "k·G, e·G, z·G of the three received shares"));
                out.add(new Line(Primitive.PUB_K_P, 4L * t * m * (m - 1), "each group member, per other member",
                        "the three Feldman checks: t + t + 2t products"));
                out.add(new Line(Primitive.K_G, 2 * m, "each group member", "E_i = e_i·G and K_i = k_i·G"));
                out.add(new Line(Primitive.K_P, m, "each group member", "k_i·E_i = u_i·G − Z_i, the DLEQ statement"));
                out.add(new Line(Primitive.K_G, m, "each group member", "DLEQ proof commitment w·G"));
                out.add(new Line(Primitive.K_P_AGAIN, m, "each group member", "DLEQ proof commitment w·E_i"));
                out.add(new Line(Primitive.PUB_AG_BP, m, "master, per u_i", "u_i·G − Z_i with the first term of Z_i = Σ_{k=1..2t} x^k·Z_k"));
                out.add(new Line(Primitive.PUB_K_P, m * (2L * t - 1), "master, per u_i", "the other 2t−1 terms of Z_i"));
                out.add(new Line(Primitive.PUB_K_P, 2L * t * m, "master, per u_i", "K_i and E_i from the aggregated nonce vectors (t products each)"));
                out.add(new Line(Primitive.PUB_AG_BP, m, "master, per u_i", "DLEQ verification A1' = z·G + e·K_i"));
                out.add(new Line(Primitive.PUB_K_P, 2 * m, "master, per u_i", "DLEQ verification A2' = z·E_i + e·P (two products)"));
                out.add(new Line(Primitive.PUB_AG_BP, 1, "master", "ECDSA verification of the result under Y, u1·G + u2·Y"));
                out.add(new Line(Primitive.RECOVER, 1, "master", "the result must also recover to Y before release (§11.5)"));
                out.add(new Line(Primitive.K_G, 1, "master", "ECIES of r‖s‖v to the requester: ephemeral r·G"));
                out.add(new Line(Primitive.K_P, 1, "master", "ECIES of r‖s‖v to the requester: r·Q"));
            }
        }
        out.removeIf(l -> l.count() == 0);
        return Collections.unmodifiableList(out);
    }

    /** Count per primitive. */
    public static Map<Primitive, Long> totals(List<Line> lines) {
        Map<Primitive, Long> out = new EnumMap<>(Primitive.class);
        for (Line l : lines) out.merge(l.primitive(), l.count(), Long::sum);
        return out;
    }

    /** Σ count × price, in microseconds; a primitive without a price is an error. */
    public static double micros(Map<Primitive, Long> totals, Map<Primitive, Double> pricesMicros) {
        double sum = 0;
        for (Map.Entry<Primitive, Long> e : totals.entrySet()) {
            Double price = pricesMicros.get(e.getKey());
            if (price == null) throw new IllegalArgumentException("no price for " + e.getKey());
            sum += e.getValue() * price;
        }
        return sum;
    }
}
