package dev.secretstore.crypto.threshold;

import dev.secretstore.crypto.SecretScalar;
import javax.security.auth.Destroyable;

/**
 * The pair {@code (f_i(x_j), g_i(x_j))} dealer {@code i} sends to receiver {@code j} in the Pedersen
 * phase (crypto.md §10.3.2 round 1), or reveals in clear to answer a complaint (round 3).
 *
 * @param f the share of the secret polynomial
 * @param g the share of the blinding polynomial
 */
public record SharePair(SecretScalar f, SecretScalar g) implements Destroyable {
    @Override
    public void destroy() {
        f.destroy();
        g.destroy();
    }

    @Override
    public boolean isDestroyed() {
        return f.isDestroyed() && g.isDestroyed();
    }

    @Override
    public String toString() {
        return "SharePair[redacted]";
    }
}
