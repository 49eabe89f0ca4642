package dev.secretstore.protocol.archfixture;

/** A deliberate violation for ArchitectureTest: protocol talking SQL. */
public final class UsesSql {
    java.sql.Connection connect() throws java.sql.SQLException {
        return java.sql.DriverManager.getConnection("jdbc:sqlite::memory:");
    }
}
