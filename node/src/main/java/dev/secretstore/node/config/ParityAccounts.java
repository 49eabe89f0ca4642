package dev.secretstore.node.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.keystore.Keystore;
import dev.secretstore.keystore.KeystoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Parity Ethereum's account files as Parity 2.7 finds them: the keystore directory of {@code [parity]}
 * {@code base_path}, {@code keys_path} and {@code chain}, and the passwords of {@code [account] password}.
 *
 * <p>Path rules are Parity's ({@code parity/configuration.rs} {@code directories()},
 * {@code util/dir} {@code replace_home}, {@code Directories::keys_path}): {@code $HOME} and {@code $BASE}
 * are substituted; relative paths are relative to the working directory of the process (Parity resolves
 * nothing against the configuration file); the keys directory is {@code keys_path} (default
 * {@code $BASE/keys}) followed by the chain's data directory ({@code dev} → {@code DevelopmentChain},
 * {@code foundation} → {@code ethereum}, a chain specification file → its {@code dataDir} or {@code name}).
 *
 * <p>Passwords never appear in an exception or a log line.
 */
public final class ParityAccounts {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Parity's {@code SpecType::from_str} names → the built-in spec's {@code dataDir} (or its {@code name} where it has none). */
    static final Map<String, String> CHAIN_DATA_DIRS = Map.ofEntries(
            Map.entry("eth", "ethereum"), Map.entry("ethereum", "ethereum"), Map.entry("foundation", "ethereum"),
            Map.entry("mainnet", "ethereum"),
            Map.entry("etc", "classic"), Map.entry("classic", "classic"),
            Map.entry("poanet", "poacore"), Map.entry("poacore", "poacore"),
            Map.entry("xdai", "xdai"),
            Map.entry("volta", "Volta"),
            Map.entry("ewc", "EnergyWebChain"), Map.entry("energyweb", "EnergyWebChain"),
            Map.entry("musicoin", "musicoin"),
            Map.entry("ellaism", "ellaism"),
            Map.entry("mix", "MIX"),
            Map.entry("callisto", "callisto"),
            Map.entry("ethercore", "ethercore"),
            Map.entry("morden", "morden"),
            Map.entry("mordor", "mordor"), Map.entry("classic-testnet", "mordor"),
            Map.entry("ropsten", "ropsten"),
            Map.entry("kovan", "kovan"),
            Map.entry("rinkeby", "rinkeby"),
            Map.entry("goerli", "goerli"), Map.entry("görli", "goerli"), Map.entry("testnet", "goerli"),
            Map.entry("kotti", "kotti"),
            Map.entry("sokol", "poasokol"), Map.entry("poasokol", "poasokol"),
            Map.entry("evantestcore", "evan.network testcore"),
            Map.entry("evancore", "evan.network core"),
            Map.entry("dev", "DevelopmentChain"));

    /** Parity's default {@code chain}. */
    static final String DEFAULT_CHAIN = "foundation";

    /**
     * Where the process runs: its working directory, home directory and {@code XDG_DATA_HOME} (Parity's
     * default base path on Linux is {@code $XDG_DATA_HOME/io.parity.ethereum}, by default
     * {@code ~/.local/share/io.parity.ethereum}).
     */
    public record Environment(Path workingDir, Path home, Optional<Path> xdgDataHome, boolean macOs) {
        public static Environment current() {
            String xdg = System.getenv("XDG_DATA_HOME");
            Optional<Path> x = xdg == null || xdg.isBlank() || !Path.of(xdg).isAbsolute() ? Optional.empty() : Optional.of(Path.of(xdg));
            return new Environment(Path.of("").toAbsolutePath(), Path.of(System.getProperty("user.home")), x,
                    System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("mac"));
        }

        /** Parity's default base path ({@code default_data_path()}). */
        Path defaultBase() {
            if (macOs) return home.resolve("Library/Application Support/io.parity.ethereum");
            return xdgDataHome.orElse(home.resolve(".local/share")).resolve("io.parity.ethereum");
        }
    }

    private ParityAccounts() {}

    /** Parity's {@code replace_home}: {@code $HOME} and {@code $BASE} substituted; then relative to the working directory. */
    static Path resolve(String value, Path base, Environment env) {
        String s = value.replace("$HOME", env.home().toString());
        if (base != null) s = s.replace("$BASE", base.toString());
        return env.workingDir().resolve(s).normalize();
    }

