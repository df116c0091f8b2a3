package io.cdp.collector;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.cdp.contracts.collector.v1.Collect;
import io.cdp.contracts.collector.v1.CollectRequest;
import io.cdp.localstack.LocalStackResource;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With the outgoing channel pointed at a port where no broker listens, events are refused with 503
 * and Retry-After (UNAVAILABLE over gRPC), never acknowledged. PostgreSQL and Infinispan stay up.
 */
@QuarkusTest
@TestProfile(KafkaDownTest.BrokerUnreachable.class)
@WithTestResource(LocalStackResource.class)
class KafkaDownTest {

  /** Only the collector's producer loses its broker; port 1 (tcpmux) has no listener. */
  public static class BrokerUnreachable implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "cdp.collector.producer.bootstrap.servers", "127.0.0.1:1",
          "cdp.collector.producer.max.block.ms", "1000",
          "cdp.collector.ack-timeout", "2s");
    }
  }

  @GrpcClient("collect")
  Collect collect;

  @Test
  void aTrackCallIsRefusedWith503AndRetryAfter() {
    Stack.as(Stack.newWriteKey())
        .contentType(ContentType.JSON)
        .body(Map.of("userId", "u-down", "event", "Lost?"))
        .post("/v1/track")
        .then()
        .statusCode(503)
        .header("Retry-After", notNullValue())
        .body("error.code", equalTo("unavailable"));
  }

  @Test
  void aGrpcBatchIsRefusedAsUnavailable() {
    CollectRequest request =
        CollectRequest.newBuilder()
            .setWriteKey(Stack.newWriteKey())
            .addEventsJson(
                ByteString.copyFrom(
                    "{\"type\":\"page\",\"anonymousId\":\"a-down\"}", StandardCharsets.UTF_8))
            .build();
    StatusRuntimeException refused =
        assertThrows(
            StatusRuntimeException.class,
            () -> collect.send(request).await().atMost(Duration.ofSeconds(30)));
    assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
  }
}
