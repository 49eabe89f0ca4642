package dev.secretstore.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** test-vectors.md A.7 (Parity parse_request_successful / parse_request_failed) plus the project's additions (http-api.md §12.2). */
class RequestParserTest {
    static final String ID = "0000000000000000000000000000000000000000000000000000000000000001";
    static final String SIG = "a199fb39e11eefb61c78a4074a53c0d4424600a3e74aad4fb9d93a26c30d067e1d4d29936de0c73f19827394a1dd049480a0d581aee7ae7546968da7d3d1c2fd01";
    static final String H = "281b6bf43cb86d0dc7b98e1b7def4a80f3ce16d28d2308f934f116767306f06c";
    // The A.7 store vector abbreviates its points; these are the complete A.1 node ids, valid points.
    static final String P1 = "843645726384530ffb0c52f175278143b5a93959af7864460f5a4fec9afd1450cfb8aef63dec90657f43f55b13e0a73c7524d4e9a13c051b4e5f1e53f39ecd91";
    static final String P2 = "07230e34ebfe41337d3ed53b186b3861751f2401ee74b988bba55694e2a6f60c757677e194be2e53c3523cc8548694e636e6acb35c4e8fdc5e29d28679b9b2f3";

    private final RequestParser parser = new RequestParser(false);
    private final RequestParser strict = new RequestParser(true);

    private ApiRequest ok(RequestParser p, String method, String path, String body) {
        RequestParser.Result r = p.parse(method, path, body.getBytes(StandardCharsets.UTF_8));
        assertThat(r).as(method + " " + path).isInstanceOf(RequestParser.Result.Ok.class);
        return ((RequestParser.Result.Ok) r).request();
    }

    private ApiRequest ok(String method, String path) {
        return ok(parser, method, path, "");
    }

    private void invalid(RequestParser p, String method, String path, String body) {
        assertThat(p.parse(method, path, body.getBytes(StandardCharsets.UTF_8))).as(method + " " + path)
                .isInstanceOf(RequestParser.Result.Invalid.class);
    }

    private void invalid(String method, String path) {
        invalid(parser, method, path, "");
        invalid(strict, method, path, "");
    }

    private static RawSignature sig() {
        return RawSignature.of(dev.secretstore.crypto.Hex.decode(SIG));
    }

    @Test
    void vectorA7_generateServerKey() {
        assertThat(ok("POST", "/shadow/" + ID + "/" + SIG + "/2"))
                .isEqualTo(new ApiRequest.GenerateServerKey(H256.fromHex(ID), sig(), 2));
    }

    @Test
    void vectorA7_storeDocumentKey() {
        assertThat(ok("POST", "/shadow/" + ID + "/" + SIG + "/" + P1 + "/" + P2))
                .isEqualTo(new ApiRequest.StoreDocumentKey(H256.fromHex(ID), sig(), PublicPoint.fromHex(P1), PublicPoint.fromHex(P2)));
    }

    @Test
    void vectorA7_generateServerAndDocumentKey() {
        assertThat(ok("POST", "/" + ID + "/" + SIG + "/2"))
                .isEqualTo(new ApiRequest.GenerateDocumentKey(H256.fromHex(ID), sig(), 2));
    }

    @Test
    void vectorA7_retrieveServerKey() {
        assertThat(ok("GET", "/server/" + ID + "/" + SIG)).isEqualTo(new ApiRequest.RetrieveServerKey(H256.fromHex(ID), sig()));
    }

    @Test
    void vectorA7_retrieveDocumentKey() {
        assertThat(ok("GET", "/" + ID + "/" + SIG)).isEqualTo(new ApiRequest.RetrieveDocumentKey(H256.fromHex(ID), sig()));
    }

