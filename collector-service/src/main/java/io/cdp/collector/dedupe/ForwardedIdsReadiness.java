package io.cdp.collector.dedupe;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Down until this replica has read the ids forwarded within the window (up to where the topic ended
 * at startup): a restarted replica takes traffic only once it knows what it forwarded before.
 */
@Readiness
@ApplicationScoped
public class ForwardedIdsReadiness implements HealthCheck {

  private final ForwardedIds ids;

  public ForwardedIdsReadiness(ForwardedIds ids) {
    this.ids = ids;
  }

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("collector-forwarded-ids")
        .status(ids.caughtUp())
        .withData("ids", ids.size())
        .build();
  }
}