    /** The base directory: {@code [parity] base_path}, or Parity's default. */
    static Path base(Optional<String> basePath, Environment env) {
        return basePath.map(b -> resolve(b, null, env)).orElse(env.defaultBase());
    }

    /**
     * The chain's data directory name: the built-in chains by Parity's names, otherwise {@code chain} names a chain
     * specification file (relative to the working directory) whose {@code dataDir}, else {@code name}, is used.
     *
     * @throws IllegalArgumentException when {@code chain} is neither
     */
    static String chainDataDir(String chain, Environment env) {
        String builtIn = CHAIN_DATA_DIRS.get(chain);
        if (builtIn != null) return builtIn;
        Path spec;
        try {
            spec = env.workingDir().resolve(chain).normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(ConfigException.quote(chain) + " is neither a chain Parity knows nor a path");
        }
        JsonNode node;
        try {
            node = JSON.readTree(spec.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(ConfigException.quote(chain) + " is neither a chain Parity knows (dev, foundation, "
                    + "kovan, ...) nor a readable chain specification file (" + spec + ")");
        }
        for (String field : List.of("dataDir", "name")) {
            JsonNode v = node == null ? null : node.get(field);
            if (v != null && v.isTextual() && !v.textValue().isBlank()) return v.textValue();
        }
        throw new IllegalArgumentException("the chain specification " + spec + " has neither \"dataDir\" nor \"name\"");
    }

    /** Parity's keys directory: {@code keys_path} (default {@code $BASE/keys}) / the chain's data directory. */
    static Path keysDirectory(Optional<String> basePath, Optional<String> keysPath, String chain, Environment env) {
        Path base = base(basePath, env);
        return resolve(keysPath.orElse("$BASE/keys"), base, env).resolve(chainDataDir(chain, env));
    }

    /** {@code [account] password} files, resolved as Parity does ({@code $HOME}, {@code $BASE}, working directory). */
    static List<Path> passwordFiles(List<String> files, Optional<String> basePath, Environment env) {
        Path base = base(basePath, env);
        List<Path> out = new ArrayList<>();
        for (String f : files) out.add(resolve(f, base, env));
        return out;
    }

    /**
     * Every line of every file, trimmed, in order (Parity's {@code passwords_from_files}).
     *
     * @throws IOException naming the file that cannot be read (never its content)
     */
    static List<String> passwords(List<Path> files) throws IOException {
        List<String> out = new ArrayList<>();
        for (Path f : files) {
            List<String> lines;
            try {
                lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IOException(f + ": unable to read password file (" + e.getClass().getSimpleName()
                        + "); ensure it exists and permissions are correct");
            }
            for (String line : lines) out.add(line.strip());
        }
        return out;
    }

    /**
     * The key of {@code account} from {@code keystore}, unlocked with the first of {@code passwords} that works.
     *
     * @throws IllegalArgumentException naming the account (and the directory) when it has no file there, no
     *                                  password is given, or none works
     */
    static KeyPair unlock(Keystore keystore, Address account, List<String> passwords) {
        if (keystore.fileOf(account).isEmpty()) {
            throw new IllegalArgumentException("account " + account.toHex() + " passed as the node key is not found: no "
                    + "keystore file for it in " + keystore.dir());
        }
        if (passwords.isEmpty()) {
            throw new IllegalArgumentException("no password found for the node account " + account.toHex()
                    + ": list files holding its password in [account] password");
        }
        for (String password : passwords) {
            try {
                return keystore.unlock(account, password);
            } catch (KeystoreException e) {
                if (e.reason() != KeystoreException.Reason.WRONG_PASSWORD) {
                    throw new IllegalArgumentException("the keystore file of account " + account.toHex() + " ("
                            + keystore.fileOf(account).map(Path::toString).orElse("?") + ") cannot be used: " + e.getMessage());
                }
            }
        }
        throw new IllegalArgumentException("no valid password for the node account " + account.toHex() + ": none of the "
                + passwords.size() + " password(s) in the [account] password files unlocks its keystore file "
                + keystore.fileOf(account).map(Path::toString).orElse(""));
    }
}
