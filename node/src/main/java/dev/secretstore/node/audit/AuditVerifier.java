package dev.secretstore.node.audit;

import dev.secretstore.protocol.NodeId;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code audit verify}: checks a whole audit file (SEC-29): every line's hash, the chain from the node's genesis
 * value, sequence numbers, and every checkpoint's signature by the node (the id in the file's segment header, or
 * the one the caller expects). Stops at the first bad line.
 */
public final class AuditVerifier {
    /** Lines longer than this are not audit lines. */
    static final int MAX_LINE = 64 * 1024;

    private AuditVerifier() {}

    /**
     * The outcome. Good: {@code badLine} is 0. Bad: {@code badLine} is the 1-based number of the first line that does
     * not check, {@code reason} why; the counts cover the lines before it.
     */
    public record Report(long lines, long checkpoints, long unsignedTail, Optional<NodeId> node, Optional<String> firstTime,
                         Optional<String> lastTime, long badLine, String reason) {
        public boolean ok() {
            return badLine == 0;
        }
    }

    public static Report verify(Path file, Optional<NodeId> expected) throws IOException {
        AuditChain chain = AuditChain.fromStart(expected);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream(512);
            int b;
            while ((b = in.read()) >= 0) {
                if (b != '\n') {
                    if (line.size() >= MAX_LINE) return bad(chain, chain.lines() + 1, "longer than " + MAX_LINE + " bytes");
                    line.write(b);
                    continue;
                }
                try {
                    chain.accept(line.toByteArray());
                } catch (AuditChain.Bad e) {
                    return bad(chain, e.line, e.getMessage());
                }
                line.reset();
            }
            if (line.size() > 0) return bad(chain, chain.lines() + 1, "no newline at its end (the file was cut or is being written)");
        }
        if (chain.lines() == 0) return bad(chain, 1, "the file is empty");
        return new Report(chain.lines(), chain.checkpoints(), chain.sinceCheckpoint(), Optional.ofNullable(chain.node()),
                Optional.ofNullable(chain.firstTime()), Optional.ofNullable(chain.lastTime()), 0, "");
    }

    private static Report bad(AuditChain chain, long line, String why) {
        return new Report(chain.lines(), chain.checkpoints(), chain.sinceCheckpoint(), Optional.ofNullable(chain.node()),
                Optional.ofNullable(chain.firstTime()), Optional.ofNullable(chain.lastTime()), line, why);
    }
}
