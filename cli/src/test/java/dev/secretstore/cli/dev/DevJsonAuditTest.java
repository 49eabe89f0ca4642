package dev.secretstore.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.cli.ClusterInit;
import dev.secretstore.node.config.ConfigLoader;
import dev.secretstore.node.config.NodeConfig;
import dev.secretstore.node.runtime.KeyServerNode;
import dev.secretstore.node.runtime.NodeSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SEC-29: dev.json names every node's audit file ({@code nodes[].audit}). */
class DevJsonAuditTest {
    @TempDir
    Path dir;

    @Test
    void sec29_devJsonGivesEachNodesAuditFile() throws Exception {
        ClusterInit.Plan plan = ClusterInit.plan(3, dir, 42000, 42100, 42200);
        ClusterInit.write(plan);
        List<NodeConfig> configs = new ArrayList<>();
        List<KeyServerNode> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            NodeConfig c = ConfigLoader.load(plan.configFile(i));
            configs.add(c);
            nodes.add(new KeyServerNode(NodeSettings.from(c))); // not started: the file is known from the configuration
        }
        JsonNode json = new ObjectMapper().readTree(DevCluster.devJson(new DevCluster.Running(nodes, configs, dir.resolve("dev.json"), null)));
        for (int i = 0; i < 3; i++) {
            Path expected = configs.get(i).dataDir().resolve("audit.jsonl").toAbsolutePath();
            assertThat(json.at("/nodes/" + i + "/audit").asText()).isEqualTo(expected.toString());
        }
    }
}
