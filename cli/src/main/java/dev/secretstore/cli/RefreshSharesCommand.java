package dev.secretstore.cli;

import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.protocol.session.refresh.RefreshAuthorization;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code secretstore refresh-shares}: signs a share-refresh request with the administrator key
 * ({@link RefreshAuthorization#message}, a raw signature, crypto.md §4) and sends it to one key server's
 * {@code POST /admin/refresh_shares/{signature}} (docs/availability/refresh.md), with the administrator's fresh
 * authorization (docs/auth.md §7) unless {@code --legacy-signature} or the server has no {@code GET /cluster}. The administrator key never
 * leaves this process.
 */
@Command(name = "refresh-shares", mixinStandardHelpOptions = true,
        description = {"Re-randomise the key shares (same server keys, new shares, old shares erased), signed with the administrator key.",
            "Without --key, every key the chosen server holds is refreshed.",
            "With --dev DIR, the URL and admin.key come from a './secretstore dev' directory."})
final class RefreshSharesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--key", split = ",", paramLabel = "KEY_ID", description = "server key ids to refresh (64 hex digits, 0x optional); default: every key")
    List<String> keys;

    @Option(names = "--admin-key", paramLabel = "FILE", description = "the administrator's secret key (64 hex digits; default with --dev: DIR/admin.key)")
    Path adminKey;

    @Option(names = "--dev", paramLabel = "DIR", description = "a development cluster directory (with dev.json)")
    Path dev;

    @Option(names = "--url", paramLabel = "URL", description = "the key server to send it to (default: node 0 of --dev, else http://127.0.0.1:8082)")
    String url;

    @Option(names = "--print", description = "print the request instead of sending it")
    boolean printOnly;

    @picocli.CommandLine.Mixin
    AuthorizationOptions authorization;

    @picocli.CommandLine.Mixin
    CaFileOption ca;

    @Override
    public Integer call() throws IOException, InterruptedException {
        SortedSet<H256> ids = new TreeSet<>();
        for (String k : keys == null ? List.<String>of() : keys) {
            try {
                if (!ids.add(H256.fromHex(ClientCommands.strip(k.trim())))) {
                    throw new ParameterException(spec.commandLine(), "key id given twice: " + k);
                }
            } catch (CryptoException | IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "not a key id (64 hex digits): " + k);
            }
        }
        Path keyFile = AdminRequest.keyFile(spec, adminKey, dev);
        String signature = AdminRequest.sign(keyFile, List.of(RefreshAuthorization.message(ids))).get(0);
        String body = ids.stream().map(id -> "\"0x" + id.toHex() + "\"").collect(Collectors.joining(",", "[", "]"));
        String target = AdminRequest.target(url, dev);
        HttpClient http = ca.httpClient(spec, dev);
        String header = AdminRequest.authorization(spec, authorization, http, target, keyFile, Operation.REFRESH_SHARES,
                RefreshAuthorization.message(ids));
        return AdminRequest.post(spec, http, target + "/admin/refresh_shares/" + signature, body, header, printOnly,
                "shares refreshed: " + (ids.isEmpty() ? "every key the server holds" : ids.size() + " key(s)"), "share refresh");
    }
}
