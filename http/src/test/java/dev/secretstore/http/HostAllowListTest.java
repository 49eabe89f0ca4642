package dev.secretstore.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SEC-37: the Host allow-list against DNS rebinding, as a pure function of the setting, the header and the bound address. */
class HostAllowListTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 8082);
    private static final InetSocketAddress LAN = new InetSocketAddress("10.0.0.5", 8082);
    private static final InetSocketAddress WILDCARD = new InetSocketAddress("0.0.0.0", 8082);
    private final HostAllowList defaults = HostAllowList.defaults();

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "localhost:8082", "LocalHost", "LOCALHOST:8082", "localhost.", "localhost.:8082",
        "127.0.0.1", "127.0.0.1:8082", "127.1.2.3", "[::1]", "[::1]:8082", "[0:0:0:0:0:0:0:1]:8082", "[::ffff:127.0.0.1]"})
    void sec37_defaultsAllowLocalhostAndLoopbackLiteralsWithOrWithoutTheBoundPort(String host) {
        assertThat(defaults.allows(host, LOOPBACK)).isTrue();
        assertThat(defaults.allows(host, LAN)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil.example", "evil.example:8082", "EVIL.example.", "localhost.evil.example", "evil-localhost",
        "localhost:8083", "127.0.0.1:9999", "[::1]:1", "10.0.0.6", "[::2]", "::1", "[::1", "[::1]x", "localhost:", "localhost:99999",
        "localhost:+80", "", " ", "local host", "*", "[evil.example]", "127.0.0.1:8082:8082", "user@localhost"})
    void sec37_defaultsRefuseOtherHostsAndMalformedValues(String host) {
        assertThat(defaults.allows(host, LOOPBACK)).isFalse();
    }

    @Test
    void sec37_theBoundIpLiteralIsAllowedWithItsPortOnly() {
        assertThat(defaults.allows("10.0.0.5", LAN)).isTrue();
        assertThat(defaults.allows("10.0.0.5:8082", LAN)).isTrue();
        assertThat(defaults.allows("10.0.0.5:8083", LAN)).isFalse();
        assertThat(defaults.allows("10.0.0.5", LOOPBACK)).isFalse();
        InetSocketAddress v6 = new InetSocketAddress("fd00::5", 8082);
        assertThat(defaults.allows("[fd00::5]:8082", v6)).isTrue();
        assertThat(defaults.allows("[FD00:0:0::5]", v6)).isTrue();
        assertThat(defaults.allows("[fd00::6]", v6)).isFalse();
    }

    @Test
    void sec37_aWildcardBindAllowsEveryIpLiteralButNoName() {
        assertThat(defaults.allows("10.0.0.5:8082", WILDCARD)).isTrue();
        assertThat(defaults.allows("[2001:db8::1]", WILDCARD)).isTrue();
        assertThat(defaults.allows("localhost", WILDCARD)).isTrue();
        assertThat(defaults.allows("evil.example", WILDCARD)).isFalse();
        assertThat(defaults.allows("10.0.0.5:1234", WILDCARD)).isFalse();
    }

    @Test
    void sec37_configuredNamesAreAddedCaseInsensitivelyWithOptionalPort() {
        HostAllowList list = HostAllowList.of(List.of("KeyServer.Example.", "proxy.example:443", "[fd00::7]", "192.168.1.9:80"));
        assertThat(list.allows("keyserver.example", LOOPBACK)).isTrue();
        assertThat(list.allows("KEYSERVER.EXAMPLE.:1234", LOOPBACK)).isTrue();
        assertThat(list.allows("proxy.example:443", LOOPBACK)).isTrue();
        assertThat(list.allows("proxy.example", LOOPBACK)).isFalse();
        assertThat(list.allows("proxy.example:8443", LOOPBACK)).isFalse();
        assertThat(list.allows("[fd00:0::7]:9", LOOPBACK)).isTrue();
        assertThat(list.allows("192.168.1.9:80", LOOPBACK)).isTrue();
        assertThat(list.allows("192.168.1.9", LOOPBACK)).isFalse();
        assertThat(list.allows("localhost:8082", LOOPBACK)).isTrue();
        assertThat(list.allows("sub.keyserver.example", LOOPBACK)).isFalse();
        assertThat(list.allows("evil.example", LOOPBACK)).isFalse();
    }

    @Test
    void sec37_starAloneAllowsEveryHostIncludingNone() {
        HostAllowList any = HostAllowList.of(List.of("*"));
        assertThat(any.isAny()).isTrue();
        assertThat(any.allows("evil.example", LOOPBACK)).isTrue();
        assertThat(any.admits(List.of(), "HTTP/1.1", LOOPBACK)).isTrue();
        assertThat(HostAllowList.parse(" * ").isAny()).isTrue();
    }

    @Test
    void sec37_missingHostIsRefusedOnHttp11AndSeveralHostsAlways() {
        assertThat(defaults.admits(List.of(), "HTTP/1.1", LOOPBACK)).isFalse();
        assertThat(defaults.admits(null, "HTTP/1.1", LOOPBACK)).isFalse();
        assertThat(defaults.admits(List.of(), "HTTP/1.0", LOOPBACK)).isTrue();
        assertThat(defaults.admits(List.of("localhost", "localhost"), "HTTP/1.1", LOOPBACK)).isFalse();
        assertThat(defaults.admits(List.of("localhost:8082"), "HTTP/1.1", LOOPBACK)).isTrue();
        assertThat(defaults.admits(List.of("evil.example"), "HTTP/1.0", LOOPBACK)).isFalse();
    }

    @Test
    void sec37_badEntriesAreRefusedWithTheirName() {
        assertThatThrownBy(() -> HostAllowList.of(List.of("ok.example", "bad host")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"bad host\"");
        assertThatThrownBy(() -> HostAllowList.of(List.of("*", "a.example")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only entry");
        assertThatThrownBy(() -> HostAllowList.of(List.of("::1"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HostAllowList.of(List.of("*.example"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HostAllowList.of(List.of("a.example:70000"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HostAllowList.parse("a.example, http://b.example")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sec37_refusalBodyIsPlainTextNotAParityJsonAnswer() {
        assertThat(new String(HostAllowList.REFUSED_BODY, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("Host not allowed\n");
        assertThat(HostAllowList.REFUSED_CONTENT_TYPE).startsWith("text/plain");
        assertThat(HostAllowList.REFUSED_STATUS).isEqualTo(403);
    }
}
