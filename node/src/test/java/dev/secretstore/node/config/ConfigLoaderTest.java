package dev.secretstore.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.http.CorsPolicy;
import dev.secretstore.node.config.NodeConfig.AclMode;
import dev.secretstore.protocol.NodeId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {
    /** The node secret of Parity's wiki example. */
    static final String SECRET = "6c26a76e9b31048d170873a791401c7e799a11f0cefc0171cc31a49800967509";
    static final String SECRET2 = "7d29fab185a33e2cd955812397354c472d2b84615b645aa135ff539f6b0d70d5";
    static final String SECRET3 = "1bbd2d58ae39b3c3fb2b7b5d9c8e8a0b2f1a5e7d6c4b3a29180706050403020a";
    static final String SELF = pub(SECRET);
    static final String OTHER = pub(SECRET2);
    static final String THIRD = pub(SECRET3);
    /** X = 1, Y = 1: not on y² = x³ + 7. */
    static final String OFF_CURVE = "00".repeat(31) + "01" + "00".repeat(31) + "01";

    @TempDir
    Path dir;

    static String pub(String secretHex) {
        return KeyPair.fromSecretBytes(Hex.decode(secretHex)).publicKey().toHex();
    }

    Path write(String toml) throws IOException {
        Path f = dir.resolve("node.toml");
        Files.writeString(f, toml, StandardCharsets.UTF_8);
        return f;
    }

    NodeConfig load(String toml) throws Exception {
        return ConfigLoader.load(write(toml));
    }

    ConfigException error(String toml) throws IOException {
        Path f = write(toml);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(f));
        assertThat(e).as("expected a ConfigException").isNotNull();
        assertThat(e.getMessage()).doesNotContainIgnoringCase(SECRET);
        return e;
    }

    /** A minimal valid file: two nodes, explicit ACL "none". */
    static String minimal(String extraSecretstore) {
        return "[secretstore]\n"
                + "self_secret = \"" + SECRET + "\"\n"
                + "server_set_contract = \"none\"\n"
                + "nodes = [\"" + SELF + "@127.0.0.1:12000\", \"" + OTHER + "@127.0.0.1:12001\"]\n"
                + "acl_contract = \"none\"\n"
                + extraSecretstore;
    }

    @Test
    void fullParityStyleFileParses() throws Exception {
        Files.createDirectories(dir.resolve("db.poa_ss1"));
        NodeConfig c = load("""
                # Parity's wiki example, real ids, plus every [secretstore] option
                [parity]
                chain = "dev"
                mode = "active"

                [secretstore]
                disable = false
                disable_http = false
                disable_auto_migrate = true
                self_secret = "%s"
                admin_public = "%s"
                server_set_contract = "none"
                nodes = ["%s@127.0.0.1:12000", "%s@10.0.0.2:12001", "%s@ss3.example.org:12002"]
                interface = "all"
                port = 12000
                http_interface = "local"
                http_port = 8082
                path = "db.poa_ss1/secretstore"
                acl_contract = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0"
                cors = ["http://localhost:3000", "null"]
                service_contract = "none"

                [secretstore_ext]
                eth_rpc_url = "http://127.0.0.1:8545"
                eth_rpc_timeout_ms = 2000
                registrar_address = "0x0000000000000000000000000000000000001234"
                parity_strict = true
                rpc_enabled = true
                rpc_port = 8546
                rpc_cors = "*"
                keys_path = "keys"
                ops_port = 9100
                allow_key_loss_on_set_change = false
                """.formatted(SECRET, pub("11".repeat(32)), SELF, OTHER, THIRD));

        assertThat(c.source()).isEqualTo(dir.resolve("node.toml"));
        assertThat(c.disabled()).isFalse();
        assertThat(c.self()).isEqualTo(NodeId.fromHex(SELF));
        assertThat(c.nodeKey().publicKey().toHex()).isEqualTo(SELF);
        assertThat(c.secret()).isEqualTo(new NodeConfig.SecretSource.InConfigFile());
        assertThat(c.nodes()).extracting(NodeConfig.Member::toString).containsExactly(
                SELF + "@127.0.0.1:12000", OTHER + "@10.0.0.2:12001", THIRD + "@ss3.example.org:12002");
        assertThat(c.cluster()).isEqualTo(new NodeConfig.Listen("0.0.0.0", 12000));
        assertThat(c.http()).contains(new NodeConfig.Listen("127.0.0.1", 8082));
        assertThat(c.dataDir()).isEqualTo(dir.resolve("db.poa_ss1/secretstore"));
        assertThat(c.acl().mode()).isEqualTo(AclMode.CONTRACT);
        assertThat(c.acl().contract()).contains(Address.fromHex("a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0"));
        assertThat(c.insecureNoAcl()).isFalse();
        assertThat(c.cors()).isEqualTo(new CorsPolicy.Origins(List.of("http://localhost:3000", "null")));
        assertThat(c.adminPublic()).map(p -> p.toHex()).contains(pub("11".repeat(32)));
        assertThat(c.disableAutoMigrate()).isTrue();
        assertThat(c.ethereum().url()).map(Object::toString).contains("http://127.0.0.1:8545");
        assertThat(c.ethereum().timeout()).isEqualTo(Duration.ofMillis(2000));
        assertThat(c.ethereum().registrar()).contains(Address.fromHex("0000000000000000000000000000000000001234"));
        assertThat(c.parityStrict()).isTrue();
        assertThat(c.rpc().enabled()).isTrue();
        assertThat(c.rpc().listen()).isEqualTo(new NodeConfig.Listen("127.0.0.1", 8546));
        assertThat(c.rpc().cors()).isEqualTo(new CorsPolicy.Any());
        assertThat(c.keysPath()).contains(dir.resolve("keys"));
        assertThat(c.ops()).isEqualTo(new NodeConfig.Listen("127.0.0.1", 9100));
        assertThat(c.allowKeyLossOnSetChange()).isFalse();
        assertThat(c.notices()).anyMatch(n -> n.contains("[parity]") && n.contains("ignored"));
        assertThat(c.notices()).anyMatch(n -> n.contains("disable_auto_migrate"));
    }

    @Test
    void wikiExampleWithRealIdsIsAccepted() throws Exception {
        NodeConfig c = load("""
                [secretstore]
                disable = false
                self_secret = "%s"
                server_set_contract = "none"
                nodes = ["%s@127.0.0.1:12000", "%s@127.0.0.1:12001"]
                interface = "local"
                port = 12000
                http_interface = "local"
                http_port = 8082
                path = "db.poa_ss1/secretstore"
                acl_contract = "none"
                """.formatted(SECRET, SELF, OTHER));
        assertThat(c.nodeIds()).containsExactly(NodeId.fromHex(SELF), NodeId.fromHex(OTHER));
    }

    @Test
    void paritysPortShiftAndUnsafeExposeAreNotAppliedAndSaySo() throws Exception {
        NodeConfig c = load("[misc]\nports_shift = 10\nunsafe_expose = true\n" + minimal(""));
        assertThat(c.cluster().port()).isEqualTo(8083);
        assertThat(c.http().orElseThrow().ip()).isEqualTo("127.0.0.1");
        assertThat(c.notices()).anyMatch(n -> n.contains("[misc] ports_shift is not applied"))
                .anyMatch(n -> n.contains("[misc] unsafe_expose is not applied"));
    }

    @Test
    void defaultsBindToLoopbackAndAllowNoOrigin() throws Exception {
        NodeConfig c = load(minimal(""));
        assertThat(c.cluster()).isEqualTo(new NodeConfig.Listen("127.0.0.1", 8083));
        assertThat(c.http()).contains(new NodeConfig.Listen("127.0.0.1", 8082));
        assertThat(c.rpc().listen()).isEqualTo(new NodeConfig.Listen("127.0.0.1", 8545));
        // the HTTP port + 100, never Parity's 8090 (a real http_port)
        assertThat(c.ops()).isEqualTo(new NodeConfig.Listen("127.0.0.1", 8182));
        assertThat(c.cluster().isLoopback()).isTrue();
        assertThat(c.http().orElseThrow().isLoopback()).isTrue();
        assertThat(c.rpc().enabled()).isFalse();
        assertThat(c.cors()).isEqualTo(new CorsPolicy.None());
        assertThat(c.rpc().cors()).isEqualTo(new CorsPolicy.None());
        assertThat(c.dataDir()).isEqualTo(dir.resolve("secretstore"));
        assertThat(c.ethereum().timeout()).isEqualTo(Duration.ofMillis(5000));
        assertThat(c.parityStrict()).isFalse();
    }

    @Test
    void relativePathResolvesAgainstTheConfigFileDirectory() throws Exception {
        NodeConfig c = load(minimal("path = \"../elsewhere/./store\"\n"));
        assertThat(c.dataDir()).isEqualTo(dir.getParent().resolve("elsewhere/store"));
        assertThat(load(minimal("path = \"/var/lib/ss\"\n")).dataDir()).isEqualTo(Path.of("/var/lib/ss"));
    }

    @Test
    void disableHttpRemovesTheHttpListener() throws Exception {
        assertThat(load(minimal("disable_http = true\n")).http()).isEmpty();
        assertThat(load(minimal("disable = true\n")).disabled()).isTrue();
    }

    @Test
    void sec37_allowedHostsDefaultToTheBuiltInListAndTakeNamesOrStar() throws Exception {
        java.net.InetSocketAddress bound = new java.net.InetSocketAddress("127.0.0.1", 8082);
        NodeConfig plain = load(minimal(""));
        assertThat(plain.httpHosts().allows("localhost:8082", bound)).isTrue();
        assertThat(plain.httpHosts().allows("evil.example", bound)).isFalse();
        assertThat(plain.rpc().hosts().allows("evil.example", bound)).isFalse();
        NodeConfig c = load(minimal("") + "[secretstore_ext]\nhttp_allowed_hosts = [\"Keys.Example\", \"[fd00::1]:8082\"]\n"
                + "rpc_allowed_hosts = \"*\"\n");
        assertThat(c.httpHosts().allows("keys.example.", bound)).isTrue();
        assertThat(c.httpHosts().allows("[fd00::1]:8082", bound)).isTrue();
        assertThat(c.httpHosts().allows("evil.example", bound)).isFalse();
        assertThat(c.rpc().hosts().isAny()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "http_allowed_hosts = [\"ok.example\", \"http://bad.example\"]|http_allowed_hosts|\"http://bad.example\" is not a host",
            "http_allowed_hosts = [\"*\", \"ok.example\"]|http_allowed_hosts|must be the only entry",
            "rpc_allowed_hosts = [\"::1\"]|rpc_allowed_hosts|is not a host",
            "rpc_allowed_hosts = 5|rpc_allowed_hosts|",
    })
    void sec37_badAllowedHostsAreNamedErrors(String line, String option, String message) throws Exception {
        ConfigException e = error(minimal("") + "[secretstore_ext]\n" + line + "\n");
        assertThat(e.getMessage()).contains("[secretstore_ext] " + option + ":").contains(message == null ? "" : message);
    }

    @Test
    void aclNoneIsAnExplicitInsecureMode() throws Exception {
        NodeConfig c = load(minimal(""));
        assertThat(c.insecureNoAcl()).isTrue();
        assertThat(c.acl().mode()).isEqualTo(AclMode.NONE);
        assertThat(c.notices()).anyMatch(n -> n.contains("DISABLED"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "secretstore|bogus = 1|bogus",
            "secretstore|http_cors = \"none\"|http_cors",
            "secretstore|eth_rpc_url = \"http://x\"|eth_rpc_url",
            "secretstore_ext|self_secret = \"x\"|self_secret",
            "secretstore_ext|rpc_interfaces = \"local\"|rpc_interfaces",
    })
    void unknownOptionIsNamedWithItsSection(String section, String line, String option) throws Exception {
        String toml = section.equals("secretstore") ? minimal(line + "\n") : minimal("") + "[secretstore_ext]\n" + line + "\n";
        ConfigException e = error(toml);
        assertThat(e.getMessage()).contains("[" + section + "] " + option + ":").contains("unknown option");
        assertThat(e.section()).contains(section);
        assertThat(e.option()).contains(option);
    }

    @Test
    void unknownSectionAndTopLevelOptionAreErrors() throws Exception {
        assertThat(error(minimal("") + "[secret_store]\nport = 1\n").getMessage())
                .contains("[secret_store]").contains("unknown section");
        assertThat(error("port = 1\n" + minimal("")).getMessage()).contains("port").contains("outside any section");
        assertThat(error(minimal("[secretstore.extra]\nx = 1\n")).getMessage()).contains("[secretstore] extra:");
        assertThat(error("[parity]\nchain = \"dev\"\n").getMessage()).contains("[secretstore]").contains("missing");
        assertThat(error(minimal("") + "[[secretstore_ext]]\nops_port = 1\n").getMessage())
                .contains("[secretstore_ext] must be a single table");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "server_set_contract = \"registry\"|server_set_contract|contract-based server set is not supported yet",
            "server_set_contract = \"a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0\"|server_set_contract|contract-based server set is not supported yet",
            "service_contract = \"registry\"|service_contract|service contracts",
            "service_contract_srv_gen = \"a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0\"|service_contract_srv_gen|service contracts",
            "service_contract_srv_retr = \"registry\"|service_contract_srv_retr|service contracts",
            "service_contract_doc_store = \"registry\"|service_contract_doc_store|service contracts",
            "service_contract_doc_sretr = \"registry\"|service_contract_doc_sretr|service contracts",
    })
    void laterScopeOptionsAreRefusedWithTheirMessage(String line, String option, String message) throws Exception {
        String toml = minimal("").replace("server_set_contract = \"none\"\n", "") + line + "\n"
                + (option.equals("server_set_contract") ? "" : "server_set_contract = \"none\"\n");
        ConfigException e = error(toml);
        assertThat(e.option()).contains(option);
        assertThat(e.getMessage()).contains(message).contains("not supported yet");
    }

    @Test
    void missingServerSetContractIsRefusedBecauseParitysDefaultIsRegistry() throws Exception {
        ConfigException e = error(minimal("").replace("server_set_contract = \"none\"\n", ""));
        assertThat(e.getMessage()).contains("server_set_contract").contains("\"registry\"").contains("server_set_contract = \"none\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "zz" + "00",                       // placeholder replaced below: bad hex
            "SHORT",                           // id too short
            "OFFCURVE@127.0.0.1:12001",        // off-curve id
            "OTHER@127.0.0.1",                 // missing port
            "OTHER@127.0.0.1:",                // empty port
            "OTHER@127.0.0.1:0",               // port 0
            "OTHER@127.0.0.1:65536",           // port too large
            "OTHER@127.0.0.1:99999999999",     // absurd port
            "OTHER127.0.0.1:12001",            // no @
            "OTHER@:12001",                    // no host
            "OTHER@bad_host!:12001",           // bad host
            "OTHER@[zz::1]:12001",             // bad IPv6
            "0xOTHER@127.0.0.1:12001",         // 0x prefix
    })
    void malformedNodeEntriesAreRefused(String pattern) throws Exception {
        String entry = switch (pattern) {
            case "zz00" -> "zz" + OTHER.substring(2) + "@127.0.0.1:12001";
            case "SHORT" -> OTHER.substring(2) + "@127.0.0.1:12001";
            default -> pattern.replace("OFFCURVE", OFF_CURVE).replace("OTHER", OTHER);
        };
        String toml = minimal("").replace(OTHER + "@127.0.0.1:12001", entry);
        ConfigException e = error(toml);
        assertThat(e.section()).contains("secretstore");
        assertThat(e.option()).contains("nodes");
        assertThat(e.getMessage()).contains("entry 2");
    }

    @Test
    void offCurveNodeIdIsNamedAsInvalidPoint() throws Exception {
        ConfigException e = error(minimal("").replace(OTHER, OFF_CURVE));
        assertThat(e.getMessage()).contains("not a valid secp256k1 public key");
    }

    @Test
    void duplicateNodesAreRefused() throws Exception {
        ConfigException sameId = error(minimal("").replace("@127.0.0.1:12001\"]",
                "@127.0.0.1:12001\", \"" + OTHER + "@127.0.0.1:12002\"]"));
        assertThat(sameId.getMessage()).contains("entry 3 repeats the node id of entry 2");
        ConfigException sameAddr = error(minimal("").replace("@127.0.0.1:12001\"]",
                "@127.0.0.1:12001\", \"" + THIRD + "@127.0.0.1:12001\"]"));
        assertThat(sameAddr.getMessage()).contains("entry 3 repeats the address 127.0.0.1:12001");
    }

    @Test
    void selfMissingFromNodesIsAddedWithItsListenAddressAsParityDoes() throws Exception {
        NodeConfig c = load(minimal("port = 12005\n").replace("\"" + SELF + "@127.0.0.1:12000\", ", ""));
        assertThat(c.nodeIds()).containsExactly(NodeId.fromHex(OTHER), NodeId.fromHex(SELF));
        assertThat(c.nodes().get(1).port()).isEqualTo(12005);
        assertThat(c.notices()).anyMatch(n -> n.contains("does not list this node"));
    }

    @Test
    void selfMissingWhileItsListenAddressBelongsToAnotherEntryIsRefused() throws Exception {
        ConfigException e = error(minimal("port = 12001\n").replace("\"" + SELF + "@127.0.0.1:12000\", ", ""));
        assertThat(e.getMessage()).contains("not in the list").contains("check the node key");
    }

    @Test
    void adminPublicMustBeAValidPointDifferentFromEveryNodeKey() throws Exception {
        assertThat(error(minimal("admin_public = \"" + OTHER + "\"\n")).getMessage())
                .contains("admin_public").contains("must not be a node key");
        assertThat(error(minimal("admin_public = \"" + SELF + "\"\n")).getMessage()).contains("must not be a node key");
        assertThat(error(minimal("admin_public = \"" + OFF_CURVE + "\"\n")).getMessage())
                .contains("admin_public").contains("not a valid secp256k1 public key");
        assertThat(error(minimal("admin_public = \"0x" + THIRD + "\"\n")).getMessage()).contains("128 hex digits");
    }

    @Test
    void missingAclContractWithoutRegistryIsRefused() throws Exception {
        ConfigException e = error(minimal("").replace("acl_contract = \"none\"\n", ""));
        assertThat(e.option()).contains("acl_contract");
        assertThat(e.getMessage()).contains("not set").contains("registrar_address").contains("SEC-22");
    }

    @Test
    void missingAclContractWithARegistryUsesTheRegistry() throws Exception {
        NodeConfig c = load(minimal("").replace("acl_contract = \"none\"\n", "") + """
                [secretstore_ext]
                registrar_address = "0000000000000000000000000000000000001234"
                eth_rpc_url = "https://rpc.example.org"
                """);
        assertThat(c.acl().mode()).isEqualTo(AclMode.REGISTRY);
        assertThat(c.insecureNoAcl()).isFalse();
    }

    @Test
    void aclModesCheckTheirPrerequisites() throws Exception {
        String noAcl = minimal("").replace("acl_contract = \"none\"\n", "");
        assertThat(error(noAcl + "acl_contract = \"registry\"\n").getMessage()).contains("registrar_address");
        assertThat(error(noAcl + "acl_contract = \"a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0\"\n").getMessage()).contains("eth_rpc_url");
        assertThat(error(noAcl + "acl_contract = \"policy\"\n").getMessage()).contains("acl_policy_file");
        assertThat(error(noAcl + "acl_contract = \"policy\"\n[secretstore_ext]\nacl_policy_file = \"missing.toml\"\n").getMessage())
                .contains("[secretstore_ext] acl_policy_file:").contains("does not exist");
        assertThat(error(noAcl + "acl_contract = \"0000000000000000000000000000000000000000\"\n[secretstore_ext]\neth_rpc_url = \"http://x:1\"\n").getMessage())
                .contains("zero address");
        assertThat(error(noAcl + "acl_contract = \"allow-all\"\n").getMessage()).contains("\"allow-all\" is not valid");
        assertThat(error(noAcl + "acl_contract = \"none\"\n[secretstore_ext]\nacl_policy_file = \"p.toml\"\n").getMessage())
                .contains("policy file would be ignored");
        Files.writeString(dir.resolve("p.toml"), "");
        NodeConfig c = load(noAcl + "acl_contract = \"policy\"\n[secretstore_ext]\nacl_policy_file = \"p.toml\"\n");
        assertThat(c.acl().mode()).isEqualTo(AclMode.POLICY);
        assertThat(c.acl().policyFile()).contains(dir.resolve("p.toml"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "port = 0|port|out of range",
            "port = 65536|port|out of range",
            "port = \"8083\"|port|expected a port number from 1 to 65535, got a string",
            "http_port = -1|http_port|out of range",
            "interface = \"localhost\"|interface|expected \"local\"",
            "http_interface = \"300.0.0.1\"|http_interface|expected \"local\"",
            "disable = \"false\"|disable|expected true or false",
            "admin_public = 5|admin_public|expected a string, got an integer",
            "cors = [\"none\", \"http://a.b\"]|cors|must be the only entry",
            "cors = [\"not an origin\"]|cors|not an origin",
            "port = 8082|secretstore|both use 127.0.0.1:8082",
    })
    void badValuesNameTheOption(String line, String expectedInMessage, String problem) throws Exception {
        ConfigException e = error(minimal(line + "\n"));
        assertThat(e.getMessage()).contains(expectedInMessage).contains(problem);
    }

    @Test
    void corsForms() throws Exception {
        assertThat(load(minimal("cors = \"none\"\n")).cors()).isEqualTo(new CorsPolicy.None());
        assertThat(load(minimal("cors = [\"all\"]\n")).cors()).isEqualTo(new CorsPolicy.Any());
        assertThat(load(minimal("cors = \"*.example.org\"\n")).cors()).isEqualTo(new CorsPolicy.Origins(List.of("*.example.org")));
        assertThat(load(minimal("cors = []\n")).cors()).isEqualTo(new CorsPolicy.None());
    }

    @Test
    void listenersOnDifferentAddressesMayShareAPortAndIpv6Works() throws Exception {
        NodeConfig c = load(minimal("interface = \"10.0.0.1\"\nport = 8082\nhttp_interface = \"::1\"\n"));
        assertThat(c.cluster()).isEqualTo(new NodeConfig.Listen("10.0.0.1", 8082));
        assertThat(c.http().orElseThrow().isLoopback()).isTrue();
        assertThat(c.notices()).noneMatch(n -> n.contains("HTTP API listens"));
        NodeConfig exposed = load(minimal("http_interface = \"all\"\n"));
        assertThat(exposed.notices()).anyMatch(n -> n.contains("TLS") && n.contains("SEC-30"));
    }

    @Test
    void keyFileInsteadOfInlineSecret() throws Exception {
        Files.writeString(dir.resolve("node.key"), SECRET2 + "\n");
        String toml = minimal("").replace("self_secret = \"" + SECRET + "\"\n", "")
                + "[secretstore_ext]\nself_secret_file = \"node.key\"\n";
        NodeConfig c = load(toml);
        assertThat(c.self()).isEqualTo(NodeId.fromHex(OTHER));
        assertThat(c.secret()).isEqualTo(new NodeConfig.SecretSource.KeyFile(dir.resolve("node.key")));

        assertThat(error(minimal("") + "[secretstore_ext]\nself_secret_file = \"node.key\"\n").getMessage())
                .contains("one way only");
        assertThat(error(minimal("").replace("self_secret = \"" + SECRET + "\"\n", "")).getMessage())
                .contains("self_secret: missing");
        Files.writeString(dir.resolve("node.key"), SECRET.substring(1) + "\n");
        ConfigException bad = error(toml);
        assertThat(bad.getMessage()).contains("self_secret_file").contains("63 characters").doesNotContain(SECRET.substring(1));
    }

    // --- SEC-07: the node secret never appears in toString or error messages ---

    @Test
    void secretNeverInToString() throws Exception {
        NodeConfig c = load(minimal(""));
        assertThat(c.toString()).doesNotContainIgnoringCase(SECRET).contains(SELF);
        assertThat(c.nodeKey().toString()).doesNotContainIgnoringCase(SECRET);
    }

    @Test
    void secretNeverInErrorMessages() throws Exception {
        String near = SECRET.substring(0, 63);
        List<String> bad = List.of(
                minimal("").replace(SECRET, near),                                     // 63 digits
                minimal("").replace(SECRET, "0x" + SECRET),                            // prefixed
                minimal("").replace(SECRET, SECRET + "0"),                             // 65 digits
                minimal("").replace(SECRET, "f".repeat(64)),                           // ≥ n
                minimal("").replace("\"" + SECRET + "\"", SECRET),                     // TOML syntax: unquoted
                minimal("").replace("\"" + SECRET + "\"", "\"" + SECRET),              // TOML syntax: unterminated
                minimal("self_secret = \"" + SECRET + "\"\n"),                         // duplicate key
                minimal("bogus = \"" + SECRET + "\"\n"),                               // unknown option holding it
                minimal("port = \"" + SECRET + "\"\n"),                                // wrong type
                minimal("").replace(OTHER, SECRET + SECRET));                          // secret as a node id
        for (String toml : bad) {
            ConfigException e = error(toml);
            assertThat(e.getMessage()).doesNotContainIgnoringCase(near).doesNotContainIgnoringCase(SECRET.substring(1));
        }
        assertThat(error(bad.get(0)).getMessage()).contains("63 characters");
        assertThat(error(bad.get(1)).getMessage()).contains("without a 0x prefix");
        assertThat(error(bad.get(3)).getMessage()).contains("not a valid secp256k1 private key");
    }

    @Test
    void missingAndUnreadableFiles() throws Exception {
        Path none = dir.resolve("absent.toml");
        assertThatThrownBy(() -> ConfigLoader.load(none)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("absent.toml").hasMessageContaining("does not exist");
        assertThatThrownBy(() -> ConfigLoader.load(dir)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("not a regular file");
        Path latin1 = dir.resolve("latin1.toml");
        Files.write(latin1, new byte[] {'#', (byte) 0xe9, '\n'});
        assertThatThrownBy(() -> ConfigLoader.load(latin1)).hasMessageContaining("UTF-8");
        assertThat(Optional.ofNullable(catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(none)).file()))
                .isNotEmpty();
    }

    @Test
    void sec23_requestLimitsDefaultOnAndConfigurable() throws Exception {
        assertThat(load(minimal("")).limits()).isEqualTo(NodeConfig.Limits.DEFAULT);
        NodeConfig c = load(minimal("[secretstore_ext]\nrequester_rate_limit = 0\nkey_rate_limit = 7\nrequester_concurrency_limit = 3\n"));
        assertThat(c.limits()).isEqualTo(new NodeConfig.Limits(0, 7, 3));
        assertThat(error(minimal("[secretstore_ext]\nkey_rate_limit = -1\n")).getMessage())
                .contains("key_rate_limit").contains("out of range");
    }

    @Test
    void sec35_admissionLimitsAndKeyCreatorsDefaultAndAreConfigurable() throws Exception {
        NodeConfig d = load(minimal(""));
        assertThat(d.limits().admission()).isEqualTo(dev.secretstore.node.http.Admission.Config.DEFAULT);
        assertThat(d.limits().keyCreators()).isEqualTo(dev.secretstore.node.http.KeyCreators.anyone());
        assertThat(dev.secretstore.node.runtime.NodeSettings.from(d).admission()).isEqualTo(dev.secretstore.node.http.Admission.Config.DEFAULT);
        String creator = "0x" + "ab".repeat(20);
        NodeConfig c = load(minimal("[secretstore_ext]\naddress_rate_limit = 1\naddress_concurrency_limit = 2\n"
                + "generation_rate_limit = 3\nstore_rate_limit = 4\nretrieval_rate_limit = 5\nsigning_rate_limit = 6\n"
                + "concurrency_limit = 8\ngeneration_concurrency_limit = 7\nkey_creators = [\"" + creator + "\"]\n"));
        assertThat(c.limits().admission()).isEqualTo(new dev.secretstore.node.http.Admission.Config(1, 2, 3, 4, 5, 6, 8, 7));
        assertThat(c.limits().keyCreators()).isEqualTo(dev.secretstore.node.http.KeyCreators.only(
                java.util.Set.of(dev.secretstore.crypto.Address.fromHex("ab".repeat(20)))));
        var settings = dev.secretstore.node.runtime.NodeSettings.from(c);
        assertThat(settings.admission()).isEqualTo(c.limits().admission());
        assertThat(settings.keyCreators().mayCreate(dev.secretstore.crypto.Address.fromHex("ab".repeat(20)))).isTrue();
        assertThat(settings.keyCreators().mayCreate(dev.secretstore.crypto.Address.fromHex("cd".repeat(20)))).isFalse();
        assertThat(load(minimal("[secretstore_ext]\nkey_creators = []\n")).limits().keyCreators().allowed()).contains(java.util.Set.of());
        assertThat(error(minimal("[secretstore_ext]\nkey_creators = [\"0x1234\"]\n")).getMessage())
                .contains("key_creators").contains("not an address");
        // key_creators = "contract": the ACL contract's canCreateKeys decides; needs acl_contract = <address>
        String withContract = minimal("").replace("acl_contract = \"none\"", "acl_contract = \"a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0\"")
                + "[secretstore_ext]\neth_rpc_url = \"http://127.0.0.1:1\"\n";
        assertThat(load(withContract + "key_creators = \"contract\"\n").limits().keyCreators())
                .isEqualTo(dev.secretstore.node.http.KeyCreators.fromContract());
        assertThat(error(minimal("[secretstore_ext]\nkey_creators = \"contract\"\n")).getMessage())
                .contains("key_creators").contains("needs [secretstore] acl_contract");
        assertThat(error(withContract + "key_creators = \"policy\"\n").getMessage())
                .contains("key_creators").contains("expected an array of addresses or \"contract\"");
        assertThat(error(minimal("[secretstore_ext]\nconcurrency_limit = 4\ngeneration_concurrency_limit = 5\n")).getMessage())
                .contains("generation_concurrency_limit").contains("above concurrency_limit");
        assertThat(error(minimal("[secretstore_ext]\naddress_rate_limit = -1\n")).getMessage())
                .contains("address_rate_limit").contains("out of range");
    }

    /** Issue #12 defect 6: the transport's heartbeat and peer deadline, defaulting to 2 s / 6 s. */
    @Test
    void heartbeatAndPeerDeadlineDefaultAndAreConfigurable() throws Exception {
        assertThat(load(minimal("")).heartbeat()).isEqualTo(NodeConfig.Heartbeat.DEFAULT);
        assertThat(NodeConfig.Heartbeat.DEFAULT).isEqualTo(new NodeConfig.Heartbeat(java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(6)));
        NodeConfig c = load(minimal("[secretstore_ext]\npeer_heartbeat_ms = 500\npeer_deadline_ms = 1500\n"));
        assertThat(c.heartbeat()).isEqualTo(new NodeConfig.Heartbeat(java.time.Duration.ofMillis(500), java.time.Duration.ofMillis(1500)));
        assertThat(dev.secretstore.node.runtime.NodeSettings.from(c).transport().readIdleTimeout()).isEqualTo(java.time.Duration.ofMillis(1500));
        assertThat(dev.secretstore.node.runtime.NodeSettings.from(c).transport().keepAliveInterval()).isEqualTo(java.time.Duration.ofMillis(500));
        assertThat(error(minimal("[secretstore_ext]\npeer_heartbeat_ms = 3000\npeer_deadline_ms = 3000\n")).getMessage())
                .contains("peer_deadline_ms").contains("not longer than peer_heartbeat_ms");
        assertThat(error(minimal("[secretstore_ext]\npeer_heartbeat_ms = 50\n")).getMessage())
                .contains("peer_heartbeat_ms").contains("out of range");
    }

    /** SEC-36: the cluster port's per-address limits and the member-address filter (off by default). */
    @Test
    void sec36_clusterPortOptionsDefaultAndAreConfigurable() throws Exception {
        NodeConfig d = load(minimal(""));
        assertThat(d.clusterPort()).isEqualTo(new NodeConfig.ClusterPort(false, 4, 2));
        var admission = dev.secretstore.node.runtime.NodeSettings.from(d).transport().admission();
        assertThat(admission.membersOnly()).isFalse();
        assertThat(admission.pendingPerSource()).isEqualTo(4);
        assertThat(admission.burstPerSource()).isEqualTo(8);

        NodeConfig c = load(minimal("[secretstore_ext]\ncluster_accept_from = \"members\"\n"
                + "cluster_handshakes_per_address = 2\ncluster_handshake_rate = 5\n"));
        assertThat(c.clusterPort()).isEqualTo(new NodeConfig.ClusterPort(true, 2, 5));
        admission = dev.secretstore.node.runtime.NodeSettings.from(c).transport().admission();
        assertThat(admission.membersOnly()).isTrue();
        assertThat(admission.pendingPerSource()).isEqualTo(2);
        assertThat(admission.ratePerSource()).isEqualTo(5.0);
        assertThat(admission.burstPerSource()).isEqualTo(20);

        assertThat(error(minimal("[secretstore_ext]\ncluster_accept_from = \"everyone\"\n")).getMessage())
                .contains("cluster_accept_from").contains("\"members\"");
        assertThat(error(minimal("[secretstore_ext]\ncluster_handshakes_per_address = 0\n")).getMessage())
                .contains("cluster_handshakes_per_address").contains("out of range");
        assertThat(error(minimal("[secretstore_ext]\ncluster_handshake_rate = 0\n")).getMessage())
                .contains("cluster_handshake_rate").contains("out of range");
    }
}
