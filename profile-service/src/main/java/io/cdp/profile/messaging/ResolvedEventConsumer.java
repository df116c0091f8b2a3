package io.cdp.profile.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.common.messaging.TraceHeaders;
import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.collector.v1.RawEvent;
import io.cdp.contracts.identity.v1.ResolvedEvent;
import io.cdp.profile.Enrichments;
import io.cdp.profile.LiveProfile;
import io.cdp.profile.ProfileEvent;
import io.cdp.profile.ProfileLimits;
import io.cdp.profile.ProfileUpdate;
import io.cdp.profile.ProfileUpdate.VisitChange;
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
 * <p>Records arrive in batches (one Kafka poll). The batch's profiles are worked on side by side: a
 * profile's events are applied in order to the profile as read, the result is written to the cache
 * once, and then each event's change is sent; then every profile the batch changed is saved to
 * PostgreSQL in one statement ({@link ProfileRows#save}), and only when that is done and every
 * change was acknowledged by the broker is the batch acknowledged, so the offsets committed never
 * run ahead of what PostgreSQL and {@code cdp.profiles.changes} hold.
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
                            apply(events, enrichments, changed, published, MAX_ATTEMPTS, true))
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

  /** An event of the batch with the trace its record carries. */
  private record Traced(ProfileEvent event, Context trace) {

    Traced withProfileId(String profileId) {
      return new Traced(event.withProfileId(profileId), trace);
    }
  }

  /**
   * The batch's events grouped by profile, each group in its original order: groups run side by
   * side, one profile's events are applied one after the other and written once.
   */
  private Collection<List<Traced>> byProfile(ConsumerRecords<String, ResolvedEvent> batch) {
    Map<String, List<Traced>> groups = new LinkedHashMap<>();
    for (ConsumerRecord<String, ResolvedEvent> record : batch) {
      ResolvedEvent resolved = record.value();
      if (resolved.getProfileId().isEmpty()) {
        // Nothing to attach it to; retrying would not help, so it is skipped, not failed.
        LOG.warnf(
            "Resolved event %s has no profile id; skipped", resolved.getEvent().getMessageId());
        continue;
      }
      // The change continues the event's own trace (a batch has many), as the record carries it.
      Context trace = propagator.extract(Context.root(), record.headers(), TraceHeaders.GETTER);
      groups
          .computeIfAbsent(resolved.getProfileId(), id -> new ArrayList<>())
          .add(new Traced(toEvent(resolved), trace));
    }
    return groups.values();
  }

  /**
   * Applies one profile's events of the batch, in order, to the profile as read, and writes the
   * result once: a returning visitor's several events cost one read and one conditional write, not
   * one each. When the write loses to another writer (a merge, the visit scan), all of them are
   * applied again to the newer profile; each event's change is published only once the write won.
   */
  private Uni<Void> apply(
      List<Traced> events,
      Enrichments enrichments,
      RowBatch changed,
      List<CompletableFuture<Void>> published,
      int attempts,
      boolean followMerges) {
    String profileId = events.get(0).event().profileId();
    return store
        .read(profileId)
        .chain(
            current -> {
              // A profile id never stored was not merged away: no pointer to look for.
              if (!current.exists() && followMerges && !current.neverStored()) {
                return store
                    .mergedInto(profileId)
                    .chain(
                        survivor ->
                            apply(
                                survivor
                                    .map(
                                        id ->
                                            events.stream().map(e -> e.withProfileId(id)).toList())
                                    .orElse(events),
                                enrichments,
                                changed,
                                published,
                                attempts,
                                false));
              }
              List<Applied> applied = fold(current.profile(), events, enrichments);
              if (applied.isEmpty()) {
                return Uni.createFrom().voidItem();
              }
              LiveProfile last = applied.get(applied.size() - 1).update().profile();
              // What the write needs of all of them: the last profile and every identifier added
              ProfileUpdate whole =
                  new ProfileUpdate(
                      last,
                      List.of(),
                      VisitChange.NONE,
                      applied.stream()
                          .flatMap(one -> one.update().addedIdentifiers().stream())
                          .distinct()
                          .toList());
              return store
                  .write(whole, current)
                  .chain(
                      written -> {
                        if (written) {
                          changed.profile(last);
                          // Sent now, in order; the batch waits for every ack before it is
                          // acknowledged, not each event for its own.
                          synchronized (published) {
                            for (Applied one : applied) {
                              if (one.clipped()) {
                                clipped.increment();
                                LOG.warnf(
                                    "Event %s clipped: profile %s is at its size bound",
                                    one.event().event().messageId(), profileId);
                              }
                              published.add(
                                  publisher
                                      .publish(
                                          one.update(),
                                          one.event().event().messageId(),
                                          one.event().trace())
                                      .subscribeAsCompletionStage());
                            }
                          }
                          return Uni.createFrom().voidItem();
                        }
                        if (attempts <= 1) {
                          return Uni.createFrom()
                              .failure(
                                  new IllegalStateException(
                                      "Profile " + profileId + " kept changing"));
                        }
                        return apply(events, enrichments, changed, published, attempts - 1, false);
                      });
            });
  }

  /** An event that changed the profile, with its update, and whether the update was clipped. */
  private record Applied(Traced event, ProfileUpdate update, boolean clipped) {}

  /** Applies {@code events} in order, each to the profile the one before it left. */
  private List<Applied> fold(LiveProfile profile, List<Traced> events, Enrichments enrichments) {
    List<Applied> applied = new ArrayList<>(events.size());
    for (Traced traced : events) {
      ProfileEvent event = traced.event();
      Optional<ProfileUpdate> update = updater.apply(profile, event, enrichments);
      if (update.isEmpty()) {
        LOG.debugf("Event %s already applied; ignored", event.messageId());
        continue;
      }
      Optional<ProfileUpdate> clip = limits.clip(profile, update.get());
      ProfileUpdate kept = clip.orElse(update.get());
      applied.add(new Applied(traced, kept, clip.isPresent()));
      profile = kept.profile();
    }
    return applied;
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
