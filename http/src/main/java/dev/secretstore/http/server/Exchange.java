package dev.secretstore.http.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One connection's exchanges: assembles a request from the decoder's parts, runs the handler off the event loop,
 * writes exactly one response per request, and keeps the connection's deadline. All state is touched on the
 * connection's event loop only. Phases and their deadlines ({@link ServerLimits}): {@code HEADERS} (from connect,
 * from the first byte after a keep-alive pause, or from the end of the previous response when bytes of the next
 * request came before it, until the headers are complete: header timeout), {@code BODY} (body timeout),
 * {@code HANDLING} (none: the handler's own deadlines apply; the connection is not read meanwhile),
 * {@code WRITING} (body timeout) and {@code IDLE} (idle timeout). A deadline that passes closes the connection.
 * A request refused before its handler (400, 413, 414, 431, 503) is answered and the connection closed.
 */
final class Exchange extends ChannelDuplexHandler {
    private static final Logger LOG = Logger.getLogger(Exchange.class.getName());
    /** HTTP's IMF-fixdate ({@code Sun, 06 Nov 1994 08:49:37 GMT}): two-digit day, unlike RFC_1123_DATE_TIME. */
    static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);

    enum Phase { HEADERS, BODY, HANDLING, WRITING, IDLE, CLOSED }

    private final EdgeServer server;
    private final boolean secure;
    private final RequestDecoder decoder;
    private ChannelHandlerContext ctx;
    private Phase phase = Phase.HEADERS;
    private ScheduledFuture<?> deadline;
    /** The request being received: its head, and its body so far. */
    private io.netty.handler.codec.http.HttpRequest head;
    private CompositeByteBuf body;
    /** The request being answered is a HEAD: its response goes out without the body (Content-Length kept). */
    private boolean answeringHead;
    /** Parts of a pipelined request that arrived while one was being handled, replayed after its response. */
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();

    /** {@code decoder} is the one in front of this exchange on the same channel. */
    Exchange(EdgeServer server, boolean secure, RequestDecoder decoder) {
        this.server = server;
        this.secure = secure;
        this.decoder = decoder;
    }

    /** The handler placed before the decoder: any byte after a keep-alive pause starts the header deadline. */
    ChannelInboundHandlerAdapter bytesIn() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext c, Object msg) {
                if (phase == Phase.IDLE && msg instanceof ByteBuf b && b.isReadable()) enter(Phase.HEADERS);
                c.fireChannelRead(msg);
            }
        };
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        enter(Phase.HEADERS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (busy()) {
            waiting.add(msg);
            return;
        }
        receive(msg);
    }

    private void receive(Object msg) {
        try {
            if (phase == Phase.CLOSED) return;
            if (msg instanceof io.netty.handler.codec.http.HttpRequest request) {
                if (!start(request)) return;
            }
            if (msg instanceof HttpContent content && head != null) {
                if (content.decoderResult().isFailure()) {
                    refuse(HttpResponseStatus.BAD_REQUEST); // a malformed chunk: the body so far is not the body
                    return;
                }
                ByteBuf chunk = content.content();
                if (body.readableBytes() + chunk.readableBytes() > server.limits().maxBodyBytes()) {
                    refuse(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
                    return;
                }
                if (chunk.isReadable()) body.addComponent(true, chunk.retain());
                if (content instanceof LastHttpContent) dispatch();
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** A request head arrived: check it, and start on its body. False when it was refused. */
    private boolean start(io.netty.handler.codec.http.HttpRequest request) {
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            refuse(cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException
                    ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE : HttpResponseStatus.BAD_REQUEST);
            return false;
        }
        long declared = HttpUtil.getContentLength(request, -1L);
        if (declared > server.limits().maxBodyBytes()) {
            refuse(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
            return false;
        }
        head = request;
        body = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
        enter(Phase.BODY);
        if (HttpUtil.is100ContinueExpected(request)) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
        }
        return true;
    }

    /** The whole request is in: hand it to the handler threads. */
    private void dispatch() {
        enter(Phase.HANDLING);
        ctx.channel().config().setAutoRead(false);
        server.requests.incrementAndGet();
        byte[] bytes = new byte[body.readableBytes()];
        body.readBytes(bytes);
        body.release();
        body = null;
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        head.headers().iteratorAsString().forEachRemaining(e -> headers.add(Map.entry(e.getKey(), e.getValue())));
        boolean keepAlive = HttpUtil.isKeepAlive(head);
        answeringHead = HttpMethod.HEAD.equals(head.method());
        HttpRequest request = new HttpRequest(head.method().name(), head.uri(), head.protocolVersion().text(), RequestHeaders.of(headers),
                bytes, (InetSocketAddress) ctx.channel().remoteAddress(), (InetSocketAddress) ctx.channel().localAddress(), secure);
        head = null;
        try {
            server.handlers().execute(() -> run(request, keepAlive));
        } catch (RejectedExecutionException e) {
            server.busy.incrementAndGet();
            respond(HttpResponse.of(503).with("Retry-After", "1"), false);
        }
    }

    /** On a handler thread: runs the handler; whatever it does, exactly one response goes back to the event loop. */
    private void run(HttpRequest request, boolean keepAlive) {
        CompletionStage<HttpResponse> stage;
        try {
            stage = server.handler().handle(request);
            if (stage == null) throw new NullPointerException("handler returned no stage");
        } catch (Throwable e) {
            LOG.log(Level.WARNING, server.name() + ": handler failed on " + request.method() + " (request not logged)", e);
            stage = CompletableFuture.completedFuture(HttpResponse.of(500));
        }
        stage.whenComplete((response, error) -> {
            HttpResponse r = response;
            if (error != null || r == null) {
                LOG.log(Level.WARNING, server.name() + ": request failed (request not logged)", error);
                r = HttpResponse.of(500);
            }
            HttpResponse out = r;
            ctx.executor().execute(() -> respond(out, keepAlive));
        });
    }

    /** Answers a request that is refused before its handler runs, and closes the connection after the answer. */
    private void refuse(HttpResponseStatus status) {
        head = null;
        answeringHead = false;
        if (body != null) {
            body.release();
            body = null;
        }
        ctx.channel().config().setAutoRead(false);
        respond(HttpResponse.of(status.code()), false);
    }

    /**
     * Writes {@code response} with Content-Length, Date and, when the connection closes after it, Connection: close.
     * The connection closes after it when {@code keepAlive} is false or the handler set {@code Connection: close}.
     * Once it has left: pipelined parts waiting are replayed, and reading resumes unless one of them is handled.
     */
    private void respond(HttpResponse response, boolean requestKeepAlive) {
        if (phase == Phase.CLOSED) return;
        enter(Phase.WRITING);
        boolean keepAlive = requestKeepAlive && !"close".equalsIgnoreCase(response.header("Connection"));
        FullHttpResponse out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(response.status()),
                answeringHead ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(response.body()));
        try {
            for (Map.Entry<String, String> h : response.headers()) out.headers().set(h.getKey(), h.getValue());
        } catch (IllegalArgumentException e) {
            // a name or value that is not a valid header (CR/LF: response splitting): the handler's bug, answered 500
            LOG.log(Level.WARNING, server.name() + ": handler set an invalid response header", e);
            out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.INTERNAL_SERVER_ERROR, Unpooled.EMPTY_BUFFER);
            response = HttpResponse.of(500);
        }
        out.headers().set(HttpHeaderNames.CONTENT_LENGTH, response.body().length);
        if (!out.headers().contains(HttpHeaderNames.DATE)) out.headers().set(HttpHeaderNames.DATE, DATE.format(ZonedDateTime.now(ZoneOffset.UTC)));
        if (!keepAlive) out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(out).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess() || !keepAlive) {
                close();
                return;
            }
            // bytes of a next request already in: its header deadline runs; otherwise the connection is idle
            enter(decoder.midRequest() || !waiting.isEmpty() ? Phase.HEADERS : Phase.IDLE);
            while (!waiting.isEmpty() && !busy() && phase != Phase.CLOSED) receive(waiting.poll());
            if (!busy() && phase != Phase.CLOSED) ctx.channel().config().setAutoRead(true);
        });
    }

    /** A request is being handled or answered: what arrives now waits. */
    private boolean busy() {
        return phase == Phase.HANDLING || phase == Phase.WRITING;
    }

    private void enter(Phase next) {
        phase = next;
        if (deadline != null) deadline.cancel(false);
        deadline = null;
        java.time.Duration limit = switch (next) {
            case HEADERS -> server.limits().headerTimeout();
            case BODY, WRITING -> server.limits().bodyTimeout();
            case IDLE -> server.limits().idleTimeout();
            case HANDLING, CLOSED -> null;
        };
        if (limit != null) {
            deadline = ctx.executor().schedule(() -> expire(next), limit.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void expire(Phase in) {
        if (phase != in) return;
        server.timedOut.incrementAndGet();
        LOG.fine(() -> server.name() + ": closing " + ctx.channel().remoteAddress() + ", " + in + " deadline passed");
        close();
    }

    private void close() {
        if (phase == Phase.CLOSED) return;
        enter(Phase.CLOSED);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        enter(Phase.CLOSED);
        if (body != null) {
            body.release();
            body = null;
        }
        while (!waiting.isEmpty()) ReferenceCountUtil.release(waiting.poll());
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.fine(() -> server.name() + ": connection from " + ctx.channel().remoteAddress() + " failed: " + cause);
        close();
    }
}
