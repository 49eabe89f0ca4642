package dev.secretstore.node.transport;

import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A test peer on a plain blocking socket that speaks the wire format of docs/transport.md using
 * only the pure classes — and can misbehave (replay, reorder, reflect, flip bits, stall).
 */
final class RawPeer implements Closeable {
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    NoiseSession session;
    TransportFramer framer;
    TransportDeframer deframer;

    RawPeer(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.connect(address, 5_000);
        socket.setSoTimeout(8_000); // a test can never hang on a read (shorter than the 20 s timeout of the cap test)
        in = new DataInputStream(socket.getInputStream());
        out = new DataOutputStream(socket.getOutputStream());
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void sendFrame(byte[] noiseMessage) throws IOException {
        out.writeShort(noiseMessage.length);
        out.write(noiseMessage);
        out.flush();
    }

    /** Writes several frames with one flush, so a peer that closes on the first cannot race the later writes. */
    void sendFrames(byte[]... noiseMessages) throws IOException {
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream d = new java.io.DataOutputStream(buf);
        for (byte[] m : noiseMessages) {
            d.writeShort(m.length);
            d.write(m);
        }
        sendRaw(buf.toByteArray());
    }

    byte[] readFrame() throws IOException {
        int len = in.readUnsignedShort();
        byte[] b = new byte[len];
        in.readFully(b);
        return b;
    }

    /** Sends message 1, reads message 2; does not send the key-confirmation frame. */
    NoiseSession handshakeWithoutConfirmation(KeyPair me, PublicPoint server) throws IOException {
        NoiseIkHandshake hs = NoiseIkHandshake.initiator(me, server, NoiseIkHandshake.defaultPrologue());
        sendFrame(hs.writeMessage1());
        session = hs.readMessage2(readFrame());
        framer = new TransportFramer(session.sender(), Framing.DEFAULT_MAX_MESSAGE_SIZE);
        deframer = new TransportDeframer(session.receiver(), Framing.DEFAULT_MAX_MESSAGE_SIZE);
        return session;
    }

    /** A complete handshake as an honest dialer: message 1, message 2, key-confirmation keep-alive. */
    void handshake(KeyPair me, PublicPoint server) throws IOException {
        handshakeWithoutConfirmation(me, server);
        sendFrame(framer.keepAlive());
    }

    List<byte[]> encode(byte[] message) {
        List<byte[]> frames = new ArrayList<>();
        framer.encode(message, frames::add);
        return frames;
    }

    /** Reads (and discards) until the server closes; false if it stays open for the read timeout. */
    boolean awaitClosedByServer() throws IOException {
        try {
            while (true) {
                readFrame();
            }
        } catch (EOFException | SocketException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    /** True if the server closed without sending a single byte. */
    boolean closedWithoutAnyByte() throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketException e) {
            return true; // connection reset
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