    @Test
    void vectorA7_percentDecodedBeforeSplitting() {
        assertThat(ok("GET", "/%30000000000000000000000000000000000000000000000000000000000000001/" + SIG))
                .isEqualTo(new ApiRequest.RetrieveDocumentKey(H256.fromHex(ID), sig()));
        // %2F acts as a separator because decoding happens before splitting.
        assertThat(ok("GET", "/shadow%2F" + ID + "/" + SIG))
                .isEqualTo(new ApiRequest.RetrieveDocumentKeyShadows(H256.fromHex(ID), sig()));
    }

    @Test
    void vectorA7_retrieveShadows() {
        assertThat(ok("GET", "/shadow/" + ID + "/" + SIG)).isEqualTo(new ApiRequest.RetrieveDocumentKeyShadows(H256.fromHex(ID), sig()));
    }

    @Test
    void vectorA7_schnorrAndEcdsa() {
        assertThat(ok("GET", "/schnorr/" + ID + "/" + SIG + "/" + H))
                .isEqualTo(new ApiRequest.SchnorrSign(H256.fromHex(ID), sig(), H256.fromHex(H)));
        assertThat(ok("GET", "/ecdsa/" + ID + "/" + SIG + "/" + H))
                .isEqualTo(new ApiRequest.EcdsaSign(H256.fromHex(ID), sig(), H256.fromHex(H)));
    }

