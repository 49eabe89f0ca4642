package dev.secretstore.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.KeyPair;
import dev.secretstore.node.acl.AllowAllAclChecker;
import dev.secretstore.node.acl.PolicyFileAclChecker;
import dev.secretstore.node.http.KeyCreators;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.key.InMemoryKeyStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SEC-35: the HTTP API's key creators are key_creators and, with an ACL policy file, its [[creator]] entries too. */
class KeyCreatorsWiringTest {
    @TempDir
    Path dir;

    @Test
    void sec35_thePolicyFilesCreatorsApplyOnTopOfKeyCreators() throws Exception {
        KeyPair a = KeyPair.random();
        KeyPair b = KeyPair.random();
        Path f = dir.resolve("acl-policy.toml");
        Files.writeString(f, "[[creator]]\naddress = \"" + a.address().toHex() + "\"\n");
        PolicyFileAclChecker policy = new PolicyFileAclChecker(f, new InMemoryKeyStorage(new NodeId(KeyPair.random().publicKey())));
        KeyCreators withPolicy = KeyServerNode.keyCreators(KeyCreators.anyone(), policy);
        assertThat(withPolicy.mayCreate(a.address())).isTrue();
        assertThat(withPolicy.mayCreate(b.address())).isFalse();
        assertThat(KeyServerNode.keyCreators(KeyCreators.only(Set.of(b.address())), policy).mayCreate(a.address())).isFalse();
        assertThat(KeyServerNode.keyCreators(KeyCreators.anyone(), new AllowAllAclChecker()).mayCreate(b.address())).isTrue();
    }

    @Test
    void sec35_contractModeAsksTheAclContractAndFailsClosedWithoutIt() throws Exception {
        KeyPair a = KeyPair.random();
        // no endpoint listens on port 1: canCreateKeys cannot be asked, so nobody may create keys
        var unreachable = new dev.secretstore.node.acl.EthCallAclChecker(new dev.secretstore.node.eth.EthRpc(
                java.net.URI.create("http://127.0.0.1:1/"), java.time.Duration.ofSeconds(1)), a.address());
        assertThat(KeyServerNode.keyCreators(KeyCreators.fromContract(), unreachable).mayCreate(a.address())).isFalse();
        // the mode alone, before the node adds the contract's decision, refuses everyone
        assertThat(KeyCreators.fromContract().mayCreate(a.address())).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KeyServerNode.keyCreators(KeyCreators.fromContract(), new AllowAllAclChecker()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("acl_contract");
    }
}
