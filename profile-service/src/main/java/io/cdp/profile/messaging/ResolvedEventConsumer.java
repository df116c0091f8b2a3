package io.cdp.profile.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.collector.v1.RawEvent;
import io.cdp.contracts.identity.v1.ResolvedEvent;
import io.cdp.profile.Enrichments;
import io.cdp.profile.ProfileEvent;
import io.cdp.profile.ProfileUpdate;
import io.cdp.profile.ProfileUpdater;
import io.cdp.profile.store.AttributeCatalog;
import io.cdp.profile.store.ProfileStore;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Applies {@code cdp.events.resolved} to the live profiles. The topic is keyed by profile id and
 * this method handles one record at a time, so each profile has one event writer; the merge
 * consumer and the visit scan also write profiles, so every write is conditional on the version
 * read ({@link ProfileStore#write}) and retried on the newer profile when it loses.
 *
 * <p>Idempotency: each profile stores the messageIds it applied last ({@code
 * cdp.profile.remembered-message-ids}); a redelivered event is recognised by {@link ProfileUpdater}
 * and changes nothing: no cache write, no version bump, no change published. The offset is
 * committed only after the cache write and the change's publication were acknowledged, so a crash
 * in between redelivers the event rather than losing it.
 *
 * <p>An event for a profile that was merged away (resolved before the merge) is applied to the
 * profile it was merged into.
 */
@ApplicationScoped
public class ResolvedEventConsumer {

  private static final Logger LOG = Logger.getLogger(ResolvedEventConsumer.class);

  /** Each lost race means another writer made progress; this many in a row is a fault. */
  private static final int MAX_ATTEMPTS = 20;

  private final ProfileStore store;
  private final ProfileUpdater updater;
  private final AttributeCatalog catalog;
  private final ProfileChangePublisher publisher;
  private final ObjectMapper json;

  public ResolvedEventConsumer(
      ProfileStore store,
      ProfileUpdater updater,
      AttributeCatalog catalog,
      ProfileChangePublisher publisher,
      ObjectMapper json) {
    this.store = store;
    this.updater = updater;
    this.catalog = catalog;
    this.publisher = publisher;
    this.json = json;
  }

  @Incoming("events-resolved")
  @WithSpan
  public Uni<Void> consume(ResolvedEvent resolved) {
    if (resolved.getProfileId().isEmpty()) {
      // Nothing to attach it to; retrying would not help, so it is skipped, not failed.
      LOG.warnf("Resolved event %s has no profile id; skipped", resolved.getEvent().getMessageId());
      return Uni.createFrom().voidItem();
    }
    ProfileEvent event = toEvent(resolved);
    return catalog.current().chain(enrichments -> apply(event, enrichments, MAX_ATTEMPTS, true));
  }

  private Uni<Void> apply(
      ProfileEvent event, Enrichments enrichments, int attempts, boolean followMerges) {
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
                                enrichments,
                                attempts,
                                false));
              }
              Optional<ProfileUpdate> update = updater.apply(current.profile(), event, enrichments);
              if (update.isEmpty()) {
                LOG.debugf("Event %s already applied; ignored", event.messageId());
                return Uni.createFrom().voidItem();
              }
              return store
                  .write(update.get(), current)
                  .chain(
                      written -> {
                        if (written) {
                          return publisher.publish(update.get(), event.messageId());
                        }
                        if (attempts <= 1) {
                          return Uni.createFrom()
                              .failure(
                                  new IllegalStateException(
                                      "Profile " + event.profileId() + " kept changing"));
                        }
                        return apply(event, enrichments, attempts - 1, false);
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
