package io.cdp.collector.rest;

import io.cdp.collector.EventBatch;
import io.cdp.collector.Ingestion;
import io.cdp.collector.SegmentBatch;
import io.cdp.collector.Sources.SourceRef;
import io.cdp.common.rest.ApiError;
import io.cdp.common.rest.ApiException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * {@link Ingestion} as the HTTP endpoints answer it: {@code ok} once Kafka holds every event, or
 * 503 with {@code Retry-After} when Kafka (or the source lookup) is not available.
 */
@ApplicationScoped
public class Ingest {

  private static final Logger LOG = Logger.getLogger(Ingest.class);

  private final Ingestion ingestion;

  public Ingest(Ingestion ingestion) {
    this.ingestion = ingestion;
  }

  /** Checks {@code request} (see {@link Ingestion#check}), before the source is looked up. */
  public List<EventBatch.Accepted> check(EventBatch.Request request, Instant receivedAt) {
    return ingestion.check(request, receivedAt);
  }

  /** See {@link Ingestion#readBatch}. */
  public SegmentBatch.Read readBatch(byte[] body, Instant receivedAt) {
    return ingestion.readBatch(body, receivedAt);
  }

  /** Forwards {@code events} of the source {@code source} resolves to, answering {@code ok}. */
  public Uni<Response> forward(
      Uni<SourceRef> source, List<EventBatch.Accepted> events, Response ok) {
    return source
        .flatMap(s -> ingestion.ingest(s, events))
        .map(outcome -> ok)
        .onFailure(e -> !(e instanceof ApiException))
        .recoverWithItem(Ingest::unavailable);
  }

  private static Response unavailable(Throwable e) {
    if (!(e instanceof Ingestion.Unavailable)) {
      LOG.warnf("Events could not be forwarded: %s", e.toString());
    }
    return Response.status(503)
        .header("Retry-After", "5")
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(ApiError.of("unavailable", "Events could not be stored; retry later", null))
        .build();
  }
}
