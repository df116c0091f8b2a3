package io.cdp.profile;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code profile} variable of enrichment rules, shaped as the audience service's: {@code id},
 * {@code traits} and {@code attributes} (maps of JSON values, numbers as doubles), {@code badges}
 * (a list), {@code visit} ({@code startedAt}, {@code lastEventAt} timestamps, {@code eventCount},
 * {@code ended}) and {@code identifiers} (type to values). Mutable, so that each rule sees what the
 * rules before it changed.
 */
public final class ProfileVariables {

  private final Map<String, Object> root = new LinkedHashMap<>();
  private final Map<String, Object> attributes;
  private final List<Object> badges;

  /** The variables of a profile in the middle of an update. */
  public ProfileVariables(
      String profileId,
      Collection<String> identifiers,
      ObjectNode traits,
      ObjectNode attributes,
      Collection<String> badges,
      Visit visit) {
    @SuppressWarnings("unchecked")
    Map<String, Object> attributeMap = (Map<String, Object>) CelValues.toCel(attributes);
    this.attributes = attributeMap;
    this.badges = new ArrayList<>(badges);
    root.put("id", profileId);
    root.put("traits", CelValues.toCel(traits));
    root.put("attributes", this.attributes);
    root.put("badges", this.badges);
    root.put("visit", visit(visit));
    root.put("identifiers", identifiers(identifiers));
  }

  /** The map CEL reads as {@code profile}. */
  public Map<String, Object> asMap() {
    return root;
  }

  /** Records a rule's change so the next rules read it. */
  void attributeChanged(String name, ObjectNode attributes) {
    if (attributes.has(name)) {
      this.attributes.put(name, CelValues.toCel(attributes.get(name)));
    } else {
      this.attributes.remove(name);
    }
  }

  void badgesChanged(Collection<String> badges) {
    this.badges.clear();
    this.badges.addAll(badges);
  }

  private static Map<String, Object> visit(Visit visit) {
    Map<String, Object> vars = new LinkedHashMap<>();
    if (visit != null) {
      vars.put("startedAt", visit.startedAt());
      vars.put("lastEventAt", visit.lastEventAt());
      vars.put("eventCount", visit.eventCount());
      vars.put("ended", visit.ended());
    }
    return vars;
  }

  private static Map<String, Object> identifiers(Collection<String> identifiers) {
    Map<String, Object> byType = new LinkedHashMap<>();
    for (String identifier : identifiers) {
      int colon = identifier.indexOf(':');
      if (colon > 0) {
        @SuppressWarnings("unchecked")
        List<Object> values =
            (List<Object>)
                byType.computeIfAbsent(identifier.substring(0, colon), t -> new ArrayList<>());
        values.add(identifier.substring(colon + 1));
      }
    }
    return byType;
  }
}
