package dev.secretstore.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.secretstore.crypto.KeyPair;
import dev.secretstore.http.CorsPolicy;
import dev.secretstore.keystore.Keystore;
import dev.secretstore.keystore.KeystoreFile;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A Parity configuration taken as it is (docs/migrating-from-parity.md): {@code self_secret} as an account address
 * whose key is in Parity's keystore, unlocked with the {@code [account] password} files; Parity's {@code [rpc]}
 * starting the secretstore JSON-RPC; the ops listener's default port clear of Parity's ports.
 */
class ParityDropInConfigTest {
    private static final KeystoreFile.ScryptParams FAST = new KeystoreFile.ScryptParams(1024, 8, 1);
    private static final String PASSWORD = "correct horse battery staple";

    @TempDir
    Path dir;
    /** The process's working directory, separate from the configuration's directory (Parity resolves against it). */
    Path work;
    Path conf;
    ParityAccounts.Environment env;
    KeyPair node;
    String address;

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createDirectories(dir.resolve("work"));
        conf = Files.createDirectories(dir.resolve("etc"));
        env = new ParityAccounts.Environment(work, dir.resolve("home"), Optional.empty(), false);
        node = KeyPair.random();
        address = node.address().toHex().substring(2);
    }

    /** Stores the node account in {@code keysDir} (relative to the working directory). */
    void storeAccount(String keysDir) throws Exception {
        new Keystore(work.resolve(keysDir)).store(node, PASSWORD, FAST);
    }

    static String secretstore(String selfSecret, String extra) {
        return "[secretstore]\nself_secret = \"" + selfSecret + "\"\nserver_set_contract = \"none\"\nacl_contract = \"none\"\n"
                + "http_port = 8090\n" + extra;
    }

    NodeConfig parse(String toml) throws ConfigException {
        return ConfigLoader.parse(toml, conf.resolve("node.toml"), env);
    }

    ConfigException error(String toml) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(toml));
        assertThat(e).as("expected a ConfigException").isNotNull();
        assertThat(e.getMessage()).doesNotContain(PASSWORD).doesNotContain("wrong-1");
        return e;
    }

    /** [parity] base_path + keys/DevelopmentChain, [account] password relative to the working directory, several lines. */
    @Test
    void sec07_accountAddressUnlocksTheKeystoreKeyWithTheFirstPasswordThatWorks() throws Exception {
        storeAccount("data/keys/DevelopmentChain");
        Files.writeString(work.resolve("node.pwd"), "wrong-1\n  " + PASSWORD + "  \n");
        NodeConfig c = parse("[parity]\nchain = \"dev\"\nbase_path = \"data\"\n[account]\npassword = [\"node.pwd\"]\n"
                + secretstore(address, ""));
        assertThat(c.nodeKey().publicKey()).isEqualTo(node.publicKey());
        assertThat(c.secret()).isInstanceOf(NodeConfig.SecretSource.KeystoreAccount.class);
        assertThat(((NodeConfig.SecretSource.KeystoreAccount) c.secret()).account()).isEqualTo(node.address());
        assertThat(c.keysPath()).contains(work.resolve("data/keys/DevelopmentChain"));
        // the configuration file holds no key, so it draws no SEC-27 warning
        assertThat(FilePermissionChecks.warnings(c)).isEmpty();
        assertThat(c.toString()).doesNotContain(PASSWORD);
        assertThat(c.notices()).anyMatch(n -> n.startsWith("[account] password: \"node.pwd\" is relative")
                && n.endsWith(work.resolve("node.pwd").toString()));
    }

    /** SEC-27: a password file others may read gives away the node key as much as the key itself. */
    @Test
    void sec27_passwordFileOpenToOthersIsNoticed() throws Exception {
        storeAccount("data/keys/DevelopmentChain");
        Path pw = work.resolve("node.pwd");
        Files.writeString(pw, PASSWORD);
        Files.setPosixFilePermissions(pw, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        String toml = "[parity]\nchain = \"dev\"\nbase_path = \"data\"\n[account]\npassword = [\"" + pw + "\"]\n"
                + secretstore(address, "");
        assertThat(parse(toml).notices()).anyMatch(n -> n.startsWith("[account] password: " + pw + " unlocks the node key")
                && n.contains("chmod 600"));
        Files.setPosixFilePermissions(pw, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertThat(parse(toml).notices()).noneMatch(n -> n.startsWith("[account] password:"));
    }

    @Test
    void parityKeysPathWithBaseAndHomeIsHonoured() throws Exception {
        storeAccount("data/custom-keys/DevelopmentChain");
        Files.createDirectories(dir.resolve("home"));
        Files.writeString(dir.resolve("home/pw"), PASSWORD + "\n");
        NodeConfig c = parse("[parity]\nchain = \"dev\"\nbase_path = \"data\"\nkeys_path = \"$BASE/custom-keys\"\n"
                + "[account]\npassword = [\"$HOME/pw\"]\n" + secretstore(address, ""));
        assertThat(c.nodeKey().publicKey()).isEqualTo(node.publicKey());
    }

    @Test
    void secretstoreExtKeysPathNamesTheDirectoryItself() throws Exception {
        Files.createDirectories(conf.resolve("ks"));
        new Keystore(conf.resolve("ks")).store(node, PASSWORD, FAST);
        Files.writeString(work.resolve("pw"), PASSWORD);
        NodeConfig c = parse("[account]\npassword = [\"pw\"]\n" + secretstore(address, "[secretstore_ext]\nkeys_path = \"ks\"\n"));
        assertThat(c.nodeKey().publicKey()).isEqualTo(node.publicKey());
        assertThat(c.keysPath()).contains(conf.resolve("ks"));
    }

    @Test
    void missingAccountIsNamedWithItsDirectory() throws Exception {
        storeAccount("data/keys/ethereum"); // a different chain's directory
        ConfigException e = error("[parity]\nchain = \"dev\"\nbase_path = \"data\"\n" + secretstore(address, ""));
        assertThat(e.option()).contains("self_secret");
        assertThat(e.getMessage()).contains("0x" + address).contains("not found")
                .contains(work.resolve("data/keys/DevelopmentChain").toString());
    }

    @Test
    void noPasswordFileIsNamedWithTheAccount() throws Exception {
        storeAccount("data/keys/DevelopmentChain");
        ConfigException e = error("[parity]\nchain = \"dev\"\nbase_path = \"data\"\n" + secretstore(address, ""));
        assertThat(e.getMessage()).contains("0x" + address).contains("no password found").contains("[account] password");
    }

    @Test
    void sec07_noWorkingPasswordIsNamedWithTheAccountAndNoPasswordIsShown() throws Exception {
        storeAccount("data/keys/DevelopmentChain");
        Files.writeString(work.resolve("a.pwd"), "wrong-1\n");
        Files.writeString(work.resolve("b.pwd"), "wrong-2\n\n");
        ConfigException e = error("[parity]\nchain = \"dev\"\nbase_path = \"data\"\n[account]\npassword = [\"a.pwd\", \"b.pwd\"]\n"
                + secretstore(address, ""));
        assertThat(e.getMessage()).contains("0x" + address).contains("no valid password").contains("3 password(s)")
                .doesNotContain("wrong-2");
    }

    @Test
    void unreadablePasswordFileIsNamed() throws Exception {
        storeAccount("data/keys/DevelopmentChain");
        ConfigException e = error("[parity]\nchain = \"dev\"\nbase_path = \"data\"\n[account]\npassword = [\"missing.pwd\"]\n"
                + secretstore(address, ""));
        assertThat(e.getMessage()).contains("[account] password").contains(work.resolve("missing.pwd").toString());
    }

    @Test
    void defaultBasePathIsParitysOnLinux() {
        assertThat(ParityAccounts.keysDirectory(Optional.empty(), Optional.empty(), ParityAccounts.DEFAULT_CHAIN, env))
                .isEqualTo(dir.resolve("home/.local/share/io.parity.ethereum/keys/ethereum"));
        ParityAccounts.Environment xdg = new ParityAccounts.Environment(work, dir.resolve("home"), Optional.of(dir.resolve("xdg")), false);
        assertThat(ParityAccounts.keysDirectory(Optional.empty(), Optional.empty(), "kovan", xdg))
                .isEqualTo(dir.resolve("xdg/io.parity.ethereum/keys/kovan"));
    }

    @ParameterizedTest
    @CsvSource({"dev, DevelopmentChain", "foundation, ethereum", "mainnet, ethereum", "classic, classic", "ewc, EnergyWebChain",
            "volta, Volta", "sokol, poasokol", "testnet, goerli", "poacore, poacore"})
    void chainDataDirectoriesAreParitys(String chain, String dataDir) {
        assertThat(ParityAccounts.chainDataDir(chain, env)).isEqualTo(dataDir);
    }

    @Test
    void customChainSpecFileGivesItsDataDirOrName() throws Exception {
        Files.writeString(work.resolve("spec.json"), "{\"name\": \"PoA Test\", \"dataDir\": \"poa-test\", \"engine\": {}}");
        Files.writeString(work.resolve("named.json"), "{\"name\": \"Secret Chain\"}");
        assertThat(ParityAccounts.chainDataDir("spec.json", env)).isEqualTo("poa-test");
        assertThat(ParityAccounts.chainDataDir("named.json", env)).isEqualTo("Secret Chain");
        ConfigException e = error("[parity]\nchain = \"nosuch.json\"\n" + secretstore(address, ""));
        assertThat(e.getMessage()).contains("[parity] chain").contains("nosuch.json");
    }

    // ---------------------------------------------------------------- [rpc]

    String withRpc(String rpc) {
        return "[rpc]\n" + rpc + "\n" + secretstore("6c26a76e9b31048d170873a791401c7e799a11f0cefc0171cc31a49800967509", "");
    }

    @Test
    void parityRpcWithAllServesSecretstoreOnItsInterfacePortCorsAndKeystore() throws Exception {
        NodeConfig c = parse("[parity]\nbase_path = \"data\"\nchain = \"dev\"\n"
                + withRpc("port = 8600\ninterface = \"local\"\napis = [\"all\"]\ncors = [\"all\"]\nhosts = [\"none\"]"));
        assertThat(c.rpc().enabled()).isTrue();
        assertThat(c.rpc().listen()).isEqualTo(new NodeConfig.Listen("127.0.0.1", 8600));
        assertThat(c.rpc().cors()).isEqualTo(new CorsPolicy.Any());
        assertThat(c.rpc().options()).isEqualTo("[rpc] interface/port");
        assertThat(c.keysPath()).contains(work.resolve("data/keys/DevelopmentChain"));
        assertThat(c.rpc().hosts().allows("evil.example", new InetSocketAddress("127.0.0.1", 8600))).isFalse();
        assertThat(c.notices()).anyMatch(n -> n.contains("[rpc] serves the secretstore_* JSON-RPC on 127.0.0.1:8600"));
    }

    @Test
    void parityRpcDefaultPortIs8545AndAllInterfacesWithHostsNoneAcceptAnyHostAsParityDoes() throws Exception {
        NodeConfig c = parse(withRpc("interface = \"all\"\napis = [\"secretstore\"]"));
        assertThat(c.rpc().listen()).isEqualTo(new NodeConfig.Listen("0.0.0.0", 8545));
        assertThat(c.rpc().hosts().isAny()).isTrue();
        assertThat(c.notices()).anyMatch(n -> n.startsWith("JSON-RPC service listens on 0.0.0.0:8545"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "apis = [\"web3\", \"eth\", \"net\"]|its apis do not include the secretstore API",
            "apis = [\"safe\"]|its apis do not include the secretstore API",
            "apis = [\"all\", \"-secretstore\"]|its apis do not include the secretstore API",
            "port = 8600|its apis do not include the secretstore API",
            "apis = [\"all\"]#disable = true|disable = true"})
    void parityRpcWithoutTheSecretstoreApiStartsNothing(String rpc, String notice) throws Exception {
        NodeConfig c = parse(withRpc(rpc.replace('#', '\n')));
        assertThat(c.rpc().enabled()).isFalse();
        assertThat(c.notices()).anyMatch(n -> n.startsWith("[rpc]: ") && n.contains(notice));
    }

    @Test
    void unknownApiIsRefusedAsParityDoes() {
        ConfigException e = error(withRpc("apis = [\"secretstor\"]"));
        assertThat(e.getMessage()).contains("[rpc] apis").contains("\"secretstor\"");
    }

    @Test
    void bothRpcSectionsStartingTheServiceIsRefused() {
        ConfigException e = error(withRpc("apis = [\"all\"]") + "[secretstore_ext]\nrpc_enabled = true\n");
        assertThat(e.getMessage()).contains("rpc_enabled").contains("[rpc] apis");
    }

    @Test
    void parityRpcPortTakesPartInTheDistinctListenersCheck() {
        ConfigException e = error(withRpc("apis = [\"all\"]\nport = 8090"));
        assertThat(e.getMessage()).contains("[secretstore] http_interface/http_port and [rpc] interface/port both use 127.0.0.1:8090");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "all|true", "safe|false", "secretstore|true", "safe,secretstore|true", "all,-secretstore|false",
            "-secretstore,all|true", "web3,eth,pubsub,net,parity,private,parity_pubsub,traces,rpc,parity_transactions_pool|false",
            "shh,secretstore|true"})
    void apiSetsAreParitys(String entries, boolean serves) {
        assertThat(ParityRpcApis.servesSecretStore(List.of(entries.split(",")))).isEqualTo(serves);
    }

    // ---------------------------------------------------------------- ops port

    /** Parity's http_port 8090 (a real configuration's) no longer collides with the ops listener's default. */
    @Test
    void opsDefaultIsTheHttpPortPlus100SoThreeUnchangedParityFilesOnOneHostDoNotCollide() throws Exception {
        for (int i = 0; i < 3; i++) {
            NodeConfig c = parse(secretstore("6c26a76e9b31048d170873a791401c7e799a11f0cefc0171cc31a49800967509", "")
                    .replace("http_port = 8090", "http_port = " + (8090 + i) + "\nport = " + (12000 + i)));
            assertThat(c.ops()).isEqualTo(new NodeConfig.Listen("127.0.0.1", 8190 + i));
        }
        ConfigException e = error(secretstore("6c26a76e9b31048d170873a791401c7e799a11f0cefc0171cc31a49800967509", "")
                .replace("http_port = 8090", "http_port = 65500"));
        assertThat(e.getMessage()).contains("ops_port").contains("beyond 65535");
    }
}
