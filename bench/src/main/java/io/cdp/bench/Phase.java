package io.cdp.bench;

/** One measured part of a benchmark run: offers load for a while and reports what it got. */
interface Phase {

  /** The phase's key in results.json ({@code kafka_raw}, {@code collector}). */
  String name();

  PhaseResult run(BenchContext context) throws Exception;
}
