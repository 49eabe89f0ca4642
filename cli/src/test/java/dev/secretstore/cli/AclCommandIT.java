package dev.secretstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.KeyPair;
import dev.secretstore.cli.eth.Anvil;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code secretstore acl deploy | grant | check | owner | revoke} against a real anvil. */
class AclCommandIT {
    @TempDir
    Path dir;

    private Anvil anvil;

    @BeforeEach
    void start() throws Exception {
        Path bin = Anvil.locate().orElseThrow(() -> new AssertionError("anvil is not installed: run ./mvnw verify"));
        anvil = Anvil.start(bin, Anvil.freePort(), dir.resolve("chain"));
    }

    @AfterEach
    void stop() {
        if (anvil != null) anvil.close();
    }

    private record Run(int code, String out, String err) {}

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true), Components.fromServiceLoader());
        return new Run(code, out.toString().trim(), err.toString().trim());
    }

    private Path keyFile(String name, String hex) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, hex + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    @Test
    void deployGrantCheckRevoke() throws Exception {
        String rpc = anvil.url().toString();
        Path owner = keyFile("owner.key", Anvil.DEV_ACCOUNT_SECRET);
        String user = "0x" + dev.secretstore.crypto.Hex.encode(KeyPair.random().address().toBytes());
        String keyId = "0x" + "ab".repeat(32);

        Run deploy = run("acl", "deploy", "--rpc", rpc, "--key-file", owner.toString());
        assertThat(deploy.code()).as(deploy.err()).isZero();
        String contract = deploy.out();
        assertThat(contract).matches("0x[0-9a-f]{40}");

        assertThat(run("acl", "check", "--rpc", rpc, "--contract", contract, "--key-id", keyId, "--user", user).out()).isEqualTo("false");
        Run grant = run("acl", "grant", "--rpc", rpc, "--key-file", owner.toString(), "--contract", contract, "--key-id", keyId, "--user", user);
        assertThat(grant.code()).as(grant.err()).isZero();
        assertThat(run("acl", "check", "--rpc", rpc, "--contract", contract, "--key-id", keyId, "--user", user).out()).isEqualTo("true");
        assertThat(run("acl", "owner", "--rpc", rpc, "--contract", contract, "--key-id", keyId).out())
                .isEqualTo("0x" + dev.secretstore.crypto.Hex.encode(anvil.devAccount().address().toBytes()));

        // someone else cannot revoke: the transaction reverts and the command fails
        Path stranger = keyFile("stranger.key", Anvil.DEV_ACCOUNT_1_SECRET);
        Run refused = run("acl", "revoke", "--rpc", rpc, "--key-file", stranger.toString(), "--contract", contract, "--key-id", keyId,
                "--user", user);
        assertThat(refused.code()).isNotZero();
        assertThat(refused.err()).contains("reverted");

        Run revoke = run("acl", "revoke", "--rpc", rpc, "--key-file", owner.toString(), "--contract", contract, "--key-id", keyId, "--user", user);
        assertThat(revoke.code()).as(revoke.err()).isZero();
        assertThat(run("acl", "check", "--rpc", rpc, "--contract", contract, "--key-id", keyId, "--user", user).out()).isEqualTo("false");
    }
}
