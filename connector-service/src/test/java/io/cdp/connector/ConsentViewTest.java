package io.cdp.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cdp.connector.messaging.ConsentView;
import io.cdp.contracts.consent.v1.ConsentChange;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The local consent view: latest version wins, tombstones forget, unknown purposes undecided. */
class ConsentViewTest {

  private final ConsentView view = new ConsentView();

  private void receive(String subject, long version, boolean advertising) {
    view.consume(
        new ConsumerRecord<>(
            "cdp.consent.changes",
            0,
            version,
            subject,
            ConsentChange.newBuilder()
                .setSubject(subject)
                .putPurposes("advertising", advertising)
                .setVersion(version)
                .build()));
  }

  @Test
  void theHighestVersionWinsWhateverTheOrder() {
    receive("p-1", 2, false);
    receive("p-1", 1, true);
    assertEquals(Optional.of(List.of("advertising")), view.denied("p-1", List.of("advertising")));
    receive("p-1", 3, true);
    assertEquals(Optional.of(List.of()), view.denied("p-1", List.of("advertising")));
    assertTrue(view.knows("p-1", 3));
  }

  @Test
  void itDecidesOnlyForExplicitChoicesAndForgetsOnATombstone() {
    receive("p-2", 1, true);
    assertEquals(Optional.empty(), view.denied("p-2", List.of("advertising", "analytics")));
    assertEquals(Optional.empty(), view.denied("p-unknown", List.of("advertising")));
    view.consume(new ConsumerRecord<>("cdp.consent.changes", 0, 9, "p-2", null));
    assertFalse(view.knows("p-2", 1));
  }
}
