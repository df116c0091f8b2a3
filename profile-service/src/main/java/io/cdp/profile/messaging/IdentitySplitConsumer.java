package io.cdp.profile.messaging;

import io.cdp.contracts.identity.v1.IdentitySplit;
import io.cdp.profile.LiveProfile;
import io.cdp.profile.ProfileSplitter;
import io.cdp.profile.ProfileUpdate;
import io.cdp.profile.store.ProfileRows;
import io.cdp.profile.store.ProfileStore;
import io.cdp.profile.store.RowBatch;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Applies {@code cdp.identity.splits} ({@link ProfileSplitter}): the profile the identifiers left
 * loses them (or, if it was merged since, its survivor does), the new profile gains them and the
 * identifier index points them at it; both are saved to PostgreSQL, each change is published, and
 * then the split is acknowledged. A redelivered split finds nothing left to change.
 *
 * <p>The new profile's first event may come before the split (it is keyed by the new profile, the
 * split by the old one): the event then creates the profile with the identifiers, and the split
 * only takes them off the old one.
 */
@ApplicationScoped
public class IdentitySplitConsumer {

  private static final Logger LOG = Logger.getLogger(IdentitySplitConsumer.class);
  private static final int MAX_ATTEMPTS = 20;

  private final ProfileStore store;
  private final ProfileSplitter splitter;
  private final ProfileChangePublisher publisher;
  private final ProfileRows rows;

  public IdentitySplitConsumer(
      ProfileStore store,
      ProfileSplitter splitter,
      ProfileChangePublisher publisher,
      ProfileRows rows) {
    this.store = store;
    this.splitter = splitter;
    this.publisher = publisher;
    this.rows = rows;
  }

  @Incoming("identity-splits")
  @WithSpan
  public Uni<Void> consume(IdentitySplit split) {
    List<String> identifiers =
        split.getIdentifiersList().stream().map(id -> id.getType() + ":" + id.getValue()).toList();
    String from = split.getFromProfileId();
    String to = split.getToProfileId();
    if (split.getSplitId().isEmpty() || from.isEmpty() || to.isEmpty() || identifiers.isEmpty()) {
      LOG.warnf("Split %s names no profiles or no identifiers; skipped", split.getSplitId());
      return Uni.createFrom().voidItem();
    }
    RowBatch changed = new RowBatch();
    return store
        .mergedInto(from)
        .chain(
            survivor ->
                change(
                    survivor.orElse(from),
                    false,
                    p -> splitter.without(p, identifiers),
                    split.getSplitId(),
                    changed,
                    MAX_ATTEMPTS))
        .chain(
            () ->
                change(
                    to,
                    true,
                    p -> splitter.with(p, identifiers),
                    split.getSplitId(),
                    changed,
                    MAX_ATTEMPTS))
        .chain(() -> rows.save(changed));
  }

  /**
   * Applies {@code change} to the profile, retried on a newer version when another writer got there
   * first; a profile that does not exist is created only when {@code create}.
   */
  private Uni<Void> change(
      String profileId,
      boolean create,
      Function<LiveProfile, Optional<ProfileUpdate>> change,
      String cause,
      RowBatch changed,
      int attempts) {
    return store
        .read(profileId)
        .chain(
            current -> {
              if (!current.exists() && !create) {
                return Uni.createFrom().voidItem();
              }
              Optional<ProfileUpdate> update =
                  change.apply(current.exists() ? current.profile() : LiveProfile.empty(profileId));
              if (update.isEmpty()) {
                return Uni.createFrom().voidItem();
              }
              return store
                  .write(update.get(), current)
                  .chain(
                      written -> {
                        if (written) {
                          changed.profile(update.get().profile());
                          return publisher.publish(update.get(), cause);
                        }
                        if (attempts <= 1) {
                          return Uni.createFrom()
                              .failure(
                                  new IllegalStateException(
                                      "Profile " + profileId + " kept changing"));
                        }
                        return change(profileId, create, change, cause, changed, attempts - 1);
                      });
            });
  }
}
