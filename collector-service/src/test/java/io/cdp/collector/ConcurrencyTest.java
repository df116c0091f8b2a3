package io.cdp.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Many batches at once (more events in flight than the Kafka sink's default window) are all
 * acknowledged: the collector hands backpressure to the Kafka producer, it does not refuse.
 */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class ConcurrencyTest {

  private static final int REQUESTS = 40;
  private static final int EVENTS = 100;

  @TestHTTPResource("/v1/batch")
  URI batch;

  @Test
  void fortyConcurrentBatchesOfAHundredEventsAreAllAcknowledged() throws Exception {
    String auth =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((Stack.newWriteKey() + ":").getBytes(StandardCharsets.UTF_8));
    ObjectMapper json = new ObjectMapper();
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    for (int r = 0; r < REQUESTS; r++) {
      List<Map<String, Object>> events = new ArrayList<>();
      for (int e = 0; e < EVENTS; e++) {
        events.add(
            Map.of(
                "type",
                "track",
                "anonymousId",
                "a-" + UUID.randomUUID(),
                "event",
                "Load",
                "properties",
                Map.of("n", e)));
      }
      HttpRequest request =
          HttpRequest.newBuilder(batch)
              .header("Authorization", auth)
              .header("Content-Type", "application/json")
              .POST(
                  HttpRequest.BodyPublishers.ofByteArray(
                      json.writeValueAsBytes(Map.of("batch", events))))
              .build();
      answers.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> answer : answers) {
      HttpResponse<String> response = answer.get(60, TimeUnit.SECONDS);
      assertEquals(200, response.statusCode(), response.body());
    }
  }
}