    @Test
    void vectorA7_serversSetChange() {
        ApiRequest r = ok(parser, "POST", "/admin/servers_set_change/" + SIG + "/" + SIG,
                "[\"0x" + P1 + "\",\"0x" + P2 + "\",\"0x" + P1 + "\"]");
        assertThat(r).isEqualTo(new ApiRequest.ServersSetChange(sig(), sig(), Set.of(PublicPoint.fromHex(P1), PublicPoint.fromHex(P2))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "/shadow", "///2", "/shadow///2", "/" + ID, "/" + ID + "/", "/a/b",
        "/schnorr/" + ID + "/" + SIG + "/" + H + "/" + H, "/ecdsa/" + ID + "/" + SIG + "/" + H + "/" + H})
    void vectorA7_invalidPaths(String path) {
        invalid("GET", path);
        invalid("POST", path);
    }

    @Test
    void vectorA7_invalidAdminRequests() {
        String body = "[\"0x" + P1 + "\"]";
        invalid(parser, "POST", "/admin/servers_set_change/xxx/yyy", body);
        invalid(parser, "POST", "/admin/servers_set_change/" + SIG + "/" + SIG, "");
        invalid(parser, "GET", "/admin/servers_set_change/" + SIG + "/" + SIG, body);
        invalid(parser, "POST", "/admin/other/" + SIG + "/" + SIG, body);
        invalid(parser, "POST", "/admin/servers_set_change/" + SIG + "/" + SIG, "{}");
        invalid(parser, "POST", "/admin/servers_set_change/" + SIG + "/" + SIG, "[\"" + P1 + "\"]"); // 0x required
        invalid(parser, "POST", "/admin/servers_set_change/" + SIG + "/" + SIG, "[\"0x" + "00".repeat(64) + "\"]"); // SEC-01
        invalid(parser, "POST", "/admin/servers_set_change/" + SIG + "/" + SIG, "[1]");
    }

    /** Extension route of the share refresh (docs/availability/refresh.md): off in parity_strict mode. */
    @Test
    void refreshSharesRouteIsAnExtension() {
        String path = "/admin/refresh_shares/" + SIG;
        assertThat(ok(parser, "POST", path, "")).isEqualTo(new ApiRequest.RefreshShares(sig(), List.of()));
        assertThat(ok(parser, "POST", path, "[]")).isEqualTo(new ApiRequest.RefreshShares(sig(), List.of()));
        assertThat(ok(parser, "POST", path, "[\"0x" + ID + "\",\"0x" + H + "\"]"))
                .isEqualTo(new ApiRequest.RefreshShares(sig(), List.of(H256.fromHex(ID), H256.fromHex(H))));
        invalid(strict, "POST", path, "");
        invalid(strict, "POST", path, "[\"0x" + ID + "\"]");
        invalid(parser, "GET", path, "");
        invalid(parser, "POST", "/admin/refresh_shares/xyz", "");
        invalid(parser, "POST", path + "/" + SIG, "");
        invalid(parser, "POST", path, "{}");
        invalid(parser, "POST", path, "[\"" + ID + "\"]"); // 0x required
        invalid(parser, "POST", path, "[\"0x" + ID + "\",\"0x" + ID + "\"]"); // duplicate
        invalid(parser, "POST", path, "[1]");
    }

    @Test
    void methodsOtherThanGetAndPostAreInvalid() {
        for (String m : new String[] {"PUT", "HEAD", "DELETE", "OPTIONS", "PATCH"}) {
            invalid(m, "/shadow/" + ID + "/" + SIG);
        }
        invalid("GET", "/shadow/" + ID + "/" + SIG + "/2"); // generation is POST only
        invalid("POST", "/server/" + ID + "/" + SIG);
        invalid("POST", "/schnorr/" + ID + "/" + SIG + "/" + H);
    }

    @Test
    void prefixedArgumentsAreAnExtensionOffInStrictMode() {
        String path = "/shadow/0x" + ID + "/0X" + SIG + "/0x" + P1 + "/0x" + P2;
        assertThat(ok(parser, "POST", path, "")).isInstanceOf(ApiRequest.StoreDocumentKey.class);
        invalid(strict, "POST", path, "");
        assertThat(ok(strict, "GET", "/shadow/" + ID + "/" + SIG, "")).isInstanceOf(ApiRequest.RetrieveDocumentKeyShadows.class);
        assertThat(ok("GET", "/schnorr/" + ID + "/" + SIG + "/0x" + H)).isInstanceOf(ApiRequest.SchnorrSign.class);
    }

    @Test
    void hexIsCaseInsensitiveAndQueryIgnored() {
        assertThat(ok("GET", "/shadow/" + ID.toUpperCase() + "/" + SIG.toUpperCase() + "?x=1"))
                .isEqualTo(new ApiRequest.RetrieveDocumentKeyShadows(H256.fromHex(ID), sig()));
    }

    @Test
    void offCurveStorePointIsInvalidInBothModes() { // SEC-01, http-api.md §4 [fix]
        String bad = P1.substring(0, 127) + (P1.charAt(127) == '0' ? '1' : '0');
        invalid("POST", "/shadow/" + ID + "/" + SIG + "/" + bad + "/" + P2);
        invalid("POST", "/shadow/" + ID + "/" + SIG + "/" + "00".repeat(64) + "/" + P2);
    }

    @Test
    void thresholdIsUnsignedDecimalUpTo64Bits() {
        String base = "/shadow/" + ID + "/" + SIG + "/";
        assertThat(((ApiRequest.GenerateServerKey) ok("POST", base + "0")).threshold()).isZero();
        assertThat(((ApiRequest.GenerateServerKey) ok("POST", base + "18446744073709551615")).threshold()).isEqualTo(-1L);
        for (String t : new String[] {"undefined", "-1", "+1", "1.0", " 1", "18446744073709551616", "0x1", "１"}) {
            invalid("POST", base + t);
        }
    }

    @Test
    void wrongLengthsAndNonHexAreInvalid() {
        invalid("GET", "/shadow/" + ID.substring(1) + "/" + SIG);
        invalid("GET", "/shadow/" + ID + "0/" + SIG);
        invalid("GET", "/shadow/" + ID + "/" + SIG.substring(2));
        invalid("GET", "/shadow/" + ID.replace('0', 'g') + "/" + SIG);
        invalid("GET", "/shadow/%ZZ" + ID + "/" + SIG);
        invalid("GET", "/shadow/%C3%28/" + SIG); // invalid UTF-8
    }

    @Test
    void oversizedBodyIsInvalid() {
        byte[] big = new byte[RequestParser.MAX_BODY_BYTES + 1];
        assertThat(parser.parse("POST", "/shadow/" + ID + "/" + SIG + "/1", big)).isInstanceOf(RequestParser.Result.Invalid.class);
    }
}
