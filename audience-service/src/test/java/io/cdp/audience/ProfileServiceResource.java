package io.cdp.audience;

import io.cdp.localstack.LocalStackResource;
import io.cdp.localstack.Ports;
import io.cdp.localstack.ServiceProcess;
import io.cdp.localstack.SuiteService;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real profile service for the audience service's tests, which check rules against its attribute
 * definitions: started from its built app ({@code profile-service/target/quarkus-app}, built before
 * this module in a reactor build) against this JVM's local stack, once per JVM, stopped when the
 * JVM exits. Its log is {@code target/profile-service.log}.
 *
 * <p>Its URL is kept in a system property, as {@link LocalStackResource} keeps the stack's: a
 * {@code @TestProfile} restart reloads this class but must find the same process.
 */
public class ProfileServiceResource implements QuarkusTestResourceLifecycleManager {

  private static final String URL = "audience-test.profile-url";

  /** The profile service's base URL, starting it if none runs yet. */
  static String url() {
    synchronized (System.getProperties()) {
      String url = System.getProperty(URL);
      if (url == null) {
        url = launch().url();
        System.setProperty(URL, url);
      }
      return url;
    }
  }

  private static ServiceProcess launch() {
    Map<String, String> config = new LinkedHashMap<>(LocalStackResource.serviceConfig());
    config.put("cdp.admin-token", AudienceTestSupport.ADMIN.substring("Bearer ".length()));
    ServiceProcess profile =
        ServiceProcess.start(
            Path.of("..").toAbsolutePath().normalize(),
            SuiteService.PROFILE,
            Ports.free(),
            config,
            List.of("-Xmx256m"),
            Path.of("target").toAbsolutePath());
    Runtime.getRuntime().addShutdownHook(new Thread(profile::close, "profile-service-stop"));
    profile.awaitReady(Duration.ofMinutes(2));
    return profile;
  }

  @Override
  public Map<String, String> start() {
    return Map.of("cdp.audience.profile-url", url());
  }

  @Override
  public void stop() {
    // Kept for the next test class; the shutdown hook stops it.
  }
}
