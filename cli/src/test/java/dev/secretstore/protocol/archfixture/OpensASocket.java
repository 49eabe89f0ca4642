package dev.secretstore.protocol.archfixture;

/** A deliberate violation for ArchitectureTest: protocol opening a socket. */
public final class OpensASocket {
    java.net.Socket open() {
        return new java.net.Socket();
    }
}
