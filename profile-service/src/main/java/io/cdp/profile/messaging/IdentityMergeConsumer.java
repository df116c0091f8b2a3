package io.cdp.profile.messaging;

import io.cdp.contracts.identity.v1.IdentityMerge;
import io.cdp.profile.Enrichments;
import io.cdp.profile.LiveProfile;
import io.cdp.profile.ProfileMerger;
import io.cdp.profile.ProfileUpdate;
import io.cdp.profile.store.AttributeCatalog;
import io.cdp.profile.store.ProfileRows;
import io.cdp.profile.store.ProfileStore;
import io.cdp.profile.store.RowBatch;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Applies {@code cdp.identity.merges}: folds each merged profile into the survivor ({@link
 * ProfileMerger}), points the merged identifiers at the survivor, saves the survivor and the merge
 * pointers to PostgreSQL, deletes the merged profiles from the caches (remembering where they went,
 * so their late events land on the survivor), then publishes the survivor's change and a {@code
 * deleted} change per merged profile. The merge is acknowledged after all of that.
 *
 * <p>Idempotency: the survivor remembers the merge id with its messageIds; a redelivered merge
 * folds nothing again and only finishes what a crash may have left: saving, deleting merged
 * profiles still present and announcing them deleted. The survivor write is conditional on the
 * version read, like every profile write, and retried on the newer profile when an event got there
 * first.
 */
@ApplicationScoped
public class IdentityMergeConsumer {

  private static final Logger LOG = Logger.getLogger(IdentityMergeConsumer.class);
  private static final int MAX_ATTEMPTS = 20;

  private final ProfileStore store;
  private final ProfileMerger merger;
  private final AttributeCatalog catalog;
  private final ProfileChangePublisher publisher;
  private final ProfileRows rows;

  public IdentityMergeConsumer(
      ProfileStore store,
      ProfileMerger merger,
      AttributeCatalog catalog,
      ProfileChangePublisher publisher,
      ProfileRows rows) {
    this.store = store;
    this.merger = merger;
    this.catalog = catalog;
    this.publisher = publisher;
    this.rows = rows;
  }

  @Incoming("identity-merges")
  @WithSpan
  public Uni<Void> consume(IdentityMerge merge) {
    String survivorId = merge.getSurvivingProfileId();
    List<String> mergedIds =
        merge.getMergedProfileIdsList().stream()
            .filter(id -> !id.isEmpty() && !id.equals(survivorId))
            .distinct()
            .toList();
    if (merge.getMergeId().isEmpty() || survivorId.isEmpty() || mergedIds.isEmpty()) {
      LOG.warnf("Merge %s names no survivor or nothing to merge; skipped", merge.getMergeId());
      return Uni.createFrom().voidItem();
    }
    return catalog
        .current()
        .chain(
            enrichments ->
                merge(merge.getMergeId(), survivorId, mergedIds, enrichments, MAX_ATTEMPTS));
  }

  private Uni<Void> merge(
      String mergeId,
      String survivorId,
      List<String> mergedIds,
      Enrichments enrichments,
      int attempts) {
    return store
        .read(survivorId)
        .chain(
            survivor ->
                Multi.createFrom()
                    .iterable(mergedIds)
                    .onItem()
                    .transformToUniAndConcatenate(store::read)
                    .filter(ProfileStore.Current::exists)
                    .map(ProfileStore.Current::profile)
                    .collect()
                    .asList()
                    .chain(
                        merged -> {
                          if (ProfileMerger.applied(survivor.profile(), mergeId)
                              || merged.isEmpty()) {
                            return finish(
                                mergeId, survivor.profile(), survivorId, mergedIds, merged);
                          }
                          ProfileUpdate update =
                              merger.fold(
                                  survivor.profile(), survivorId, merged, mergeId, enrichments);
                          return store
                              .write(update, survivor)
                              .chain(
                                  written -> {
                                    if (written) {
                                      return publisher
                                          .publish(update, mergeId)
                                          .chain(
                                              () ->
                                                  finish(
                                                      mergeId,
                                                      update.profile(),
                                                      survivorId,
                                                      mergedIds,
                                                      merged));
                                    }
                                    if (attempts <= 1) {
                                      return Uni.createFrom()
                                          .failure(
                                              new IllegalStateException(
                                                  "Profile " + survivorId + " kept changing"));
                                    }
                                    return merge(
                                        mergeId, survivorId, mergedIds, enrichments, attempts - 1);
                                  });
                        }));
  }

  /**
   * Saves the survivor ({@code null} if it has no profile) and the merge pointers, then deletes the
   * merged profiles from the caches and announces those that still existed deleted. Saved first, so
   * that a read in between cannot bring a merged profile back from its row.
   */
  private Uni<Void> finish(
      String mergeId,
      LiveProfile survivor,
      String survivorId,
      List<String> mergedIds,
      List<LiveProfile> present) {
    RowBatch changed = new RowBatch();
    if (survivor != null) {
      changed.profile(survivor);
    }
    mergedIds.forEach(id -> changed.merged(id, survivorId));
    return rows.save(changed)
        .chain(
            () ->
                Multi.createFrom()
                    .iterable(mergedIds)
                    .onItem()
                    .transformToUniAndConcatenate(id -> store.deleteMerged(id, survivorId))
                    .onItem()
                    .ignoreAsUni())
        .chain(
            () ->
                Multi.createFrom()
                    .iterable(present)
                    .onItem()
                    .transformToUniAndConcatenate(
                        profile ->
                            publisher.publishDeleted(
                                profile.profileId(), profile.version(), mergeId))
                    .onItem()
                    .ignoreAsUni());
  }
}
