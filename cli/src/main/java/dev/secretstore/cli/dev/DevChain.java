package dev.secretstore.cli.dev;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.Hex;
import dev.secretstore.keystore.PrivateFiles;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.cli.ClusterInit;
import dev.secretstore.node.config.ConfigException;
import dev.secretstore.cli.eth.AclContract;
import dev.secretstore.cli.eth.Anvil;
import dev.secretstore.cli.eth.ChainAclConfig;
import dev.secretstore.node.eth.EthRpc;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code secretstore dev --chain}: a local anvil (installed by the build into {@code .tools/anvil}),
 * the ACL contract deployed from the committed bytecode (once; the chain state lives in
 * {@code DIR/chain/}), and every node configured with {@code acl_contract = "<address>"} and
 * {@code eth_rpc_url}. The owner account is anvil's first development account (dev only).
 */
public final class DevChain implements AutoCloseable {
    /** 8546, so that 8545 stays with the secretstore_* JSON-RPC service, where Ocean clients expect it. */
    public static final int DEFAULT_PORT = 8546;
    public static final String OWNER_KEY = "chain-owner.key";
    private static final String CONTRACT_FILE = "acl-contract.txt";

    private final Anvil anvil;
    private final Address contract;
    private final KeyPair owner;

    private DevChain(Anvil anvil, Address contract, KeyPair owner) {
        this.anvil = anvil;
        this.contract = contract;
        this.owner = owner;
    }

    public Anvil anvil() {
        return anvil;
    }

    public Address contract() {
        return contract;
    }

    public KeyPair owner() {
        return owner;
    }

    /** Creates the cluster files if needed, starts anvil, deploys the contract if needed, and points every node at it. */
    public static DevChain setUp(int n, Path dir, int clusterBase, int httpBase, int opsBase, PrintStream out)
            throws IOException, ConfigException, InterruptedException {
        return setUp(n, dir, clusterBase, httpBase, opsBase, false, out);
    }

    /** As {@link #setUp(int, Path, int, int, int, PrintStream)}; {@code tls}: the cluster files are made with TLS ({@code dev --tls}). */
    public static DevChain setUp(int n, Path dir, int clusterBase, int httpBase, int opsBase, boolean tls, PrintStream out)
            throws IOException, ConfigException, InterruptedException {
        return setUp(n, dir, clusterBase, httpBase, opsBase, DEFAULT_PORT, tls, out);
    }

    /** As {@link #setUp(int, Path, int, int, int, boolean, PrintStream)}, anvil on {@code chainPort} (a free port if it is taken). */
    public static DevChain setUp(int n, Path dir, int clusterBase, int httpBase, int opsBase, int chainPort, boolean tls, PrintStream out)
            throws IOException, ConfigException, InterruptedException {
        ClusterInit.Plan plan = DevCluster.prepare(n, dir, clusterBase, httpBase, opsBase, tls, out);
        Path bin = Anvil.locate().orElseThrow(() -> new IOException("anvil is not installed: run ./mvnw verify (it installs "
                + "@foundry-rs/anvil into .tools/anvil with npm) from the project directory, or set -Danvil.bin=PATH"));
        int port = chainPort;
        try (ServerSocket probe = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            probe.setReuseAddress(true);
        } catch (IOException busy) {
            port = Anvil.freePort();
            out.println("port " + chainPort + " is taken: the chain (anvil) listens on 127.0.0.1:" + port + " instead (dev.json \"chain\"); "
                    + dev.secretstore.cli.PortsShift.OPTION + " K moves it to " + chainPort + "+K");
        }
        Anvil anvil = Anvil.start(bin, port, dir.resolve("chain"));
        try {
            KeyPair owner = anvil.devAccount();
            EthRpc rpc = new EthRpc(anvil.url(), Duration.ofSeconds(10));
            Address contract = deployed(dir, rpc).orElse(null);
            if (contract == null) {
                contract = new AclContract(rpc).deploy(owner);
                Files.writeString(dir.resolve("chain").resolve(CONTRACT_FILE), Hex.encode(contract.toBytes()) + "\n");
                out.println("deployed the ACL contract at 0x" + Hex.encode(contract.toBytes()) + " on " + anvil.url());
            }
            Path ownerKey = dir.resolve(OWNER_KEY);
            if (!Files.exists(ownerKey)) {
                PrivateFiles.writeString(ownerKey, Anvil.DEV_ACCOUNT_SECRET + "\n"); // SEC-39
            }
            for (int i = 0; i < n; i++) ChainAclConfig.useContract(plan.configFile(i), anvil.url(), contract, 5000);
            return new DevChain(anvil, contract, owner);
        } catch (IOException | RuntimeException e) {
            anvil.close();
            throw e;
        }
    }

    /** The contract recorded in DIR/chain, if the chain (its state file) still has code there. */
    private static java.util.Optional<Address> deployed(Path dir, EthRpc rpc) throws IOException {
        Path f = dir.resolve("chain").resolve(CONTRACT_FILE);
        if (!Files.exists(f)) return java.util.Optional.empty();
        Address a = Address.fromHex(Files.readString(f).trim());
        String code = rpc.callSync("eth_getCode", "0x" + Hex.encode(a.toBytes()), "latest").asText();
        return code.length() > 2 ? java.util.Optional.of(a) : java.util.Optional.empty();
    }

    /** Adds {@code "chain": {"url", "acl", "owner": {"address", "secret"}}} to dev.json. */
    public void describeIn(Path devJson) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(devJson.toFile());
        ObjectNode chain = root.putObject("chain");
        chain.put("url", anvil.url().toString());
        chain.put("acl", "0x" + Hex.encode(contract.toBytes()));
        ObjectNode o = chain.putObject("owner");
        o.put("address", "0x" + Hex.encode(owner.address().toBytes()));
        o.put("secret", Anvil.DEV_ACCOUNT_SECRET);
        o.put("key_file", OWNER_KEY);
        PrivateFiles.writeString(devJson, json.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n"); // SEC-39: secrets
    }

    static void printBanner(DevChain chain, DevCluster.Running running, Path dir, PrintStream out) {
        String rpc = chain.anvil().url().toString();
        String acl = "0x" + Hex.encode(chain.contract().toBytes());
        String d = dir.toString();
        out.println("On-chain ACL: anvil at " + rpc + ", contract " + acl + ", owner " + chain.owner().address()
                + " (key " + d + "/" + OWNER_KEY + ", a public anvil dev key)");
        out.println("Publish as above, then grant, consume and revoke:");
        out.println();
        out.println("  USER=$(./secretstore acl address --key-file " + d + "/" + DevCluster.REQUESTER_KEY + ")");
        out.println("  ./secretstore acl grant  --rpc " + rpc + " --key-file " + d + "/" + OWNER_KEY + " --contract " + acl
                + " --key-id $KEY_ID --user $USER");
        out.println("  " + running.curl() + " " + running.httpUrl(0) + "/shadow/$KEY_ID/$SIG > shadows.json   # 200 once granted");
        out.println("  ./secretstore acl revoke --rpc " + rpc + " --key-file " + d + "/" + OWNER_KEY + " --contract " + acl
                + " --key-id $KEY_ID --user $USER");
        out.println("  " + running.curl() + " " + running.httpUrl(0) + "/shadow/$KEY_ID/$SIG   # 403 \"Consensus unreachable\"");
        out.println();
    }

    @Override
    public void close() {
        owner.destroy();
        anvil.close();
    }
}
