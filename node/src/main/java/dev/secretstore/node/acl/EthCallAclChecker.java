package dev.secretstore.node.acl;

import com.fasterxml.jackson.databind.JsonNode;
import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.node.eth.EthRpc;
import dev.secretstore.protocol.acl.AclChecker;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.logging.Logger;

/**
 * {@code acl_contract = "<40 hex>"} (acl-and-config.md §2): asks the contract's
 * {@code checkPermissions(address,bytes32)} through {@code eth_call} on the configured endpoint.
 *
 * <p>Fail closed (§2.4, SEC-21): every answer except exactly 32 bytes {@code 0…0} or {@code 0…1} is an
 * error and denies, and so does a revert, a JSON-RPC error, a timeout, an unreachable endpoint, or an
 * endpoint that reports it is syncing ({@code eth_syncing} ≠ {@code false}, Parity's trusted-client rule).
 * Every denial is logged with its reason and the block evaluated.
 */
public final class EthCallAclChecker implements AclChecker {
    private static final Logger LOG = Logger.getLogger(EthCallAclChecker.class.getName());
    /** {@code keccak256("checkPermissions(address,bytes32)")[0..4]}. */
    static final byte[] SELECTOR = {(byte) 0xb3, 0x6a, (byte) 0x9a, 0x7c};
    /** {@code keccak256("canCreateKeys(address)")[0..4]} (SEC-35, asked only with {@code key_creators = "contract"}). */
    static final byte[] CAN_CREATE_KEYS = {(byte) 0xbb, (byte) 0xba, 0x42, (byte) 0x9a};
    private static final byte[] FALSE = new byte[32];
    private static final byte[] TRUE = new byte[32];

    static {
        TRUE[31] = 1;
    }

    /** How far behind this node's head a master's pinned block may be (see {@link #check(Address, H256, OptionalLong)}). */
    public static final long DEFAULT_MAX_PIN_LAG = 64;

    private final EthRpc rpc;
    private final Address contract;
    private final long maxPinLag;

    public EthCallAclChecker(EthRpc rpc, Address contract) {
        this(rpc, contract, DEFAULT_MAX_PIN_LAG);
    }

    public EthCallAclChecker(EthRpc rpc, Address contract, long maxPinLag) {
        this.rpc = rpc;
        this.contract = contract;
        this.maxPinLag = maxPinLag;
    }

    public Address contract() {
        return contract;
    }

    /** The 68 bytes of §2.2: selector, the address left-padded to 32 bytes, the document. */
    public static byte[] callData(Address user, H256 document) {
        byte[] out = new byte[68];
        System.arraycopy(SELECTOR, 0, out, 0, 4);
        System.arraycopy(user.toBytes(), 0, out, 16, 20);
        System.arraycopy(document.toBytes(), 0, out, 36, 32);
        return out;
    }

    /** {@code canCreateKeys(address)}: the selector and the address left-padded to 32 bytes. */
    public static byte[] canCreateKeysCallData(Address requester) {
        byte[] out = new byte[36];
        System.arraycopy(CAN_CREATE_KEYS, 0, out, 0, 4);
        System.arraycopy(requester.toBytes(), 0, out, 16, 20);
        return out;
    }

    /**
     * Whether the contract's {@code canCreateKeys(requester)} allows {@code requester} to create server keys, at
     * the latest block of a trusted endpoint (SEC-35). Blocks the calling thread for at most two JSON-RPC
     * round trips, each bounded by the endpoint's timeout. Fails closed like {@link #check}: a revert (a
     * contract without the function), an error, a timeout or an answer other than a 32-byte boolean denies.
     */
    public boolean mayCreateKeys(Address requester) {
        String where = "contract " + contract + " block latest";
        try {
            Map<String, String> tx = tx(canCreateKeysCallData(requester));
            boolean allowed = trusted().thenCompose(ignored -> rpc.call("eth_call", tx, "latest"))
                    .thenApply(EthCallAclChecker::decode).join();
            if (!allowed) LOG.info(() -> "key creation denied to " + requester + " by canCreateKeys at " + where);
            return allowed;
        } catch (RuntimeException e) {
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            LOG.warning(() -> "key creation denied to " + requester + " at " + where + ": canCreateKeys failed: " + cause.getMessage());
            return false;
        }
    }

