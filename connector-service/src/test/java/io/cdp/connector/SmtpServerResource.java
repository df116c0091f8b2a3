package io.cdp.connector;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** A real SMTP server (GreenMail) on a free loopback port, with the mailer pointed at it. */
public class SmtpServerResource implements QuarkusTestResourceLifecycleManager {

  private static GreenMail smtp;

  /** The running server, to read what it received. */
  public static GreenMail smtp() {
    return smtp;
  }

  @Override
  public Map<String, String> start() {
    smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
    smtp.start();
    return Map.of(
        "quarkus.mailer.host", "127.0.0.1",
        "quarkus.mailer.port", String.valueOf(smtp.getSmtp().getPort()),
        "quarkus.mailer.start-tls", "DISABLED");
  }

  @Override
  public void stop() {
    if (smtp != null) {
      smtp.stop();
    }
  }
}
