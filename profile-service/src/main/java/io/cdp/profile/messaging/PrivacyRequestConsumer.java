package io.cdp.profile.messaging;

import io.cdp.common.IdentifierKey;
import io.cdp.common.messaging.PrivacyAcks;
import io.cdp.contracts.consent.v1.PrivacyAck;
import io.cdp.contracts.consent.v1.PrivacyRequest;
import io.cdp.profile.store.ProfileStore;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Erases the person a {@code cdp.privacy.requests} erasure names: the profile it gives and every
 * profile its identifiers point at (the given id may be empty or stale), with their identifier
 * index entries, open visits and merge pointers, in PostgreSQL and the caches ({@link
 * ProfileStore#erase}). Then answers on {@code cdp.privacy.acks}, success or failure; the request
 * is acknowledged once the answer is on the broker.
 *
 * <p>Idempotency: an erasure run again finds nothing left and answers success again; so does a
 * request for a person this service never saw.
 */
@ApplicationScoped
public class PrivacyRequestConsumer {

  /** The name the consent service waits for among the answers. */
  public static final String SERVICE = "profile-service";

  private static final Logger LOG = Logger.getLogger(PrivacyRequestConsumer.class);

  private final ProfileStore store;
  private final MutinyEmitter<PrivacyAck> acks;

  public PrivacyRequestConsumer(
      ProfileStore store, @Channel("privacy-acks") MutinyEmitter<PrivacyAck> acks) {
    this.store = store;
    this.acks = acks;
  }

  @Incoming("privacy-requests")
  @WithSpan
  public Uni<Void> consume(PrivacyRequest request) {
    List<String> identifiers =
        PrivacyAcks.identifiers(request).stream().map(IdentifierKey::toString).toList();
    return PrivacyAcks.answer(
        request,
        SERVICE,
        acks,
        () ->
            Multi.createFrom()
                .iterable(identifiers)
                .onItem()
                .transformToUniAndConcatenate(store::profileIdOf)
                .collect()
                .asList()
                .chain(
                    found -> {
                      Set<String> profileIds = new TreeSet<>();
                      if (!request.getProfileId().isEmpty()) {
                        profileIds.add(request.getProfileId());
                      }
                      found.forEach(id -> id.ifPresent(profileIds::add));
                      return store
                          .erase(profileIds, identifiers)
                          .invoke(
                              () ->
                                  LOG.infof(
                                      "Erasure %s: %d profile ids erased",
                                      request.getRequestId(), profileIds.size()));
                    }));
  }
}
