package dev.secretstore.node.scenario;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;

/**
 * The scenarios over three node processes of the command-line jar (issue #12, Tests; here because
 * {@code init-cluster} is a command of that jar; the suite comes from node's test-jar): one cluster for the
 * whole class, healed (every killed member restarted) before each scenario; a member is lost with
 * kill -9 and restarted on its data. Configurations, data and node logs ({@code node-<i>.log}) stay in
 * {@code cli/target/scenario-cluster-*}.
 *
 * <p>Each loss costs a JVM start, so by default a member is lost at a step only when it is not the
 * master ({@code -Dscenarios.process.victims=1,0} adds the master; the in-memory run covers both), at
 * half a clean run ({@code -Dscenarios.process.fractions=0.25,0.5,0.75} for more steps).
 */
class ProcessScenariosIT extends KeyServerScenarios {
    private static ProcessClusterUnderTest shared;

    @Override
    protected ClusterUnderTest cluster() {
        try {
            if (shared == null) {
                // under target/, kept after the run: the node logs are the first thing to read when a scenario fails
                Path dir = Files.createTempDirectory(Path.of("target"), "scenario-cluster-").toAbsolutePath();
                System.out.println("scenario cluster: configurations, data and node logs in " + dir);
                shared = new ProcessClusterUnderTest(dir, SIZE);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the node processes", e);
        }
        shared.heal();
        return shared;
    }

    @Override
    protected List<Integer> victims() {
        return List.of(System.getProperty("scenarios.process.victims", String.valueOf(MEMBER)).split(",")).stream()
                .map(String::trim).map(Integer::valueOf).toList();
    }

    @AfterAll
    static void stop() {
        if (shared != null) shared.close();
        shared = null;
    }
}
