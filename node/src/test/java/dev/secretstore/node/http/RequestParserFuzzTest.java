package dev.secretstore.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The key server's HTTP API parser under arbitrary requests (issue #17; http-api.md §3, §4). Input layout (corpus
 * {@code RequestParserFuzzTestInputs/}): the first byte's lowest bit chooses strict (Parity) routes; then
 * {@code METHOD SP PATH LF BODY} as the edge hands them over (the request line as ISO-8859-1, as Netty reads it).
 * Oracle: {@link RequestParser#parse} returns a request or {@code Invalid} (the documented 400); it never throws.
 */
class RequestParserFuzzTest {
    private static final RequestParser STRICT = new RequestParser(true);
    private static final RequestParser EXTENDED = new RequestParser(false);

    @FuzzTest
    void parse(byte[] input) {
        if (input.length == 0) return;
        int lf = indexOf(input, (byte) '\n', 1);
        String line = new String(input, 1, (lf < 0 ? input.length : lf) - 1, StandardCharsets.ISO_8859_1);
        byte[] body = lf < 0 ? new byte[0] : Arrays.copyOfRange(input, lf + 1, input.length);
        int sp = line.indexOf(' ');
        String method = sp < 0 ? line : line.substring(0, sp);
        String path = sp < 0 ? "/" : line.substring(sp + 1);
        RequestParser.Result r = ((input[0] & 1) == 0 ? EXTENDED : STRICT).parse(method, path, body);
        if (r instanceof RequestParser.Result.Ok ok) {
            assertThat(ok.request()).isNotNull();
        } else {
            assertThat(((RequestParser.Result.Invalid) r).reason()).isNotNull();
        }
    }

    private static int indexOf(byte[] a, byte b, int from) {
        for (int i = from; i < a.length; i++) if (a[i] == b) return i;
        return -1;
    }
}
