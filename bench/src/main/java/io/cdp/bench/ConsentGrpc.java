package io.cdp.bench;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * Unary gRPC calls to a service of the suite with the JDK's own HTTP/2 client, so the bench needs
 * no gRPC library: gRPC is a POST to {@code /<service>/<method>} with {@code content-type:
 * application/grpc} and the message framed by a 5-byte prefix (compressed flag, length). The
 * services serve gRPC on their HTTP port in clear text (h2c): the first request, a GET of the
 * health check, upgrades the connection to HTTP/2, and every call after it is a stream on it.
 */
final class ConsentGrpc {

  /** A call's outcome: the answer, or the gRPC status code and message of a failure. */
  record Answer<T>(T message, String status) {
    boolean ok() {
      return message != null;
    }
  }

  private final HttpClient client;
  private final String baseUrl;

  private ConsentGrpc(HttpClient client, String baseUrl) {
    this.client = client;
    this.baseUrl = baseUrl;
  }

  /** A client of the service at {@code baseUrl}, its connection upgraded to HTTP/2. */
  static ConsentGrpc connect(String baseUrl) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    HttpResponse<Void> upgrade =
        client.send(
            HttpRequest.newBuilder(URI.create(baseUrl + "/q/health/live")).build(),
            HttpResponse.BodyHandlers.discarding());
    if (upgrade.version() != HttpClient.Version.HTTP_2) {
      throw new IllegalStateException(baseUrl + " did not upgrade to HTTP/2 (h2c)");
    }
    return new ConsentGrpc(client, baseUrl);
  }

  /** Calls {@code method} ({@code package.Service/Method}) without waiting for the answer. */
  <T> CompletableFuture<Answer<T>> call(String method, MessageLite request, Parser<T> parser) {
    byte[] message = request.toByteArray();
    ByteBuffer framed = ByteBuffer.allocate(5 + message.length);
    framed.put((byte) 0).putInt(message.length).put(message);
    HttpRequest post =
        HttpRequest.newBuilder(URI.create(baseUrl + "/" + method))
            .header("content-type", "application/grpc")
            .header("te", "trailers")
            .POST(HttpRequest.BodyPublishers.ofByteArray(framed.array()))
            .build();
    return client
        .sendAsync(post, HttpResponse.BodyHandlers.ofByteArray())
        .thenApply(response -> answer(response, parser));
  }

  /** {@link #call} and wait. */
  <T> T callAndWait(String method, MessageLite request, Parser<T> parser) {
    Answer<T> answer = call(method, request, parser).join();
    if (!answer.ok()) {
      throw new IllegalStateException(method + " failed: " + answer.status());
    }
    return answer.message();
  }

  /**
   * A success carries one framed message (its status is in the trailers, which the JDK client does
   * not show); a failure answers with headers only, grpc-status among them.
   */
  private static <T> Answer<T> answer(HttpResponse<byte[]> response, Parser<T> parser) {
    byte[] body = response.body();
    String status = response.headers().firstValue("grpc-status").orElse(null);
    if (response.statusCode() != 200 || (status != null && !status.equals("0"))) {
      return new Answer<>(
          null,
          "http "
              + response.statusCode()
              + " grpc-status "
              + status
              + " "
              + response.headers().firstValue("grpc-message").orElse(""));
    }
    if (body.length < 5) {
      return new Answer<>(null, "empty answer");
    }
    try {
      return new Answer<>(parser.parseFrom(Arrays.copyOfRange(body, 5, body.length)), "0");
    } catch (InvalidProtocolBufferException e) {
      return new Answer<>(null, "unreadable answer");
    }
  }
}
