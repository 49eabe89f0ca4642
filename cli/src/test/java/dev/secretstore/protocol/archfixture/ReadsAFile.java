package dev.secretstore.protocol.archfixture;

/** A deliberate violation for ArchitectureTest: protocol reading a file. */
public final class ReadsAFile {
    byte[] read() throws java.io.IOException {
        return java.nio.file.Files.readAllBytes(java.nio.file.Path.of("x"));
    }

    boolean exists() {
        return new java.io.File("x").exists();
    }
}
