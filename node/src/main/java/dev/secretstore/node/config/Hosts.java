package dev.secretstore.node.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** Host syntax without any name resolution: configuration loading never touches DNS. */
final class Hosts {
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

    private Hosts() {}

    static boolean isIpv4(String s) {
        return IPV4.matcher(s).matches();
    }

    /** An IPv6 literal without brackets. Parsed by the JDK, which does not resolve strings holding ':'. */
    static boolean isIpv6(String s) {
        if (s.indexOf(':') < 0 || !s.matches("[0-9A-Fa-f:.]+")) return false;
        try {
            InetAddress.getByName(s);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    static boolean isIpLiteral(String s) {
        return isIpv4(s) || isIpv6(s);
    }

    /** A DNS host name (RFC 1123 labels), not all-numeric. */
    static boolean isHostName(String s) {
        if (s.isEmpty() || s.length() > 253) return false;
        String[] labels = s.endsWith(".") ? s.substring(0, s.length() - 1).split("\\.", -1) : s.split("\\.", -1);
        for (String l : labels) {
            if (!LABEL.matcher(l).matches()) return false;
        }
        return !labels[labels.length - 1].matches("\\d+");
    }

    /** The address of a literal already validated by {@link #isIpLiteral}. */
    static InetAddress literal(String ip) {
        if (!isIpLiteral(ip)) throw new IllegalArgumentException("not an IP literal: " + ip);
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP literal: " + ip, e);
        }
    }
}
