package io.cdp.localstack;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A JVM started by the stack, with its output in a log file and a tie to this process. */
public final class ChildProcess implements AutoCloseable {

  private final String name;
  private final Process process;
  private final Path logFile;

  private ChildProcess(String name, Process process, Path logFile) {
    this.name = name;
    this.process = process;
    this.logFile = logFile;
  }

  /**
   * Starts {@code mainClass} in a new JVM on {@code classpath}, through {@link ChildMain} so it
   * exits with this process.
   */
  public static ChildProcess startJava(
      String name,
      List<String> classpath,
      List<String> jvmOptions,
      String mainClass,
      List<String> args,
      Path logFile) {
    List<String> cp = new ArrayList<>();
    cp.add(ownLocation());
    cp.addAll(classpath);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(String.join(File.pathSeparator, cp));
    command.add(ChildMain.class.getName());
    command.add(mainClass);
    command.addAll(args);
    return start(name, command, logFile);
  }

  /** Starts any command with its output appended to {@code logFile}. */
  public static ChildProcess start(String name, List<String> command, Path logFile) {
    try {
      Files.createDirectories(logFile.getParent());
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .start();
      // stdin stays open: it is the tie ChildMain watches.
      return new ChildProcess(name, process, logFile);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + name, e);
    }
  }

  /** Runs a command to completion, failing with its output when it does not exit 0. */
  public static void runToCompletion(ChildProcess child, Duration timeout) {
    try {
      if (!child.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        child.close();
        throw new IllegalStateException(child.name + " did not finish in " + timeout);
      }
      if (child.process.exitValue() != 0) {
        throw new IllegalStateException(
            child.name + " failed (exit " + child.process.exitValue() + "):\n" + child.logTail());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  public Path logFile() {
    return logFile;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Fails with the end of the log when the process has died. */
  public void checkAlive() {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          name + " exited with " + process.exitValue() + "; end of " + logFile + ":\n" + logTail());
    }
  }

  /** The last lines of the log, for error messages. */
  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(logFile);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Asks the process to stop (SIGTERM), and kills it if it has not within 30 seconds. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** The jar or classes directory of this module, which holds {@link ChildMain}. */
  private static String ownLocation() {
    try {
      return Path.of(ChildMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
