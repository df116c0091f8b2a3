package io.cdp.identity.messaging;

import io.cdp.common.IdentifierKey;
import io.cdp.common.messaging.PrivacyAcks;
import io.cdp.contracts.consent.v1.PrivacyAck;
import io.cdp.contracts.consent.v1.PrivacyRequest;
import io.cdp.contracts.consent.v1.PrivacyRequestKind;
import io.cdp.identity.IdentifierRef;
import io.cdp.identity.Identifiers;
import io.cdp.identity.IdentityEraser;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
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
    return answer(request).chain(acks::sendMessage);
  }

  private Uni<Message<PrivacyAck>> answer(PrivacyRequest request) {
    if (request.getKind() != PrivacyRequestKind.ERASURE) {
      return Uni.createFrom()
          .item(
              PrivacyAcks.failed(
                  request,
                  SERVICE,
                  new IllegalArgumentException("Unsupported request kind " + request.getKind())));
    }
    List<IdentifierRef> listed =
        Stream.concat(Stream.of(request.getIdentifier()), request.getIdentifiersList().stream())
            .map(this::normalise)
            .flatMap(Optional::stream)
            .distinct()
            .toList();
    return eraser
        .erase(request.getProfileId(), listed)
        .map(
            erased -> {
              // Counts only: the identifiers are what was just erased.
              LOG.infof(
                  "Erasure %s: %d profiles deleted, %d identifiers suppressed",
                  request.getRequestId(), erased.profileIds().size(), erased.suppressed());
              return PrivacyAcks.done(request, SERVICE);
            })
        .onFailure()
        .recoverWithItem(
            e -> {
              LOG.errorf(e, "Erasure %s failed", request.getRequestId());
              return PrivacyAcks.failed(request, SERVICE, e);
            });
  }

  /** {@code type:value} as events store it; a malformed or blocked one cannot be linked anyway. */
  private Optional<IdentifierRef> normalise(String written) {
    return IdentifierKey.parse(written).flatMap(k -> identifiers.normalise(k.type(), k.value()));
  }
}
