package dev.secretstore.node.archfixture;

/** A deliberate violation for ArchitectureTest: a listener on the JDK's thread-per-request HTTP server. */
public final class ServesWithTheJdkHttpServer {
    Class<?> server() {
        return com.sun.net.httpserver.HttpServer.class;
    }
}
