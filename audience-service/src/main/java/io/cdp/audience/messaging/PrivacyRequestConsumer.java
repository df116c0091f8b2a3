package io.cdp.audience.messaging;

import io.cdp.audience.Memberships;
import io.cdp.audience.store.ProfileIdentifier;
import io.cdp.common.IdentifierKey;
import io.cdp.common.messaging.PrivacyAcks;
import io.cdp.contracts.consent.v1.PrivacyAck;
import io.cdp.contracts.consent.v1.PrivacyRequest;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.hibernate.reactive.panache.Panache;
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
 * profile its identifiers point at here (the given id may be empty or stale), each with {@link
 * Memberships#erase}; then answers on {@code cdp.privacy.acks}, success or failure.
 *
 * <p>Idempotency: an erasure run again finds nothing left and answers success again; so does a
 * request for a person this service never saw.
 */
@ApplicationScoped
public class PrivacyRequestConsumer {

  /** The name the consent service waits for among the answers. */
  public static final String SERVICE = "audience-service";

  private static final Logger LOG = Logger.getLogger(PrivacyRequestConsumer.class);

  private final Memberships memberships;
  private final MutinyEmitter<PrivacyAck> acks;

  public PrivacyRequestConsumer(
      Memberships memberships, @Channel("privacy-acks") MutinyEmitter<PrivacyAck> acks) {
    this.memberships = memberships;
    this.acks = acks;
  }

  @Incoming("privacy-requests")
  @WithSpan
  public Uni<Void> consume(PrivacyRequest request) {
    return PrivacyAcks.answer(
        request,
        SERVICE,
        acks,
        () ->
            profileIds(request)
                .chain(
                    profileIds ->
                        Multi.createFrom()
                            .iterable(profileIds)
                            .onItem()
                            .transformToUniAndConcatenate(memberships::erase)
                            .collect()
                            .last()
                            .invoke(
                                () ->
                                    LOG.infof(
                                        "Erasure %s: %d profile ids erased",
                                        request.getRequestId(), profileIds.size()))));
  }

  /** The request's profile id and those its identifiers point at here. */
  private static Uni<Set<String>> profileIds(PrivacyRequest request) {
    List<String> identifiers =
        PrivacyAcks.identifiers(request).stream().map(IdentifierKey::toString).toList();
    Uni<List<ProfileIdentifier>> rows =
        identifiers.isEmpty()
            ? Uni.createFrom().item(List.of())
            : Panache.withSession(
                () -> ProfileIdentifier.<ProfileIdentifier>list("identifier in ?1", identifiers));
    return rows.map(
        found -> {
          Set<String> profileIds = new TreeSet<>();
          if (!request.getProfileId().isEmpty()) {
            profileIds.add(request.getProfileId());
          }
          found.forEach(row -> profileIds.add(row.profileId));
          return profileIds;
        });
  }
}
