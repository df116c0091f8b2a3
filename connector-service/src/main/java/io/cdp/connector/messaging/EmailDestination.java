package io.cdp.connector.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.connector.Signatures;
import io.cdp.connector.config.DeliveryConfig;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The {@code email} connector type (triggered email) over SMTP with the Quarkus Mailer. The
 * recipient is the mapped field that {@code config.recipientField} names, so the address is
 * something the mapping chose to send; the text is the delivery's JSON body, with the delivery id
 * and signature as headers, under {@code config.subject}.
 */
@ApplicationScoped
public class EmailDestination {

  private final ReactiveMailer mailer;
  private final DeliveryConfig config;
  private final ObjectMapper json;

  public EmailDestination(ReactiveMailer mailer, DeliveryConfig config, ObjectMapper json) {
    this.mailer = mailer;
    this.config = config;
    this.json = json;
  }

  /**
   * Sends one email; never fails. Emits {@code null} once the SMTP server accepted it, else why not
   * (including a delivery whose mapping produced no recipient).
   */
  public Uni<String> send(
      Map<String, Object> connectorConfig, String deliveryId, String secret, byte[] body) {
    String recipient;
    try {
      JsonNode to =
          json.readTree(body)
              .path("data")
              .path(String.valueOf(connectorConfig.get("recipientField")));
      recipient = to.isTextual() && to.asText().contains("@") ? to.asText() : null;
    } catch (IOException e) {
      return Uni.createFrom().item(DeliveryWorker.describe(e));
    }
    if (recipient == null) {
      return Uni.createFrom().item("No recipient: the mapped recipient field is not an address");
    }
    Mail mail =
        Mail.withText(
                recipient,
                String.valueOf(connectorConfig.get("subject")),
                new String(body, StandardCharsets.UTF_8))
            .addHeader("X-CDP-Delivery-Id", deliveryId)
            .addHeader("X-CDP-Signature", Signatures.header(secret, body));
    Object from = connectorConfig.get("from");
    if (from instanceof String address && !address.isBlank()) {
      mail.setFrom(address);
    }
    return mailer
        .send(mail)
        .ifNoItem()
        .after(config.timeout())
        .failWith(() -> new IllegalStateException("The SMTP server did not answer in time"))
        .map(ignored -> (String) null)
        .onFailure()
        .recoverWithItem(DeliveryWorker::describe);
  }
}
