package dev.secretstore.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.crypto.Hex;
import dev.secretstore.node.config.ConfigLoader;
import dev.secretstore.node.config.NodeConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dev --chain}: anvil started, contract deployed once, every node on it, dev.json describes the chain. */
class DevChainIT {
    @TempDir
    Path dir;

    @Test
    void setsUpTheChainAndReusesTheContractOnRestart() throws Exception {
        int base = TestPorts.base();
        PrintStream quiet = new PrintStream(PrintStream.nullOutputStream());
        String acl;
        try (DevChain chain = DevChain.setUp(3, dir, base, base + 10, base + 20, quiet);
             DevCluster.Running running = DevCluster.start(3, dir, base, base + 10, base + 20, quiet)) {
            chain.describeIn(running.devJson());
            JsonNode json = new ObjectMapper().readTree(running.devJson().toFile());
            acl = json.at("/chain/acl").asText();
            assertThat(acl).isEqualTo("0x" + Hex.encode(chain.contract().toBytes()));
            assertThat(json.at("/chain/url").asText()).isEqualTo(chain.anvil().url().toString());
            assertThat(json.at("/chain/owner/address").asText()).isEqualTo("0x" + Hex.encode(chain.owner().address().toBytes()));
            assertThat(json.at("/chain/owner/secret").asText()).hasSize(64);
            assertThat(json.at("/nodes").size()).isEqualTo(3);
            for (int i = 0; i < 3; i++) {
                NodeConfig c = ConfigLoader.load(dir.resolve("node-" + i + ".toml"));
                assertThat(c.acl().mode()).isEqualTo(NodeConfig.AclMode.CONTRACT);
                assertThat(c.acl().contract()).contains(chain.contract());
                assertThat(c.ethereum().url()).contains(chain.anvil().url());
            }
            assertThat(Files.exists(dir.resolve(DevChain.OWNER_KEY))).isTrue();
        }
        try (DevChain again = DevChain.setUp(3, dir, base, base + 10, base + 20, quiet)) {
            assertThat("0x" + Hex.encode(again.contract().toBytes())).isEqualTo(acl);
        }
    }
}
