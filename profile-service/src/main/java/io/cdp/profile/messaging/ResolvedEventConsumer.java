package io.cdp.profile.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.common.messaging.TraceHeaders;
import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.collector.v1.RawEvent;
import io.cdp.contracts.identity.v1.ResolvedEvent;
import io.cdp.profile.Enrichments;
import io.cdp.profile.ProfileEvent;
import io.cdp.profile.ProfileLimits;
import io.cdp.profile.ProfileUpdate;
import io.cdp.profile.ProfileUpdater;
import io.cdp.profile.store.AttributeCatalog;
import io.cdp.profile.store.ProfileRows;
import io.cdp.profile.store.ProfileStore;
import io.cdp.profile.store.RowBatch;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Applies {@code cdp.events.resolved} to the live profiles. The topic is keyed by profile id and
 * this method handles one record at a time, so each profile has one event writer; the merge
 * consumer and the visit scan also write profiles, so every write is conditional on the version
 * read ({@link ProfileStore#write}) and retried on the newer profile when it loses.
 *
 * <p>Records arrive in batches (one Kafka poll). The batch's profiles are worked on side by side,
 * each profile's events in order: each event is written to the cache and its change sent at once;
 * then every profile the batch changed is saved to PostgreSQL in one statement ({@link
 * ProfileRows#save}), and only when that is done and every change was acknowledged by the broker is
 * the batch acknowledged, so the offsets committed never run ahead of what PostgreSQL and {@code
 * cdp.profiles.changes} hold.
 *
 * <p>Idempotency: each profile stores the messageIds it applied last ({@code
 * cdp.profile.remembered-message-ids}); a redelivered event is recognised by {@link ProfileUpdater}
 * and changes nothing: no cache write, no version bump, no change published. A crash before the
 * batch is saved redelivers it: events the cache kept are recognised, events it lost (a cleared
 * cache reads the profile back from PostgreSQL, without them) are applied again.
 *
 * <p>An event that would take a profile over its size bound is clipped ({@link ProfileLimits}) and
 * counted in {@code cdp_profile_clipped_total}.
 *
 * <p>An event for a profile that was merged away (resolved before the merge) is applied to the
 * profile it was merged into.
 */
@ApplicationScoped
public class ResolvedEventConsumer {

  private static final Logger LOG = Logger.getLogger(ResolvedEventConsumer.class);

  /** How many profiles of a batch are worked on side by side. */
  private static final int PROFILES_IN_PARALLEL = 16;

  /** Each lost race means another writer made progress; this many in a row is a fault. */
  private static final int MAX_ATTEMPTS = 20;

  private final ProfileStore store;
  private final ProfileUpdater updater;
  private final AttributeCatalog catalog;
  private final ProfileChangePublisher publisher;
  private final ProfileRows rows;
  private final ProfileLimits limits;
  private final Counter clipped;
  private final ObjectMapper json;
  private final TextMapPropagator propagator;

  public ResolvedEventConsumer(
      ProfileStore store,
      ProfileUpdater updater,
      AttributeCatalog catalog,
      ProfileChangePublisher publisher,
      ProfileRows rows,
      ProfileLimits limits,
      MeterRegistry metrics,
      ObjectMapper json,
      OpenTelemetry telemetry) {
    this.store = store;
    this.propagator = telemetry.getPropagators().getTextMapPropagator();
    this.updater = updater;
    this.catalog = catalog;
    this.publisher = publisher;
    this.rows = rows;
    this.limits = limits;
    this.clipped =
        Counter.builder("cdp.profile.clipped")
            .description("Events whose changes were not applied: the profile hit its size bound")
            .register(metrics);
    this.json = json;
  }

  @Incoming("events-resolved")
  public Uni<Void> consume(ConsumerRecords<String, ResolvedEvent> batch) {
    RowBatch changed = new RowBatch();
    List<CompletableFuture<Void>> published = new ArrayList<>();
    return catalog
        .current()
        .chain(
            enrichments ->
                Multi.createFrom()
                    .iterable(byProfile(batch))
                    .onItem()
                    .transformToUni(
                        events ->
                            Multi.createFrom()
                                .iterable(events)
                                .onItem()
                                .transformToUniAndConcatenate(
                                    record -> apply(record, enrichments, changed, published))
                                .onItem()
                                .ignoreAsUni())
                    .merge(PROFILES_IN_PARALLEL)
                    .onItem()
                    .ignoreAsUni())
        .chain(() -> rows.save(changed))
        .chain(
            () ->
                Uni.createFrom()
                    .completionStage(
                        CompletableFuture.allOf(published.toArray(CompletableFuture[]::new))));
  }

  /**
   * The batch's events grouped by profile, each group in its original order: groups run side by
   * side, one profile's events one after the other.
   */
  private static Collection<List<ConsumerRecord<String, ResolvedEvent>>> byProfile(
      ConsumerRecords<String, ResolvedEvent> batch) {
    Map<String, List<ConsumerRecord<String, ResolvedEvent>>> groups = new LinkedHashMap<>();
    for (ConsumerRecord<String, ResolvedEvent> record : batch) {
      groups.computeIfAbsent(record.value().getProfileId(), id -> new ArrayList<>()).add(record);
    }
    return groups.values();
  }

  private Uni<Void> apply(
      ConsumerRecord<String, ResolvedEvent> record,
      Enrichments enrichments,
      RowBatch changed,
      List<CompletableFuture<Void>> published) {
    ResolvedEvent resolved = record.value();
    if (resolved.getProfileId().isEmpty()) {
      // Nothing to attach it to; retrying would not help, so it is skipped, not failed.
      LOG.warnf("Resolved event %s has no profile id; skipped", resolved.getEvent().getMessageId());
      return Uni.createFrom().voidItem();
    }
    // The change continues the event's own trace (a batch has many), as the record carries it.
    Context trace = propagator.extract(Context.root(), record.headers(), TraceHeaders.GETTER);
    return apply(toEvent(resolved), trace, enrichments, changed, published, MAX_ATTEMPTS, true);
  }

  private Uni<Void> apply(
      ProfileEvent event,
      Context trace,
      Enrichments enrichments,
      RowBatch changed,
      List<CompletableFuture<Void>> published,
      int attempts,
      boolean followMerges) {
    return store
        .read(event.profileId())
        .chain(
            current -> {
              if (!current.exists() && followMerges) {
                return store
                    .mergedInto(event.profileId())
                    .chain(
                        survivor ->
                            apply(
                                survivor.map(event::withProfileId).orElse(event),
                                trace,
                                enrichments,
                                changed,
                                published,
                                attempts,
                                false));
              }
              Optional<ProfileUpdate> applied =
                  updater.apply(current.profile(), event, enrichments);
              if (applied.isEmpty()) {
                LOG.debugf("Event %s already applied; ignored", event.messageId());
                return Uni.createFrom().voidItem();
              }
              Optional<ProfileUpdate> clip = limits.clip(current.profile(), applied.get());
              ProfileUpdate update = clip.orElse(applied.get());
              return store
                  .write(update, current)
                  .chain(
                      written -> {
                        if (written) {
                          if (clip.isPresent()) {
                            clipped.increment();
                            LOG.warnf(
                                "Event %s clipped: profile %s is at its size bound",
                                event.messageId(), event.profileId());
                          }
                          changed.profile(update.profile());
                          // Sent now, in order; the batch waits for every ack before it is
                          // acknowledged, not each event for its own.
                          synchronized (published) {
                            published.add(
                                publisher
                                    .publish(update, event.messageId(), trace)
                                    .subscribeAsCompletionStage());
                          }
                          return Uni.createFrom().voidItem();
                        }
                        if (attempts <= 1) {
                          return Uni.createFrom()
                              .failure(
                                  new IllegalStateException(
                                      "Profile " + event.profileId() + " kept changing"));
                        }
                        return apply(
                            event, trace, enrichments, changed, published, attempts - 1, false);
                      });
            });
  }

  private ProfileEvent toEvent(ResolvedEvent resolved) {
    RawEvent raw = resolved.getEvent();
    List<String> identifiers =
        resolved.getIdentifiersList().stream()
            .map(id -> id.getType() + ":" + id.getValue())
            .toList();
    Instant timestamp =
        raw.hasTimestamp()
            ? ProtoTime.instant(raw.getTimestamp())
            : raw.hasReceivedAt() ? ProtoTime.instant(raw.getReceivedAt()) : Instant.now();
    return new ProfileEvent(
        resolved.getProfileId(),
        raw.getMessageId(),
        raw.getType(),
        timestamp,
        identifiers,
        payload(raw));
  }

  /** An unreadable payload must not block the partition: the event still counts, without traits. */
  private JsonNode payload(RawEvent raw) {
    try {
      JsonNode payload = json.readTree(raw.getPayloadJson().toByteArray());
      if (payload != null && payload.isObject()) {
        return payload;
      }
    } catch (IOException e) {
      LOG.warnf("Event %s has an unreadable payload: %s", raw.getMessageId(), e.getMessage());
    }
    return json.createObjectNode();
  }
}
