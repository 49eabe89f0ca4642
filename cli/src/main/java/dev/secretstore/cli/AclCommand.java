package dev.secretstore.cli;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.cli.eth.AclContract;
import dev.secretstore.node.eth.EthRpc;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code secretstore acl deploy | grant | revoke | check | owner}: the SecretStoreAcl contract
 * (contracts/SecretStoreAcl.sol) on any Ethereum JSON-RPC endpoint. Transactions are signed locally
 * with the key file's account (legacy, EIP-155) and sent with {@code eth_sendRawTransaction}.
 */
@Command(name = "acl", mixinStandardHelpOptions = true,
        description = "Deploy the ACL contract and grant, revoke or check permissions on a chain.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {AclCommand.Deploy.class, AclCommand.Grant.class, AclCommand.Revoke.class, AclCommand.Check.class,
            AclCommand.Owner.class, AclCommand.AddressOf.class})
public final class AclCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("error: an acl command is required (deploy, grant, revoke, check, owner, address)");
        spec.commandLine().usage(spec.commandLine().getErr());
        return Main.USAGE;
    }

    /** Options every acl command takes. */
    static final class Endpoint {
        @Option(names = "--rpc", required = true, paramLabel = "URL", description = "Ethereum JSON-RPC endpoint, e.g. http://127.0.0.1:8545")
        URI rpc;

        @Option(names = "--timeout-ms", defaultValue = "10000", paramLabel = "MS", description = "JSON-RPC timeout (default ${DEFAULT-VALUE})")
        int timeoutMs;

        AclContract contract() {
            return new AclContract(new EthRpc(rpc, Duration.ofMillis(timeoutMs)));
        }
    }

    static KeyPair account(Path keyFile) throws IOException {
        SecretScalar s = ClientCommands.readKeyFile(keyFile);
        byte[] b = s.toBytes();
        try {
            return KeyPair.fromSecretBytes(b);
        } finally {
            java.util.Arrays.fill(b, (byte) 0);
            s.destroy();
        }
    }

    static String hex(Address a) {
        return "0x" + dev.secretstore.crypto.Hex.encode(a.toBytes());
    }

    static H256 document(String keyId) {
        return H256.fromHex(ClientCommands.strip(keyId));
    }

    static Address address(String a) {
        return Address.fromHex(ClientCommands.strip(a));
    }

    @Command(name = "deploy", mixinStandardHelpOptions = true, description = "Deploy the committed SecretStoreAcl bytecode; prints its address.")
    static final class Deploy implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Endpoint endpoint;
        @Option(names = "--key-file", required = true, paramLabel = "FILE", description = "secret key (64 hex digits) of the paying account")
        Path keyFile;

        @Override
        public Integer call() throws IOException {
            KeyPair from = account(keyFile);
            try {
                spec.commandLine().getOut().println(hex(endpoint.contract().deploy(from)));
            } finally {
                from.destroy();
            }
            return Main.OK;
        }
    }

    abstract static class Change implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Endpoint endpoint;
        @Option(names = "--key-file", required = true, paramLabel = "FILE", description = "secret key (64 hex digits) of the document's owner")
        Path keyFile;
        @Option(names = "--contract", required = true, paramLabel = "ADDRESS", description = "ACL contract address")
        String contract;
        @Option(names = "--key-id", required = true, paramLabel = "HEX", description = "server key id (the document)")
        String keyId;
        @Option(names = "--user", required = true, paramLabel = "ADDRESS", description = "the account to grant or revoke")
        String user;

        abstract H256 apply(AclContract acl, KeyPair from, Address contract, H256 document, Address user);

        @Override
        public Integer call() throws IOException {
            KeyPair from = account(keyFile);
            try {
                spec.commandLine().getOut().println(apply(endpoint.contract(), from, address(contract), document(keyId), address(user)).toHex());
            } finally {
                from.destroy();
            }
            return Main.OK;
        }
    }

    @Command(name = "grant", mixinStandardHelpOptions = true,
            description = "Allow --user to retrieve the key (the first grant on a key makes the sender its owner); prints the tx hash.")
    static final class Grant extends Change {
        @Override
        H256 apply(AclContract acl, KeyPair from, Address contract, H256 document, Address user) {
            return acl.grant(from, contract, document, user);
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Withdraw a grant (owner only); prints the tx hash.")
    static final class Revoke extends Change {
        @Override
        H256 apply(AclContract acl, KeyPair from, Address contract, H256 document, Address user) {
            return acl.revoke(from, contract, document, user);
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "checkPermissions(user, key id) at the latest block; prints true or false, exit 0 either way.")
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Endpoint endpoint;
        @Option(names = "--contract", required = true, paramLabel = "ADDRESS", description = "ACL contract address")
        String contract;
        @Option(names = "--key-id", required = true, paramLabel = "HEX", description = "server key id (the document)")
        String keyId;
        @Option(names = "--user", required = true, paramLabel = "ADDRESS", description = "the account to check")
        String user;

        @Override
        public Integer call() {
            spec.commandLine().getOut().println(endpoint.contract().check(address(contract), address(user), document(keyId)));
            return Main.OK;
        }
    }

    @Command(name = "owner", mixinStandardHelpOptions = true, description = "The key's owner on the contract (zero address if none).")
    static final class Owner implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Endpoint endpoint;
        @Option(names = "--contract", required = true, paramLabel = "ADDRESS", description = "ACL contract address")
        String contract;
        @Option(names = "--key-id", required = true, paramLabel = "HEX", description = "server key id (the document)")
        String keyId;

        @Override
        public Integer call() {
            spec.commandLine().getOut().println(hex(endpoint.contract().owner(address(contract), document(keyId))));
            return Main.OK;
        }
    }

    @Command(name = "address", mixinStandardHelpOptions = true, description = "Print the Ethereum address of a key file's account.")
    static final class AddressOf implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Option(names = "--key-file", required = true, paramLabel = "FILE", description = "secret key (64 hex digits)")
        Path keyFile;

        @Override
        public Integer call() throws IOException {
            KeyPair k = account(keyFile);
            try {
                spec.commandLine().getOut().println(hex(k.address()));
            } finally {
                k.destroy();
            }
            return Main.OK;
        }
    }
}
