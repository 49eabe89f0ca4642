package dev.secretstore.rpc;

/**
 * A JSON-RPC error object (jsonrpc.md §5). {@code data} is optional and never holds parameters,
 * passwords or keys (SEC-07).
 */
public final class RpcError extends Exception {
    private static final long serialVersionUID = 1L;

    public static final int PARSE_ERROR = -32700;
    public static final int INVALID_REQUEST = -32600;
    public static final int METHOD_NOT_FOUND = -32601;
    public static final int INVALID_PARAMS = -32602;
    public static final int ACCOUNT_ERROR = -32023;
    public static final int ENCRYPTION_ERROR = -32055;
    /** EIP-1474's "Limit exceeded". */
    public static final int LIMIT_EXCEEDED = -32005;

    private final int code;
    private final String data;

    public RpcError(int code, String message, String data) {
        super(message, null, false, false);
        this.code = code;
        this.data = data;
    }

    public int code() {
        return code;
    }

    public String data() {
        return data;
    }

    static RpcError parseError() {
        return new RpcError(PARSE_ERROR, "Parse error", null);
    }

    static RpcError invalidRequest() {
        return new RpcError(INVALID_REQUEST, "Invalid request", null);
    }

    static RpcError methodNotFound() {
        return new RpcError(METHOD_NOT_FOUND, "Method not found", null);
    }

    /** A JSON-level type error: wrong hex, wrong length, wrong count. */
    static RpcError invalidParams(String detail) {
        return new RpcError(INVALID_PARAMS, "Invalid params: " + detail + ".", null);
    }

    /** A bad parameter value (Parity's {@code errors::invalid_params(param, …)}). */
    static RpcError couldNotParse(String param, String data) {
        return new RpcError(INVALID_PARAMS, "Couldn't parse parameters: " + param, data);
    }

    static RpcError account(String message, String data) {
        return new RpcError(ACCOUNT_ERROR, message, data);
    }

    static RpcError batchTooLarge(int max) {
        return new RpcError(INVALID_REQUEST, "Invalid request", "batch of more than " + max + " calls");
    }

    static RpcError limitExceeded(String data) {
        return new RpcError(LIMIT_EXCEEDED, "Limit exceeded", data);
    }

    static RpcError encryption(String data) {
        return new RpcError(ENCRYPTION_ERROR, "Encryption error.", data);
    }
}