    /** The {@code eth_call} transaction object: this contract and {@code data}. */
    private Map<String, String> tx(byte[] data) {
        Map<String, String> tx = new LinkedHashMap<>();
        tx.put("to", contract.toString().startsWith("0x") ? contract.toString() : "0x" + contract.toHex());
        tx.put("data", Hex.encodePrefixed(data));
        return tx;
    }

    /** §2.3: exactly 32 bytes, 0…0 or 0…1; anything else is an error. */
    public static boolean decode(JsonNode result) {
        if (result == null || !result.isTextual()) throw new EthRpc.EthRpcException("eth_call: result is not a hex string: " + result);
        byte[] bytes;
        try {
            if (!result.textValue().startsWith("0x")) throw new IllegalArgumentException("no 0x prefix");
            bytes = Hex.decode(result.textValue().substring(2));
        } catch (RuntimeException e) {
            throw new EthRpc.EthRpcException("eth_call: result is not hex");
        }
        if (bytes.length != 32) {
            throw new EthRpc.EthRpcException("eth_call: result has " + bytes.length + " bytes, expected 32"
                    + (bytes.length == 0 ? " (no contract code at the ACL address?)" : ""));
        }
        if (Arrays.equals(bytes, TRUE)) return true;
        if (Arrays.equals(bytes, FALSE)) return false;
        throw new EthRpc.EthRpcException("eth_call: result is not a boolean: " + result.textValue());
    }

    @Override
    public CompletionStage<Decision> check(Address requester, H256 keyId) {
        return check(requester, keyId, OptionalLong.empty());
    }

    @Override
    public CompletionStage<Decision> check(Address requester, H256 keyId, OptionalLong block) {
        String at = block.isPresent() ? EthRpc.toQuantity(block.getAsLong()) : "latest";
        String where = "contract " + contract + " block " + (block.isPresent() ? Long.toString(block.getAsLong()) : "latest");
        CompletableFuture<Decision> out;
        try {
            out = trusted().thenCompose(ignored -> block.isPresent() ? checkPinnedBlock(block.getAsLong())
                    : CompletableFuture.completedFuture(null)).thenCompose(ignored -> {
                return rpc.call("eth_call", tx(callData(requester, keyId)), at);
            }).thenApply(result -> decode(result) ? Decision.allow(where) : Decision.deny(where + ": not permitted"));
        } catch (RuntimeException e) {
            out = CompletableFuture.failedFuture(e);
        }
        return out.handle((decision, error) -> {
            if (error != null) {
                Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
                String message = String.valueOf(cause.getMessage());
                // §2.4: Parity's text for a chain that is not trusted (syncing); other errors keep their reason
                String detail = message.startsWith(UNTRUSTED) ? UNTRUSTED : "ACL check failed: " + message;
                Decision d = Decision.error(where + ": error: " + message, detail);
                LOG.warning(() -> "ACL denied " + requester + " for key " + keyId.toHex() + " at " + d.evaluatedAt());
                return d;
            }
            if (!decision.allowed()) {
                LOG.info(() -> "ACL denied " + requester + " for key " + keyId.toHex() + " at " + decision.evaluatedAt());
            }
            return decision;
        });
    }

    /**
     * A pinned block must not be older than this node's head by more than {@code maxPinLag} blocks, so
     * a master cannot make members judge a chain state from before a revocation. (A block this node
     * does not have yet fails in {@code eth_call} and denies.)
     */
    private CompletableFuture<Void> checkPinnedBlock(long block) {
        return rpc.call("eth_blockNumber").thenAccept(n -> {
            long head = EthRpc.quantity("eth_blockNumber", n);
            if (block + maxPinLag < head) {
                throw new EthRpc.EthRpcException("pinned block " + block + " is more than " + maxPinLag
                        + " blocks behind this node's head " + head);
            }
        });
    }

    /** The master pins the latest block of a trusted (not syncing) endpoint. */
    @Override
    public CompletionStage<OptionalLong> chainHead() {
        return trusted().thenCompose(ignored -> rpc.call("eth_blockNumber"))
                .thenApply(n -> OptionalLong.of(EthRpc.quantity("eth_blockNumber", n)));
    }

    static final String UNTRUSTED = "Calling ACL contract without trusted blockchain client";

    /** §2.4: {@code eth_syncing} must answer exactly {@code false}. */
    private CompletableFuture<Void> trusted() {
        return rpc.call("eth_syncing").thenAccept(r -> {
            if (r == null || !r.isBoolean() || r.booleanValue()) {
                throw new EthRpc.EthRpcException(UNTRUSTED + " (eth_syncing = " + r + ")");
            }
        });
    }
}
