package io.cdp.identity;

import io.cdp.identity.ResolutionRules.Decision;
import io.cdp.identity.ResolutionRules.Profile;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The identity graph in memory, applying each decision the way {@link IdentityResolver} does. */
final class InMemoryGraph {

  final ResolutionRules rules;
  final Map<IdentifierRef, String> owners = new HashMap<>();
  final Map<String, Instant> profiles = new HashMap<>();
  final Map<String, String> mergedInto = new HashMap<>();
  private int created;

  InMemoryGraph(MergeRules rules) {
    this.rules = new ResolutionRules(rules);
  }

  Decision event(IdentifierRef... ids) {
    Map<IdentifierRef, String> known = new HashMap<>();
    for (IdentifierRef id : ids) {
      if (owners.containsKey(id)) {
        known.put(id, owners.get(id));
      }
    }
    Map<String, Profile> involved = new HashMap<>();
    for (String p : new HashSet<>(known.values())) {
      involved.put(p, new Profile(p, profiles.get(p), identifiersOf(p)));
    }
    // Ids that sort against creation order, so that "oldest" is not "smallest id".
    String fresh = "p" + (1_000_000 - created);
    Decision d = rules.decide(List.of(ids), known, involved, fresh);
    if (d.created()) {
      profiles.put(fresh, Instant.EPOCH.plusSeconds(created++));
    }
    for (String m : d.mergedProfileIds()) {
      owners.replaceAll((id, owner) -> owner.equals(m) ? d.profileId() : owner);
      mergedInto.put(m, d.profileId());
      profiles.remove(m);
    }
    d.linked().forEach(id -> owners.put(id, d.profileId()));
    return d;
  }

  Set<IdentifierRef> identifiersOf(String profileId) {
    Set<IdentifierRef> held = new HashSet<>();
    owners.forEach(
        (id, owner) -> {
          if (owner.equals(profileId)) {
            held.add(id);
          }
        });
    return held;
  }
}
