package io.cdp.connector.messaging;

import io.cdp.connector.Backoff;
import io.cdp.connector.Signatures;
import io.cdp.connector.config.DeliveryConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.http.HttpClient;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Posts signed webhook bodies, retrying non-2xx answers and timeouts with exponential backoff up to
 * a bounded number of attempts. Timers and the HTTP client are Vert.x's, so the caller's Vert.x
 * context (and its Hibernate Reactive session) is where the result arrives.
 */
@ApplicationScoped
public class WebhookSender {

  /**
   * What happened to one delivery: whether it got through, after how many attempts, and why not.
   */
  public record Outcome(boolean delivered, int attempts, String lastError) {}

  private final Vertx vertx;
  private final HttpClient client;
  private final DeliveryConfig config;
  private final Backoff backoff;

  public WebhookSender(Vertx vertx, DeliveryConfig config) {
    this.vertx = vertx;
    this.config = config;
    this.backoff = new Backoff(config.backoff());
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions().setConnectTimeout((int) config.timeout().toMillis()));
  }

  /** Sends {@code body} to {@code url}; never fails, the outcome says how it went. */
  public Uni<Outcome> send(String url, String deliveryId, String secret, byte[] body) {
    RequestOptions request =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setAbsoluteURI(url)
            .setTimeout(config.timeout().toMillis())
            .putHeader("Content-Type", "application/json")
            .putHeader("X-CDP-Delivery-Id", deliveryId)
            .putHeader("X-CDP-Signature", Signatures.header(secret, body));
    return attempt(request, Buffer.buffer(body), 1);
  }

  private Uni<Outcome> attempt(RequestOptions request, Buffer body, int attempt) {
    return client
        .request(request)
        .flatMap(req -> req.send(body))
        // Read the answer to its end so the connection can be reused.
        .flatMap(res -> res.body().map(ignored -> res.statusCode()))
        .map(status -> status / 100 == 2 ? null : "HTTP " + status)
        .onFailure()
        .recoverWithItem(
            e ->
                e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()))
        .flatMap(
            error -> {
              if (error == null) {
                return Uni.createFrom().item(new Outcome(true, attempt, null));
              }
              if (attempt >= config.maxAttempts()) {
                return Uni.createFrom().item(new Outcome(false, attempt, error));
              }
              return delay(backoff.after(attempt).toMillis())
                  .flatMap(ignored -> attempt(request, body, attempt + 1));
            });
  }

  private Uni<Void> delay(long millis) {
    return Uni.createFrom()
        .emitter(emitter -> vertx.setTimer(millis, id -> emitter.complete(null)));
  }
}
