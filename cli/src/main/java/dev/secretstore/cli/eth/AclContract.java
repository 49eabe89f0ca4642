package dev.secretstore.cli.eth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.Keccak256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.node.acl.EthCallAclChecker;
import dev.secretstore.node.eth.EthRpc;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The SecretStoreAcl contract (contracts/SecretStoreAcl.sol) seen from Java: deploy the committed
 * bytecode, grant, revoke, check and read the owner, list key creators (SEC-35). Transactions are signed locally (legacy, EIP-155)
 * and sent with {@code eth_sendRawTransaction}; each call waits for its receipt and fails on a revert.
 */
public final class AclContract {
    private static final long GAS = 300_000;
    private static final long DEPLOY_GAS = 1_500_000;

    private final EthRpc rpc;

    public AclContract(EthRpc rpc) {
        this.rpc = rpc;
    }

    /** The committed artifact's creation bytecode (packaged from contracts/SecretStoreAcl.json). */
    public static byte[] bytecode() {
        try (InputStream in = AclContract.class.getResourceAsStream("/contracts/SecretStoreAcl.json")) {
            if (in == null) throw new IllegalStateException("contracts/SecretStoreAcl.json is not on the class path");
            JsonNode artifact = new ObjectMapper().readTree(in);
            return Hex.decode(artifact.get("bytecode").asText().substring(2));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the ACL contract artifact: " + e.getMessage(), e);
        }
    }

    /** Deploys the contract from {@code from}; returns its address. */
    public Address deploy(KeyPair from) {
        JsonNode receipt = send(from, Optional.empty(), bytecode(), DEPLOY_GAS);
        return Address.fromHex(receipt.get("contractAddress").asText());
    }

    public H256 grant(KeyPair from, Address contract, H256 document, Address user) {
        return H256.fromHex(send(from, Optional.of(contract), encode("grantPermission(bytes32,address)", document, user), GAS)
                .get("transactionHash").asText());
    }

    public H256 revoke(KeyPair from, Address contract, H256 document, Address user) {
        return H256.fromHex(send(from, Optional.of(contract), encode("revokePermission(bytes32,address)", document, user), GAS)
                .get("transactionHash").asText());
    }

    public boolean check(Address contract, Address user, H256 document) {
        return EthCallAclChecker.decode(call(contract, EthCallAclChecker.callData(user, document)));
    }

    /** {@code setKeyCreator(creator, allowed)}; reverts unless {@code from} is the contract's admin (its deployer). */
    public H256 setKeyCreator(KeyPair from, Address contract, Address creator, boolean allowed) {
        byte[] data = new byte[68];
        System.arraycopy(Keccak256.selector("setKeyCreator(address,bool)"), 0, data, 0, 4);
        System.arraycopy(creator.toBytes(), 0, data, 16, 20);
        data[67] = (byte) (allowed ? 1 : 0);
        return H256.fromHex(send(from, Optional.of(contract), data, GAS).get("transactionHash").asText());
    }

    /** {@code canCreateKeys(requester)}, the question a node with {@code key_creators = "contract"} asks. */
    public boolean canCreateKeys(Address contract, Address requester) {
        return EthCallAclChecker.decode(call(contract, EthCallAclChecker.canCreateKeysCallData(requester)));
    }

    public Address owner(Address contract, H256 document) {
        byte[] data = new byte[36];
        System.arraycopy(Keccak256.selector("owner(bytes32)"), 0, data, 0, 4);
        System.arraycopy(document.toBytes(), 0, data, 4, 32);
        byte[] out = Hex.decode(call(contract, data).asText().substring(2));
        if (out.length != 32) throw new EthRpc.EthRpcException("owner: result has " + out.length + " bytes");
        return Address.fromBytes(java.util.Arrays.copyOfRange(out, 12, 32));
    }

    private JsonNode call(Address contract, byte[] data) {
        Map<String, String> tx = new LinkedHashMap<>();
        tx.put("to", "0x" + Hex.encode(contract.toBytes()));
        tx.put("data", Hex.encodePrefixed(data));
        return rpc.callSync("eth_call", tx, "latest");
    }

    private static byte[] encode(String signature, H256 document, Address user) {
        byte[] out = new byte[68];
        System.arraycopy(Keccak256.selector(signature), 0, out, 0, 4);
        System.arraycopy(document.toBytes(), 0, out, 4, 32);
        System.arraycopy(user.toBytes(), 0, out, 48, 20);
        return out;
    }

    /** Signs and sends a transaction, waits up to 30 s for its receipt, fails if it reverted. */
    public JsonNode send(KeyPair from, Optional<Address> to, byte[] data, long gas) {
        String sender = "0x" + Hex.encode(from.address().toBytes());
        long chainId = EthRpc.quantity("eth_chainId", rpc.callSync("eth_chainId"));
        long nonce = EthRpc.quantity("eth_getTransactionCount", rpc.callSync("eth_getTransactionCount", sender, "pending"));
        BigInteger gasPrice = new BigInteger(Hex.strip0x(rpc.callSync("eth_gasPrice").asText()).toString(), 16);
        byte[] raw = new LegacyTransaction(nonce, gasPrice.multiply(BigInteger.TWO), gas, to, BigInteger.ZERO, data, chainId)
                .sign(from.secret());
        String hash = rpc.callSync("eth_sendRawTransaction", Hex.encodePrefixed(raw)).asText();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() - deadline < 0) {
            JsonNode receipt = rpc.callSync("eth_getTransactionReceipt", hash);
            if (receipt != null && !receipt.isNull()) {
                if (!"0x1".equals(receipt.path("status").asText())) {
                    throw new EthRpc.EthRpcException("transaction " + hash + " reverted (status " + receipt.path("status").asText() + ")");
                }
                return receipt;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EthRpc.EthRpcException("interrupted while waiting for " + hash);
            }
        }
        throw new EthRpc.EthRpcException("no receipt for " + hash + " within 30 s");
    }
}
