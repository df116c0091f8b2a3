package io.cdp.localstack;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points a {@code @QuarkusTest} at a real local stack with free ports.
 *
 * <p>One stack serves every test of a JVM (it is costly to start and tests clean up after
 * themselves by using fresh identifiers); it stops when the JVM exits.
 */
public class LocalStackResource implements QuarkusTestResourceLifecycleManager {

  private static LocalStack stack;

  /** The stack of this JVM, started on first use. */
  public static synchronized LocalStack stack() {
    if (stack == null) {
      LocalStack started = LocalStack.start(StackSettings.forTests(System.getenv()));
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "local-stack-stop"));
      stack = started;
    }
    return stack;
  }

  @Override
  public Map<String, String> start() {
    return stack().serviceConfig();
  }

  @Override
  public void stop() {
    // Kept for the next test class; the shutdown hook stops it.
  }
}
