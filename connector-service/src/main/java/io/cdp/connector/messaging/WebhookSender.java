package io.cdp.connector.messaging;

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
 * Posts one signed webhook body, once: retries are the {@link DeliveryWorker}'s. The HTTP client is
 * Vert.x's, so the answer arrives on the caller's Vert.x context.
 */
@ApplicationScoped
public class WebhookSender {

  private final HttpClient client;
  private final DeliveryConfig config;

  public WebhookSender(Vertx vertx, DeliveryConfig config) {
    this.config = config;
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setConnectTimeout((int) config.timeout().toMillis())
                .setMaxPoolSize(config.connectionsPerHost()));
  }

  /**
   * Posts {@code body} to {@code url}; never fails. Emits {@code null} for a 2xx answer, else why
   * the attempt failed (the HTTP status, or the exception, e.g. a timeout).
   */
  public Uni<String> post(String url, String deliveryId, String secret, byte[] body) {
    return send("POST", url, deliveryId, secret, body);
  }

  /** As {@link #post}, with another HTTP method ({@code PUT}, {@code DELETE} for crm calls). */
  public Uni<String> send(
      String method, String url, String deliveryId, String secret, byte[] body) {
    RequestOptions request =
        new RequestOptions()
            .setMethod(HttpMethod.valueOf(method))
            .setAbsoluteURI(url)
            .setTimeout(config.timeout().toMillis())
            .putHeader("Content-Type", "application/json")
            .putHeader("X-CDP-Delivery-Id", deliveryId)
            .putHeader("X-CDP-Signature", Signatures.header(secret, body));
    return client
        .request(request)
        .flatMap(req -> req.send(Buffer.buffer(body)))
        // Read the answer to its end so the connection can be reused.
        .flatMap(res -> res.body().map(ignored -> res.statusCode()))
        .map(status -> status / 100 == 2 ? null : "HTTP " + status)
        .onFailure()
        .recoverWithItem(DeliveryWorker::describe);
  }
}
