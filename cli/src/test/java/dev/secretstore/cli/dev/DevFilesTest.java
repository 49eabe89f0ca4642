package dev.secretstore.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SEC-39: the development accounts (keystore files and the file with their passwords) are private. */
class DevFilesTest {
    @TempDir
    Path dir;

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void sec39RpcAccountsAndTheirKeystoreArePrivateInAWorldReadableDevDirectory() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<DevCluster.RpcAccount> accounts = DevCluster.rpcAccounts(dir);
        assertThat(accounts).isNotEmpty();
        assertThat(mode(dir.resolve(DevCluster.RPC_ACCOUNTS))).isEqualTo("rw-------");
        Path ks = dir.resolve(DevCluster.RPC_KEYSTORE);
        assertThat(mode(ks)).isEqualTo("rwx------");
        assertThat(mode(ks.getParent())).isEqualTo("rwx------");
        try (Stream<Path> files = Files.list(ks)) {
            assertThat(files.toList()).hasSize(accounts.size()).allSatisfy(f -> assertThat(mode(f)).isEqualTo("rw-------"));
        }
        // read back, not rewritten
        assertThat(DevCluster.rpcAccounts(dir)).isEqualTo(accounts);
    }

    @Test
    void aDevDirectoryMadeWithoutTlsRefusesDevTls() throws Exception {
        java.io.PrintStream quiet = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
        Path d = dir.resolve("plain");
        DevCluster.prepare(2, d, 12000, 8082, 8190, false, quiet);
        assertThat(d.resolve("tls")).doesNotExist();
        DevCluster.prepare(2, d, 12000, 8082, 8190, false, quiet); // reused as it is
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DevCluster.prepare(2, d, 12000, 8082, 8190, true, quiet))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("made without --tls");
        assertThat(d.resolve("tls")).doesNotExist();
    }

    @Test
    void aDevTlsDirectoryHasACertificateForTheRpcServiceAndRefusesPlainDev() throws Exception {
        java.io.PrintStream quiet = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
        Path d = dir.resolve("tls-dev");
        dev.secretstore.cli.ClusterInit.Plan plan = DevCluster.prepare(2, d, 12000, 8082, 8190, true, quiet);
        assertThat(DevCluster.rpcTlsFiles(plan).certificateChain()).isEqualTo(d.resolve("tls/rpc.pem"));
        dev.secretstore.http.server.ReloadingTls.load(DevCluster.rpcTlsFiles(plan));
        assertThat(mode(d.resolve("tls/rpc.key"))).isEqualTo("rw-------");
        DevCluster.prepare(2, d, 12000, 8082, 8190, true, quiet); // reused as it is
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DevCluster.prepare(2, d, 12000, 8082, 8190, false, quiet))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("made with --tls");
        // a directory of init-cluster --tls has no rpc certificate: the service uses node 0's
        Files.delete(d.resolve("tls/rpc.pem"));
        assertThat(DevCluster.rpcTlsFiles(plan).certificateChain()).isEqualTo(d.resolve("tls/node-0.pem"));
    }
}
