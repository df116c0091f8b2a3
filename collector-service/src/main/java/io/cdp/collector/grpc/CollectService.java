package io.cdp.collector.grpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.cdp.collector.EventBatch;
import io.cdp.collector.Ingestion;
import io.cdp.collector.Sources;
import io.cdp.common.rest.ApiError;
import io.cdp.common.rest.ApiException;
import io.cdp.contracts.collector.v1.Collect;
import io.cdp.contracts.collector.v1.CollectRequest;
import io.cdp.contracts.collector.v1.CollectResponse;
import io.cdp.contracts.collector.v1.EventError;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code Collect.Send}: a batch of Segment-spec events from a server-side source, with the same
 * checks and durability as {@code POST /v1/batch}. Bad events come back as {@code errors} (index,
 * code, message) and none is accepted; otherwise {@code accepted} counts every event, duplicates
 * included, once Kafka acknowledged them. Status UNAUTHENTICATED for an unknown or disabled write
 * key, INVALID_ARGUMENT for a request refused as a whole, UNAVAILABLE when Kafka did not
 * acknowledge in time (retry later).
 */
@GrpcService
public class CollectService implements Collect {

  private final Sources sources;
  private final Ingestion ingestion;
  private final ObjectMapper json;

  public CollectService(Sources sources, Ingestion ingestion, ObjectMapper json) {
    this.sources = sources;
    this.ingestion = ingestion;
    this.json = json;
  }

  @Override
  public Uni<CollectResponse> send(CollectRequest request) {
    Instant receivedAt = Ingestion.now();
    List<JsonNode> events = new ArrayList<>(request.getEventsJsonCount());
    CollectResponse.Builder refused = CollectResponse.newBuilder();
    int index = 0;
    for (ByteString bytes : request.getEventsJsonList()) {
      try {
        events.add(json.readTree(bytes.toByteArray()));
      } catch (IOException e) {
        refused.addErrors(error(index, "malformed_json", "The event is not valid JSON"));
      }
      index++;
    }
    if (refused.getErrorsCount() > 0) {
      return Uni.createFrom().item(refused.build());
    }
    List<EventBatch.Accepted> accepted;
    try {
      accepted = ingestion.check(new EventBatch.Request(events, null, null, null), receivedAt);
    } catch (ApiException e) {
      if (e.details() == null) {
        return Uni.createFrom().failure(status(e));
      }
      for (ApiError.Part part : e.details()) {
        refused.addErrors(error(part.index(), part.code(), part.message()));
      }
      return Uni.createFrom().item(refused.build());
    }
    return sources
        .authenticate(request.getWriteKey())
        .flatMap(source -> ingestion.ingest(source, accepted))
        .map(outcome -> CollectResponse.newBuilder().setAccepted(accepted.size()).build())
        .onFailure()
        .transform(
            e ->
                e instanceof ApiException api
                    ? status(api)
                    : Status.UNAVAILABLE
                        .withDescription("Events could not be stored; retry later")
                        .asRuntimeException());
  }

  private static EventError error(int index, String code, String message) {
    return EventError.newBuilder().setIndex(index).setCode(code).setMessage(message).build();
  }

  private static RuntimeException status(ApiException e) {
    Status status = e.status() == 401 ? Status.UNAUTHENTICATED : Status.INVALID_ARGUMENT;
    return status.withDescription(e.code() + ": " + e.getMessage()).asRuntimeException();
  }
}
