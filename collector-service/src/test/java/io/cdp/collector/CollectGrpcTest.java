package io.cdp.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.cdp.contracts.collector.v1.Collect;
import io.cdp.contracts.collector.v1.CollectRequest;
import io.cdp.contracts.collector.v1.CollectResponse;
import io.cdp.contracts.collector.v1.EventError;
import io.cdp.localstack.LocalStackResource;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@code Collect.Send}: the HTTP batch's checks and durability over gRPC. */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class CollectGrpcTest {

  @GrpcClient("collect")
  Collect collect;

  private static ByteString json(String text) {
    return ByteString.copyFrom(text, StandardCharsets.UTF_8);
  }

  private CollectResponse send(CollectRequest request) {
    return collect.send(request).await().atMost(Duration.ofSeconds(30));
  }

  @Test
  void aBatchIsAcceptedOnceOnKafka() {
    String first = "g-" + UUID.randomUUID();
    String second = "g-" + UUID.randomUUID();
    CollectResponse response =
        send(
            CollectRequest.newBuilder()
                .setWriteKey(Stack.newWriteKey())
                .addEventsJson(
                    json(
                        "{\"type\":\"track\",\"userId\":\"u-g\",\"event\":\"Shipped\",\"messageId\":\""
                            + first
                            + "\"}"))
                .addEventsJson(
                    json(
                        "{\"type\":\"identify\",\"userId\":\"u-g\",\"traits\":{\"plan\":\"pro\"},"
                            + "\"messageId\":\""
                            + second
                            + "\"}"))
                .build());
    assertEquals(2, response.getAccepted());
    assertEquals(0, response.getErrorsCount());
    assertEquals("Shipped", Stack.readRaw(first).value().getEvent());
    assertEquals("identify", Stack.readRaw(second).value().getType());
  }

  @Test
  void badEventsAreNamedAndNoneIsAccepted() {
    CollectResponse response =
        send(
            CollectRequest.newBuilder()
                .setWriteKey(Stack.newWriteKey())
                .addEventsJson(json("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"Ok\"}"))
                .addEventsJson(json("{\"type\":\"track\",\"event\":\"Nobody\"}"))
                .build());
    assertEquals(0, response.getAccepted());
    EventError error = response.getErrors(0);
    assertEquals(1, error.getIndex());
    assertEquals("missing_identity", error.getCode());

    CollectResponse malformed =
        send(
            CollectRequest.newBuilder()
                .setWriteKey(Stack.newWriteKey())
                .addEventsJson(json("{not json"))
                .build());
    assertEquals("malformed_json", malformed.getErrors(0).getCode());
  }

  @Test
  void anUnknownWriteKeyIsUnauthenticated() {
    StatusRuntimeException refused =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                send(
                    CollectRequest.newBuilder()
                        .setWriteKey("not-a-key")
                        .addEventsJson(json("{\"type\":\"page\",\"anonymousId\":\"a\"}"))
                        .build()));
    assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
  }
}
