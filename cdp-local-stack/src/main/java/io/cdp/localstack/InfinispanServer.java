package io.cdp.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * An Infinispan server (Hot Rod, no authentication, loopback only) in its own JVM. Its global state
 * lives under the data directory, so caches that services create survive a restart.
 */
final class InfinispanServer implements AutoCloseable {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final StackSettings settings;
  private ChildProcess process;

  InfinispanServer(StackSettings settings) {
    this.settings = settings;
  }

  String hotRodAddress() {
    return "127.0.0.1:" + settings.infinispanPort();
  }

  void start() {
    Path home = settings.dataDir().resolve("infinispan");
    Path conf = home.resolve("server/conf");
    try {
      Files.createDirectories(conf);
      Files.createDirectories(home.resolve("server/lib"));
      Files.createDirectories(home.resolve("server/data"));
      Files.writeString(conf.resolve("infinispan.xml"), serverConfig());
      Files.writeString(conf.resolve("log4j2.xml"), LOG_CONFIG);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    process =
        ChildProcess.startJava(
            "infinispan",
            Classpaths.of("infinispan"),
            List.of(
                "-Xms64m",
                "-Xmx384m",
                "-Djava.net.preferIPv4Stack=true",
                "-Dinfinispan.server.home.path=" + home.toAbsolutePath()),
            "org.infinispan.server.loader.Loader",
            List.of("org.infinispan.server.Bootstrap", "-c", "infinispan.xml"),
            settings.dataDir().resolve("logs/infinispan.log"));
    Ports.await(
        "Infinispan on " + hotRodAddress(),
        Duration.ofSeconds(90),
        () -> {
          process.checkAlive();
          return ready();
        });
  }

  /**
   * One node with a transport (distributed caches need one) on a loopback-only JGroups stack, and
   * Hot Rod plus REST on one port (the server refuses an endpoint without REST).
   */
  private String serverConfig() {
    return """
        <infinispan xmlns="urn:infinispan:config:16.0"
                    xmlns:server="urn:infinispan:server:16.0">
          <jgroups>
            <stack name="cdp-loopback" extends="tcp">
              <TCP bind_addr="127.0.0.1" bind_port="%2$d" port_range="0"/>
              <TCPPING initial_hosts="127.0.0.1[%2$d]" port_range="0"
                       stack.combine="REPLACE" stack.position="MPING"/>
              <!-- FD_SOCK2 would listen on every interface; one node needs no failure detection. -->
              <FD_SOCK2 stack.combine="REMOVE"/>
              <pbcast.GMS join_timeout="500ms" print_local_addr="false"/>
            </stack>
          </jgroups>
          <cache-container name="default" statistics="true">
            <transport cluster="cdp-local-%2$d" stack="cdp-loopback" node-name="cdp-local"/>
            <global-state unclean-shutdown-action="IGNORE">
              <persistent-location path="%3$s"/>
              <shared-persistent-location path="%3$s"/>
              <overlay-configuration-storage/>
            </global-state>
          </cache-container>
          <server xmlns="urn:infinispan:server:16.0">
            <interfaces>
              <interface name="loopback"><inet-address value="127.0.0.1"/></interface>
            </interfaces>
            <socket-bindings default-interface="loopback" port-offset="0">
              <socket-binding name="default" port="%1$d"/>
            </socket-bindings>
            <endpoints>
              <endpoint socket-binding="default">
                <hotrod-connector name="hotrod"/>
                <rest-connector name="rest"/>
              </endpoint>
            </endpoints>
          </server>
        </infinispan>
        """
        .formatted(
            settings.infinispanPort(),
            settings.infinispanClusterPort(),
            settings.dataDir().resolve("infinispan/server/data").toAbsolutePath());
  }

  private static final String LOG_CONFIG =
      """
      <Configuration status="WARN" shutdownHook="disable">
        <Appenders>
          <Console name="STDOUT" target="SYSTEM_OUT">
            <PatternLayout pattern="%d{ISO8601} %-5p [%c{1}] %m%throwable%n"/>
          </Console>
        </Appenders>
        <Loggers>
          <Root level="INFO"><AppenderRef ref="STDOUT"/></Root>
          <Logger name="org.jgroups" level="WARN"/>
          <Logger name="com.arjuna" level="WARN"/>
          <Logger name="io.netty" level="WARN"/>
          <Logger name="org.hibernate" level="WARN"/>
        </Loggers>
      </Configuration>
      """;

  /** The port opens before the caches are up; the REST health answers 200 only when ready. */
  private boolean ready() {
    try {
      HttpRequest request =
          HttpRequest.newBuilder(
                  URI.create("http://" + hotRodAddress() + "/rest/v2/container/health/status"))
              .timeout(Duration.ofSeconds(2))
              .build();
      return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  ChildProcess process() {
    return process;
  }

  @Override
  public void close() {
    if (process != null) {
      process.close();
    }
  }
}
