package dev.secretstore.protocol.archfixture;

/** A deliberate violation for ArchitectureTest: protocol using an adapter of the node. */
public final class UsesTheNode {
    Class<?> adapter() {
        return dev.secretstore.node.config.NodeConfig.class;
    }
}
