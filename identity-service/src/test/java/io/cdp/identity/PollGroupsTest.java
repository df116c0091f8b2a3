package io.cdp.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which events of a poll may be resolved side by side ({@link IdentityResolver}). */
class PollGroupsTest {

  private static List<IdentifierRef> event(String... keys) {
    return Arrays.stream(keys)
        .map(key -> key.split(":", 2))
        .map(parts -> new IdentifierRef(parts[0], parts[1]))
        .toList();
  }

  @Test
  void eventsSharingAnIdentifierOrAnOwnerStayTogetherInPollOrder() {
    List<List<IdentifierRef>> poll =
        List.of(
            event("anonymous_id:a"),
            event("anonymous_id:c"),
            event("user_id:u", "anonymous_id:a"),
            event("anonymous_id:b"),
            event("user_id:u", "anonymous_id:b"), // joins b's group to a's through u
            event("email:k"),
            event("anonymous_id:d"));
    // c and k are different identifiers of one profile: a merge or limit may involve both.
    Map<String, String> owners = Map.of("anonymous_id:c", "p1", "email:k", "p1");

    assertEquals(
        List.of(List.of(0, 2, 3, 4), List.of(1, 5), List.of(6)),
        IdentityResolver.independentGroups(poll, owners));
  }

  @Test
  void unrelatedEventsAreEachAGroup() {
    assertEquals(
        List.of(List.of(0), List.of(1)),
        IdentityResolver.independentGroups(
            List.of(event("anonymous_id:a"), event("anonymous_id:b")), Map.of()));
  }
}
