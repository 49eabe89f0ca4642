package dev.secretstore.http.server;

import java.util.concurrent.CompletionStage;

/**
 * What a listener does with a complete request. Called on the listener's handler threads, never on an I/O thread,
 * so it may block briefly (a signature recovery, a keystore read); work that waits on something else should
 * return an incomplete stage instead of blocking. The stage may complete on any thread. A stage that fails, or a
 * handler that throws, is answered {@code 500} with an empty body and logged without the request.
 */
@FunctionalInterface
public interface HttpHandler {
    CompletionStage<HttpResponse> handle(HttpRequest request);
}
