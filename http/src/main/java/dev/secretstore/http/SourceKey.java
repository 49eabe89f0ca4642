package dev.secretstore.http;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * The unit of per-source accounting on the cluster port (SEC-36) and on every HTTP listener (SEC-34): an IPv4 address, or the /64
 * prefix of an IPv6 address (one host or site usually holds a whole /64, so counting single IPv6
 * addresses would give an attacker 2^64 sources). An IPv4-mapped IPv6 address counts as its IPv4
 * address. Its text is the address, or the prefix as {@code 2001:db8:1:2::/64}.
 */
public record SourceKey(String text) {
    public static SourceKey of(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet6Address) {
            if (isV4Mapped(b)) {
                return new SourceKey(v4(Arrays.copyOfRange(b, 12, 16)));
            }
            byte[] prefix = Arrays.copyOf(Arrays.copyOf(b, 8), 16);
            try {
                return new SourceKey(InetAddress.getByAddress(prefix).getHostAddress() + "/64");
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e); // cannot happen: 16 bytes
            }
        }
        if (!(address instanceof Inet4Address)) throw new IllegalArgumentException("not an IP address: " + address);
        return new SourceKey(v4(b));
    }

    private static boolean isV4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) return false;
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }

    private static String v4(byte[] b) {
        return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
    }

    @Override
    public String toString() {
        return text;
    }
}
