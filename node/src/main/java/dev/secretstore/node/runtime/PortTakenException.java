package dev.secretstore.node.runtime;

import java.net.BindException;
import java.net.InetSocketAddress;

/**
 * A listener of the key server could not bind its address because another process holds the port. Names the port, the
 * listener ({@link #listener()}: "HTTP API", "cluster", "ops") and the configuration options that move it
 * ({@link #options()}), so that {@code node} and {@code dev} can tell the operator what to change.
 */
public final class PortTakenException extends BindException {
    private final String listener;
    private final InetSocketAddress address;
    private final String options;

    public PortTakenException(String listener, InetSocketAddress address, String options, Throwable cause) {
        super("port " + address.getPort() + " is taken: the " + listener + " listener cannot listen on " + shown(address)
                + (cause == null || cause.getMessage() == null ? "" : " (" + rootMessage(cause) + ")"));
        this.listener = listener;
        this.address = address;
        this.options = options;
        initCause(cause);
    }

    public String listener() {
        return listener;
    }

    public int port() {
        return address.getPort();
    }

    public InetSocketAddress address() {
        return address;
    }

    /** The configuration options that move this listener, e.g. {@code [secretstore] http_interface/http_port}. */
    public String options() {
        return options;
    }

    private static String shown(InetSocketAddress a) {
        String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    private static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) r = r.getCause();
        String m = r.getMessage() == null ? t.getMessage() : r.getMessage();
        int paren = m.lastIndexOf('(');
        return paren >= 0 && m.endsWith(")") ? m.substring(paren + 1, m.length() - 1) : m;
    }
}
