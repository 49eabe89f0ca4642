package dev.secretstore.node.scenario;

/**
 * The scenarios over the in-memory cluster: deterministic, fake time, a member lost just before the
 * first message of each kind a clean run of the operation sends (issue #12, Tests).
 */
class InMemoryScenariosTest extends KeyServerScenarios {
    @Override
    protected ClusterUnderTest cluster() {
        return new InMemoryClusterUnderTest(SIZE);
    }
}
