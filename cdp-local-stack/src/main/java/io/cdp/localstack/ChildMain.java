package io.cdp.localstack;

import java.io.IOException;
import java.util.Arrays;

/**
 * Runs another main class and exits when the parent process goes away.
 *
 * <p>Every server the stack starts is a child JVM whose standard input is a pipe from the parent.
 * When the parent dies, even by SIGKILL, the pipe closes and this watcher stops the child, so a
 * crashed test run or launcher never leaves brokers behind.
 */
public final class ChildMain {

  public static void main(String[] args) throws Exception {
    Thread watcher =
        new Thread(
            () -> {
              try {
                while (System.in.read() != -1) {
                  // the parent writes nothing; we only wait for end of stream
                }
              } catch (IOException ignored) {
                // a broken pipe means the same as end of stream
              }
              System.exit(0);
            },
            "parent-watch");
    watcher.setDaemon(true);
    watcher.start();
    Class.forName(args[0])
        .getMethod("main", String[].class)
        .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
  }

  private ChildMain() {}
}
