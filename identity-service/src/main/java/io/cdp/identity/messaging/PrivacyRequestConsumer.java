package io.cdp.identity.messaging;

import io.cdp.common.IdentifierKey;
import io.cdp.common.messaging.PrivacyAcks;
import io.cdp.contracts.consent.v1.PrivacyAck;
import io.cdp.contracts.consent.v1.PrivacyRequest;
import io.cdp.identity.IdentifierRef;
import io.cdp.identity.Identifiers;
import io.cdp.identity.IdentityEraser;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Erases what {@code cdp.privacy.requests} asks for ({@link IdentityEraser}) and answers on {@code
 * cdp.privacy.acks}, success or failure; the request's offset is committed once the answer is on
 * the broker. IDEMPOTENCY: an erasure run again deletes nothing more and answers success again.
 */
@ApplicationScoped
public class PrivacyRequestConsumer {

  /** The name the consent service waits for among the acknowledgements. */
  public static final String SERVICE = "identity-service";

  private static final Logger LOG = Logger.getLogger(PrivacyRequestConsumer.class);

  private final IdentityEraser eraser;
  private final Identifiers identifiers;
  private final MutinyEmitter<PrivacyAck> acks;

  public PrivacyRequestConsumer(
      IdentityEraser eraser,
      Identifiers identifiers,
      @Channel("privacy-acks") MutinyEmitter<PrivacyAck> acks) {
    this.eraser = eraser;
    this.identifiers = identifiers;
    this.acks = acks;
  }

  @Incoming("privacy-requests")
  public Uni<Void> consume(PrivacyRequest request) {
    return PrivacyAcks.answer(
        request,
        SERVICE,
        acks,
        () -> {
          List<IdentifierRef> listed =
              PrivacyAcks.identifiers(request).stream()
                  .map(this::normalise)
                  .flatMap(Optional::stream)
                  .distinct()
                  .toList();
          return eraser
              .erase(request.getProfileId(), listed)
              .invoke(
                  erased ->
                      // Counts only: the identifiers are what was just erased.
                      LOG.infof(
                          "Erasure %s: %d profiles deleted, %d identifiers suppressed",
                          request.getRequestId(), erased.profileIds().size(), erased.suppressed()));
        });
  }

  /** {@code type:value} as events store it; a malformed or blocked one cannot be linked anyway. */
  private Optional<IdentifierRef> normalise(IdentifierKey key) {
    return identifiers.normalise(key.type(), key.value());
  }
}
