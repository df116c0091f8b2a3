package io.cdp.profile;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;

/**
 * The live profile as the service keeps it. Treat it as immutable: {@link ProfileUpdater} copies
 * the JSON objects before changing them.
 *
 * @param profileId the id identity resolution gave the person
 * @param identifiers every identifier seen with the profile, as sorted {@code type:value}
 * @param traits traits from {@code identify} calls and {@code context.traits}
 * @param attributes attributes computed from events (JSON-typed)
 * @param badges the badges assigned, sorted
 * @param visit the current visit, null before the first event
 * @param version bumped on every change
 * @param updatedAt when the profile last changed
 * @param recentMessageIds the last applied event messageIds, oldest first, to ignore redeliveries
 */
public record LiveProfile(
    String profileId,
    List<String> identifiers,
    ObjectNode traits,
    ObjectNode attributes,
    List<String> badges,
    Visit visit,
    long version,
    Instant updatedAt,
    List<String> recentMessageIds) {

  /** A profile that has seen nothing yet. */
  public static LiveProfile empty(String profileId) {
    return new LiveProfile(
        profileId,
        List.of(),
        JsonNodeFactory.instance.objectNode(),
        JsonNodeFactory.instance.objectNode(),
        List.of(),
        null,
        0,
        null,
        List.of());
  }
}
