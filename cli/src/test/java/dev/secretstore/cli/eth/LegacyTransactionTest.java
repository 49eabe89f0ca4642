package dev.secretstore.cli.eth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.SecretScalar;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LegacyTransactionTest {
    @Test
    void rlpExamplesFromTheYellowPaperAndWiki() {
        assertThat(Hex.encode(Rlp.bytes("dog".getBytes()))).isEqualTo("83646f67");
        assertThat(Hex.encode(Rlp.list(List.of(Rlp.bytes("cat".getBytes()), Rlp.bytes("dog".getBytes()))))).isEqualTo("c88363617483646f67");
        assertThat(Hex.encode(Rlp.bytes(new byte[0]))).isEqualTo("80");
        assertThat(Hex.encode(Rlp.list(List.of()))).isEqualTo("c0");
        assertThat(Hex.encode(Rlp.integer(0))).isEqualTo("80");
        assertThat(Hex.encode(Rlp.integer(15))).isEqualTo("0f");
        assertThat(Hex.encode(Rlp.integer(1024))).isEqualTo("820400");
        byte[] lorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit".getBytes();
        assertThat(Hex.encode(Rlp.bytes(lorem))).startsWith("b838");
    }

    /** The EIP-155 example transaction: signing hash and signed encoding (deterministic RFC 6979 nonce). */
    @Test
    void eip155Example() {
        LegacyTransaction tx = new LegacyTransaction(9, BigInteger.valueOf(20_000_000_000L), 21000,
                Optional.of(Address.fromHex("3535353535353535353535353535353535353535")),
                new BigInteger("1000000000000000000"), new byte[0], 1);
        assertThat(tx.signingHash().toHex()).endsWith("daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53");
        byte[] raw = tx.sign(SecretScalar.fromBytes(Hex.decode("4646464646464646464646464646464646464646464646464646464646464646")));
        assertThat(Hex.encode(raw)).isEqualTo("f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a0"
                + "28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83");
    }
}
