package dev.secretstore.node.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.KeyPair;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Netty handlers on an {@link EmbeddedChannel}: no sockets, and the handshake timeout runs on
 * the embedded event loop's fake clock, so it is tested without sleeping (SEC-17, SEC-19).
 */
class TransportPipelineTest {
    private static final byte[] PROLOGUE = NoiseIkHandshake.defaultPrologue();
    private final KeyPair initiatorKey = KeyPair.random();
    private final KeyPair responderKey = KeyPair.random();
    private final TransportConfig config = TransportConfig.defaults();

    /** Records what reaches the end of the pipeline. */
    private static final class Sink extends ChannelInboundHandlerAdapter {
        final List<Object> events = new ArrayList<>();
        final List<byte[]> messages = new ArrayList<>();

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            events.add(evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            messages.add((byte[]) msg);
        }
    }

    private EmbeddedChannel responderChannel(Sink sink) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        NoiseIkHandshake hs = NoiseIkHandshake.responder(responderKey, k -> k.equals(initiatorKey.publicKey()), PROLOGUE);
        ch.pipeline().addLast("handshake-timeout", new HandshakeTimeoutHandler(config.handshakeTimeout().toNanos()));
        ch.pipeline().addLast(HandshakeHandler.NAME, new HandshakeHandler(hs, false, config));
        ch.pipeline().addLast("sink", sink);
        return ch;
    }

    private static byte[] readOutbound(EmbeddedChannel ch) {
        ByteBuf buf = ch.readOutbound();
        assertThat(buf).as("an outbound frame").isNotNull();
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    /** Runs the handshake against the responder channel; returns the initiator's session. */
    private NoiseSession handshake(EmbeddedChannel ch) {
        NoiseIkHandshake i = NoiseIkHandshake.initiator(initiatorKey, responderKey.publicKey(), PROLOGUE);
        ch.writeInbound(Unpooled.wrappedBuffer(i.writeMessage1()));
        return i.readMessage2(readOutbound(ch));
    }

    @Test
    void handshakeHandlerReplacesItselfAndTheResponderWaitsForKeyConfirmation() {
        Sink sink = new Sink();
        EmbeddedChannel ch = responderChannel(sink);
        NoiseSession session = handshake(ch);
        assertThat(ch.pipeline().get(HandshakeHandler.NAME)).isNull();
        assertThat(ch.pipeline().get(NoiseTransportHandler.NAME)).isNotNull();
        assertThat(ch.pipeline().get(NoiseTransportHandler.IDLE_NAME)).isNotNull();
        // not yet authenticated: no confirmation frame from the initiator so far
        assertThat(sink.events).noneMatch(e -> e instanceof PeerAuthenticated);
        assertThat(ch.pipeline().get("handshake-timeout")).isNotNull();

        TransportFramer framer = new TransportFramer(session.sender(), config.maxMessageSize());
        ch.writeInbound(Unpooled.wrappedBuffer(framer.keepAlive()));
        assertThat(sink.events).containsExactly(new PeerAuthenticated(initiatorKey.publicKey()));
        assertThat(ch.pipeline().get("handshake-timeout")).isNull();

        List<byte[]> frames = new ArrayList<>();
        framer.encode(new byte[] {1, 2, 3}, frames::add);
        ch.writeInbound(Unpooled.wrappedBuffer(frames.get(0)));
        assertThat(sink.messages).hasSize(1);
        assertThat(sink.messages.get(0)).containsExactly(1, 2, 3);

        // outbound: a byte[] becomes encrypted frames for the initiator's receive side
        ch.writeOutbound(new byte[] {9});
        TransportDeframer deframer = new TransportDeframer(session.receiver(), config.maxMessageSize());
        assertThat(deframer.accept(readOutbound(ch)).orElseThrow()).containsExactly(9);

        // SEC-17: a replayed frame closes the connection
        ch.writeInbound(Unpooled.wrappedBuffer(frames.get(0)));
        assertThat(ch.isOpen()).isFalse();
        assertThat(sink.messages).hasSize(1);
    }

    @Test
    void handshakeTimeoutClosesOnTheMonotonicSchedulerClock() {
        EmbeddedChannel ch = responderChannel(new Sink());
        ch.advanceTimeBy(config.handshakeTimeout().toMillis() - 1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        ch.advanceTimeBy(2, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void handshakeTimeoutAlsoCoversAResponderThatNeverGetsKeyConfirmation() {
        // e.g. a replayed message 1: the responder answers, but nobody can confirm (SEC-17)
        EmbeddedChannel ch = responderChannel(new Sink());
        handshake(ch);
        ch.advanceTimeBy(config.handshakeTimeout().toMillis() + 1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void authenticatedConnectionIsNotClosedByTheHandshakeTimer() {
        EmbeddedChannel ch = responderChannel(new Sink());
        NoiseSession s = handshake(ch);
        ch.writeInbound(Unpooled.wrappedBuffer(new TransportFramer(s.sender(), config.maxMessageSize()).keepAlive()));
        ch.advanceTimeBy(config.handshakeTimeout().toMillis() * 3, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void unknownInitiatorGetsNoReplyAndIsClosed() {
        EmbeddedChannel ch = responderChannel(new Sink());
        NoiseIkHandshake outsider = NoiseIkHandshake.initiator(KeyPair.random(), responderKey.publicKey(), PROLOGUE);
        ch.writeInbound(Unpooled.wrappedBuffer(outsider.writeMessage1()));
        assertThat((Object) ch.readOutbound()).isNull();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void writerIdleSendsAKeepAliveAndReaderIdleCloses() {
        Sink sink = new Sink();
        EmbeddedChannel ch = responderChannel(sink);
        NoiseSession s = handshake(ch);
        ch.writeInbound(Unpooled.wrappedBuffer(new TransportFramer(s.sender(), config.maxMessageSize()).keepAlive()));
        TransportDeframer deframer = new TransportDeframer(s.receiver(), config.maxMessageSize());

        ch.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_WRITER_IDLE_STATE_EVENT);
        assertThat(deframer.accept(readOutbound(ch))).isEqualTo(Optional.empty());
        assertThat(deframer.framesAccepted()).isEqualTo(1);
        assertThat(ch.isOpen()).isTrue();

        ch.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void initiatorSendsKeyConfirmationImmediately() {
        Sink sink = new Sink();
        EmbeddedChannel ch = new EmbeddedChannel();
        NoiseIkHandshake i = NoiseIkHandshake.initiator(initiatorKey, responderKey.publicKey(), PROLOGUE);
        ch.pipeline().addLast(HandshakeHandler.NAME, new HandshakeHandler(i, true, config));
        ch.pipeline().addLast("sink", sink);
        byte[] m1 = readOutbound(ch);
        NoiseIkHandshake r = NoiseIkHandshake.responder(responderKey, k -> true, PROLOGUE);
        r.readMessage1(m1);
        ch.writeInbound(Unpooled.wrappedBuffer(r.writeMessage2()));
        assertThat(sink.events).containsExactly(new PeerAuthenticated(responderKey.publicKey()));
        TransportDeframer d = new TransportDeframer(r.session().receiver(), config.maxMessageSize());
        assertThat(d.accept(readOutbound(ch))).isEmpty();
        assertThat(d.framesAccepted()).isEqualTo(1);
    }
}
