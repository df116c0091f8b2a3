package io.cdp.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatcherTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void whatArrivesWhileABatchIsWrittenGoesInTheNextOneAtMostMaxBatchEach() {
    List<List<Integer>> written = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> firstHeld = new CompletableFuture<>();
    Batcher<Integer, String> batcher =
        new Batcher<>(
            vertx,
            2,
            items -> {
              written.add(items);
              Uni<List<String>> answers =
                  Uni.createFrom().item(items.stream().map(i -> "#" + i).toList());
              return written.size() == 1
                  ? Uni.createFrom().completionStage(firstHeld).replaceWith(answers)
                  : answers;
            });

    CompletableFuture<String> first = batcher.submit(1).subscribeAsCompletionStage();
    List<CompletableFuture<String>> later =
        List.of(2, 3, 4).stream().map(i -> batcher.submit(i).subscribeAsCompletionStage()).toList();
    firstHeld.complete(null);

    assertEquals("#1", first.join());
    assertEquals(List.of("#2", "#3", "#4"), later.stream().map(CompletableFuture::join).toList());
    assertEquals(List.of(List.of(1), List.of(2, 3), List.of(4)), written);
  }

  @Test
  void aBatchThatAnswersTheWrongNumberOfResultsFailsItsCallersAndTheNextBatchIsStillWritten() {
    Batcher<Integer, String> batcher =
        new Batcher<>(
            vertx,
            10,
            items ->
                Uni.createFrom()
                    .item(
                        items.contains(0) ? List.of() : items.stream().map(i -> "#" + i).toList()));

    Throwable failure =
        assertThrows(
            Exception.class, () -> batcher.submit(0).await().atMost(Duration.ofSeconds(5)));
    assertInstanceOf(IllegalStateException.class, failure);
    assertEquals("#7", batcher.submit(7).await().atMost(Duration.ofSeconds(5)));
  }

  @Test
  void aFailedBatchFailsItsCallersAndTheNextBatchIsStillWritten() {
    Batcher<Integer, String> batcher =
        new Batcher<>(
            vertx,
            10,
            items ->
                items.contains(0)
                    ? Uni.createFrom().failure(new IllegalArgumentException("no zeros"))
                    : Uni.createFrom().item(items.stream().map(i -> "#" + i).toList()));

    assertThrows(
        IllegalArgumentException.class,
        () -> batcher.submit(0).await().atMost(Duration.ofSeconds(5)));
    assertEquals("#7", batcher.submit(7).await().atMost(Duration.ofSeconds(5)));
  }
}
