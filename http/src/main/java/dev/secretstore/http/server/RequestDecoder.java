package dev.secretstore.http.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * Netty's request decoder, plus whether it holds the start of a request it has not finished: bytes of a pipelined
 * request that arrived with or behind the one being answered. {@link Exchange} uses it to give such a request the
 * header deadline rather than the (longer) idle one. Each {@code decode} call ends at most one request.
 */
final class RequestDecoder extends HttpRequestDecoder {
    private boolean midRequest;

    RequestDecoder(int maxRequestLine, int maxHeaderBytes) {
        super(new HttpDecoderConfig().setMaxInitialLineLength(maxRequestLine).setMaxHeaderSize(maxHeaderBytes).setMaxChunkSize(8192));
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        int before = out.size();
        int readerIndex = buffer.readerIndex();
        super.decode(ctx, buffer, out);
        if (out.size() > before && out.get(out.size() - 1) instanceof LastHttpContent) {
            midRequest = false;
        } else if (out.size() > before || buffer.readerIndex() != readerIndex || buffer.isReadable()) {
            midRequest = true;
        }
    }

    /** True when bytes of a request have arrived but not its end. */
    boolean midRequest() {
        return midRequest || actualReadableBytes() > 0;
    }
}
