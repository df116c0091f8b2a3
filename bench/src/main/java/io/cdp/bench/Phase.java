package io.cdp.bench;

import java.time.Duration;
import java.util.List;

/** One part of a benchmark run: starts what it measures, offers load and reports what it got. */
interface Phase {

  /** The phase's name on the command line and its prefix in results.json. */
  String name();

  /** The load before each of its measurements. */
  default Duration warmup(BenchSettings settings) {
    return settings.warmup();
  }

  /** Its measurements, in the order taken (a phase may measure at several loads). */
  List<PhaseResult> run(BenchContext context) throws Exception;
}
