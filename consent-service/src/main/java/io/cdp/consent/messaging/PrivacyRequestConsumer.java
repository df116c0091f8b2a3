package io.cdp.consent.messaging;

import io.cdp.common.messaging.PrivacyAcks;
import io.cdp.consent.Subject;
import io.cdp.consent.store.ConsentCache;
import io.cdp.consent.store.ConsentStore;
import io.cdp.contracts.consent.v1.PrivacyAck;
import io.cdp.contracts.consent.v1.PrivacyRequest;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashSet;
import java.util.Set;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * This service's part of an erasure: the consent history and state of the person's profile and of
 * every identifier, in PostgreSQL, in the cache and (by tombstones) on {@code cdp.consent.changes}.
 * Repeating it is harmless. The request is acknowledged on {@code cdp.privacy.acks} either way.
 */
@ApplicationScoped
public class PrivacyRequestConsumer {

  static final String SERVICE = "consent-service";

  private final ConsentStore store;
  private final ConsentCache cache;
  private final ConsentChangePublisher changes;
  private final MutinyEmitter<PrivacyAck> acks;

  public PrivacyRequestConsumer(
      ConsentStore store,
      ConsentCache cache,
      ConsentChangePublisher changes,
      @Channel("privacy-acks-out") MutinyEmitter<PrivacyAck> acks) {
    this.store = store;
    this.cache = cache;
    this.changes = changes;
    this.acks = acks;
  }

  @Incoming("privacy-requests")
  public Uni<Void> consume(PrivacyRequest request) {
    return PrivacyAcks.answer(
        request,
        SERVICE,
        acks,
        () -> {
          Set<Subject> subjects = subjects(request);
          return Panache.withTransaction(() -> store.erase(subjects))
              .chain(
                  () ->
                      Multi.createFrom()
                          .iterable(subjects)
                          .onItem()
                          .transformToUniAndConcatenate(
                              subject ->
                                  cache
                                      .remove(subject.key())
                                      .call(() -> changes.erase(subject.key())))
                          .collect()
                          .last());
        });
  }

  private static Set<Subject> subjects(PrivacyRequest request) {
    Set<Subject> subjects = new LinkedHashSet<>();
    if (!request.getProfileId().isEmpty()) {
      subjects.add(Subject.ofProfile(request.getProfileId()));
    }
    PrivacyAcks.identifiers(request)
        .forEach(key -> subjects.add(new Subject(key.type(), key.value())));
    return subjects;
  }
}
