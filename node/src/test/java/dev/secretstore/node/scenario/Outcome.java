package dev.secretstore.node.scenario;

import java.util.Objects;
import java.util.function.Function;

/**
 * What a client saw for one request, in the terms of the HTTP API whichever driver ran it: a value
 * (status 200), or the status and Parity's display text of the error (http-api.md §7, §8). Two more
 * outcomes exist only in tests: no answer within the session deadline (a hang), and the connection to
 * the node lost (the node answering the request was killed).
 */
public record Outcome<T>(int status, T value, String error) {
    /** No answer within the driver's answer deadline. */
    public static final int NO_ANSWER = -1;
    /** The node answering the request went away before it answered. */
    public static final int CONNECTION_LOST = 0;

    public static <T> Outcome<T> ok(T value) {
        return new Outcome<>(200, value, null);
    }

    public static <T> Outcome<T> failed(int status, String error) {
        return new Outcome<>(status, null, Objects.requireNonNull(error));
    }

    public static <T> Outcome<T> noAnswer(String detail) {
        return new Outcome<>(NO_ANSWER, null, "no answer: " + detail);
    }

    public static <T> Outcome<T> connectionLost(String detail) {
        return new Outcome<>(CONNECTION_LOST, null, "connection lost: " + detail);
    }

    /** The same outcome with the value transformed (a failure stays as it is). */
    public <R> Outcome<R> map(Function<T, R> f) {
        return ok() ? ok(f.apply(value)) : new Outcome<>(status, null, error);
    }

    public boolean ok() {
        return status == 200;
    }

    /** The status and error text, without the value: what two outcomes must share to count as the same answer. */
    public String answer() {
        return ok() ? "200" : status + " " + error;
    }

    @Override
    public String toString() {
        return ok() ? "200 " + value : status + " " + error;
    }
}
