package dev.secretstore.node.config;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Parity 2.7's JSON-RPC API sets ({@code parity/rpc_apis.rs}, {@code ApiSet::from_str}, {@code list_apis}): the
 * entries of {@code [rpc] apis} are applied left to right; {@code "all"} adds every API (the secretstore API
 * among them), {@code "safe"} adds the APIs safe over HTTP (not secretstore), {@code "-name"} removes one, any
 * other entry must be an API name. Parity refuses to start on an unknown name, and so does the node.
 */
public final class ParityRpcApis {
    /** Parity's API names ({@code Api::from_str}); {@code shh}/{@code shh_pubsub} are accepted and ignored there. */
    static final Set<String> NAMES = Set.of("debug", "eth", "net", "parity", "parity_accounts", "parity_pubsub",
            "parity_set", "personal", "private", "pubsub", "rpc", "secretstore", "signer", "traces", "web3",
            "parity_transactions_pool", "shh", "shh_pubsub");

    /** {@code ApiSet::All}. */
    static final List<String> ALL = List.of("web3", "net", "eth", "pubsub", "parity", "rpc", "private", "debug", "traces",
            "parity_pubsub", "parity_accounts", "parity_set", "signer", "personal", "secretstore", "parity_transactions_pool");

    /** {@code ApiSet::UnsafeContext}, what {@code "safe"} stands for. */
    static final List<String> SAFE = List.of("web3", "net", "eth", "pubsub", "parity", "rpc", "private", "traces",
            "parity_pubsub", "parity_transactions_pool");

    /** Parity's default {@code --jsonrpc-apis}. */
    static final List<String> DEFAULT = List.of("web3", "eth", "pubsub", "net", "parity", "private", "parity_pubsub",
            "traces", "rpc", "parity_transactions_pool");

    public static final String SECRETSTORE = "secretstore";

    private ParityRpcApis() {}

    /**
     * The APIs {@code entries} select.
     *
     * @throws IllegalArgumentException naming an entry that is not an API name, set or removal of one
     */
    public static Set<String> resolve(List<String> entries) {
        Set<String> apis = new LinkedHashSet<>();
        for (String entry : entries) {
            switch (entry) {
                case "all" -> apis.addAll(ALL);
                case "safe" -> apis.addAll(SAFE);
                default -> {
                    boolean remove = entry.startsWith("-");
                    String name = remove ? entry.substring(1) : entry;
                    if (!NAMES.contains(name)) {
                        throw new IllegalArgumentException("unknown API " + ConfigException.quote(entry) + "; expected "
                                + "\"all\", \"safe\", an API name (" + String.join(", ", NAMES.stream().sorted().toList())
                                + ") or one prefixed with \"-\" to remove it, as in Parity");
                    }
                    if (remove) apis.remove(name);
                    else apis.add(name);
                }
            }
        }
        return apis;
    }

    /** True when {@code entries} select the secretstore API. */
    public static boolean servesSecretStore(List<String> entries) {
        return resolve(entries).contains(SECRETSTORE);
    }
}
