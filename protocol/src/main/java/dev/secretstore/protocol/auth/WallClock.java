package dev.secretstore.protocol.auth;

/**
 * Wall-clock time in unix seconds, for the one thing that needs it: the expiry of fresh authorizations, which
 * requesters state in wall-clock time (docs/auth.md §4). Everything else uses the monotonic
 * {@link dev.secretstore.protocol.session.Clock}. Tests inject a fake one.
 */
@FunctionalInterface
public interface WallClock {
    long epochSecond();

    WallClock SYSTEM = () -> System.currentTimeMillis() / 1000;
}
