package dev.secretstore.http.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;

/**
 * The edge's request parser under arbitrary bytes (issue #17): {@link RequestDecoder} with the edge's limits,
 * fed the input in two pieces (split where its first byte says), and then what {@link Exchange} reads from each
 * request head it accepts (content length, Expect, keep-alive, the headers as strings, method, target,
 * version). The oracle: nothing throws; every message is a request head or content; a head is either a success
 * or carries its failure in its decoder result (the documented way the edge learns of a bad request: 400, 414
 * or 431); a successful head has a method, a target and a version. Any exception is a finding.
 * Corpus: {@code RequestDecoderFuzzTestInputs/}; fuzzed with {@code JAZZER_FUZZ=1} (docs/testing.md, "Fuzzing").
 */
class RequestDecoderFuzzTest {
    @FuzzTest
    void decode(byte[] input) {
        RequestDecoder decoder = new RequestDecoder(ServerLimits.MAX_REQUEST_LINE, 8192);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        try {
            int split = input.length == 0 ? 0 : Math.min(input[0] & 0xFF, input.length);
            channel.writeInbound(Unpooled.wrappedBuffer(input, 0, split));
            decoder.midRequest();
            channel.writeInbound(Unpooled.wrappedBuffer(input, split, input.length - split));
            decoder.midRequest();
            channel.checkException();
            Object msg;
            while ((msg = channel.readInbound()) != null) {
                try {
                    if (msg instanceof io.netty.handler.codec.http.HttpRequest head) {
                        if (head.decoderResult().isFailure()) {
                            assertThat(head.decoderResult().cause()).isNotNull();
                            continue;
                        }
                        assertThat(head.method().name()).isNotEmpty();
                        assertThat(head.uri()).isNotNull();
                        assertThat(head.protocolVersion().text()).isNotEmpty();
                        HttpUtil.getContentLength(head, -1L);
                        HttpUtil.is100ContinueExpected(head);
                        HttpUtil.isKeepAlive(head);
                        head.headers().iteratorAsString().forEachRemaining(e -> assertThat(e.getKey()).isNotNull());
                    } else {
                        assertThat(msg).isInstanceOf(HttpContent.class);
                    }
                } finally {
                    ReferenceCountUtil.release(msg);
                }
            }
        } finally {
            channel.finishAndReleaseAll();
        }
    }
}
