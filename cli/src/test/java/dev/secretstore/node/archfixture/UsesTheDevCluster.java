package dev.secretstore.node.archfixture;

/** A deliberate violation for ArchitectureTest: the key server using the development tools. */
public final class UsesTheDevCluster {
    Class<?> tool() {
        return dev.secretstore.cli.dev.DevCluster.class;
    }
}
