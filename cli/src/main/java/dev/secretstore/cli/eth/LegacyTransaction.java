package dev.secretstore.cli.eth;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.RecoverableSignature;
import dev.secretstore.crypto.SecretScalar;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

/**
 * A legacy (type 0) Ethereum transaction signed with EIP-155 replay protection:
 * {@code rlp([nonce, gasPrice, gas, to, value, data, v, r, s])} with {@code v = recId + chainId·2 + 35},
 * signed over {@code keccak256(rlp([nonce, gasPrice, gas, to, value, data, chainId, 0, 0]))}.
 *
 * @param to empty for a contract creation
 */
public record LegacyTransaction(long nonce, BigInteger gasPrice, long gas, Optional<Address> to, BigInteger value, byte[] data,
                                long chainId) {

    private List<byte[]> fields() {
        return List.of(Rlp.integer(nonce), Rlp.integer(gasPrice), Rlp.integer(gas),
                Rlp.bytes(to.map(Address::toBytes).orElse(new byte[0])), Rlp.integer(value), Rlp.bytes(data));
    }

    /** The hash EIP-155 signs. */
    public H256 signingHash() {
        List<byte[]> items = new java.util.ArrayList<>(fields());
        items.add(Rlp.integer(chainId));
        items.add(Rlp.integer(0));
        items.add(Rlp.integer(0));
        return H256.keccak(Rlp.list(items));
    }

    /** The raw signed transaction for {@code eth_sendRawTransaction}. */
    public byte[] sign(SecretScalar key) {
        RecoverableSignature sig = Ecdsa.sign(key, signingHash());
        if (!sig.isLowS()) throw new IllegalStateException("signature with high s (EIP-2 forbids it)");
        List<byte[]> items = new java.util.ArrayList<>(fields());
        items.add(Rlp.integer(BigInteger.valueOf(chainId).multiply(BigInteger.TWO).add(BigInteger.valueOf(35 + sig.v()))));
        items.add(Rlp.integer(sig.r().toBigInteger()));
        items.add(Rlp.integer(sig.s().toBigInteger()));
        return Rlp.list(items);
    }
}
