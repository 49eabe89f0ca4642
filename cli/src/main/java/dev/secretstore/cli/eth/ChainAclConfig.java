package dev.secretstore.cli.eth;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.Hex;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Switches a node configuration written by {@code init-cluster}/{@code dev} from the development policy
 * file to the on-chain ACL: {@code acl_contract = "<40 hex>"} and {@code [secretstore_ext] eth_rpc_url}.
 */
public final class ChainAclConfig {
    private ChainAclConfig() {}

    public static void useContract(Path configFile, URI rpcUrl, Address contract, int timeoutMs) throws IOException {
        String toml = Files.readString(configFile, StandardCharsets.UTF_8);
        String out = toml.replaceAll("(?m)^acl_contract = .*$", "acl_contract = \"" + Hex.encode(contract.toBytes()) + "\"")
                .replaceAll("(?m)^acl_policy_file = .*\\n", "")
                .replaceAll("(?m)^eth_rpc_url = .*\\n", "")
                .replaceAll("(?m)^eth_rpc_timeout_ms = .*\\n", "")
                .replace("[secretstore_ext]\n", "[secretstore_ext]\neth_rpc_url = \"" + rpcUrl + "\"\neth_rpc_timeout_ms = " + timeoutMs + "\n");
        if (!out.contains("acl_contract = \"" + Hex.encode(contract.toBytes()) + "\"") || !out.contains("eth_rpc_url")) {
            throw new IOException(configFile + ": not a configuration this tool can switch to the on-chain ACL");
        }
        Files.writeString(configFile, out, StandardCharsets.UTF_8);
    }
}
