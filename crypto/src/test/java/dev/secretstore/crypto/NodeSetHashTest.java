package dev.secretstore.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Ordered nodes hash (crypto.md §8, {@code secretstore_serversSetHash}). */
class NodeSetHashTest {
    private static final PublicPoint A = PublicPoint.fromHex(
            "843645726384530ffb0c52f175278143b5a93959af7864460f5a4fec9afd1450cfb8aef63dec90657f43f55b13e0a73c7524d4e9a13c051b4e5f1e53f39ecd91");
    private static final PublicPoint B = PublicPoint.fromHex(
            "07230e34ebfe41337d3ed53b186b3861751f2401ee74b988bba55694e2a6f60c757677e194be2e53c3523cc8548694e636e6acb35c4e8fdc5e29d28679b9b2f3");
    private static final String A1_HASH = "67d808b1c7a0e5521d6e1b91c9604eaa303e5cd40149fc7af5731e0274845357";

    @Test
    void vectorA1_serversSetHash() {
        assertThat(NodeSetHash.of(List.of(A, B)).toHex()).isEqualTo(A1_HASH);
        assertThat(NodeSetHash.of(List.of(A, B))).isEqualTo(H256.keccak(B.toBytes(), A.toBytes()));
    }

    @Test
    void orderAndDuplicatesDoNotMatter() {
        assertThat(NodeSetHash.of(List.of(B, A)).toHex()).isEqualTo(A1_HASH);
        assertThat(NodeSetHash.of(List.of(A, B, A, B, B)).toHex()).isEqualTo(A1_HASH);
    }

    @Test
    void orderIsUnsignedByteOrder() {
        // 0x84… sorts after 0x07… only if bytes compare unsigned (signed, 0x84 would be negative).
        assertThat(NodeSetHash.of(List.of(A, B))).isNotEqualTo(H256.keccak(A.toBytes(), B.toBytes()));
    }

    @Test
    void singleAndEmptySets() {
        assertThat(NodeSetHash.of(List.of(A))).isEqualTo(H256.keccak(A.toBytes()));
        assertThat(NodeSetHash.of(List.of()).toHex()).isEqualTo("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    }
}
