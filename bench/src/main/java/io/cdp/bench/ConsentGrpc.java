package io.cdp.bench;

import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Unary gRPC calls to a service of the suite with grpc-java's Netty client, as another service (a
 * real gRPC client on one HTTP/2 connection, in clear text) calls it. Messages are the contracts'
 * protobuf classes; a method is named {@code package.Service/Method}.
 *
 * <p>The JDK's HTTP/2 client used before answered at most ~1,300 calls/s on one connection while
 * the consent service was half idle, so it measured itself rather than the service.
 */
final class ConsentGrpc implements AutoCloseable {

  /** A call's outcome: the answer, or the gRPC status code and message of a failure. */
  record Answer<T>(T message, String status) {
    boolean ok() {
      return message != null;
    }
  }

  private final ManagedChannel channel;
  private final Map<String, MethodDescriptor<MessageLite, ?>> methods = new ConcurrentHashMap<>();

  private ConsentGrpc(ManagedChannel channel) {
    this.channel = channel;
  }

  /**
   * A client of the service at {@code baseUrl} ({@code http://host:port}). Answers are handled on
   * the connection's own thread (what the callers do with them is short and never blocks):
   * grpc-java would otherwise hand each one to a thread of its pool, a thread switch per call that,
   * at 5,000 calls/s, takes CPU from the service measured on the same machine.
   */
  static ConsentGrpc connect(String baseUrl) {
    URI uri = URI.create(baseUrl);
    return new ConsentGrpc(
        NettyChannelBuilder.forAddress(uri.getHost(), uri.getPort())
            .usePlaintext()
            .directExecutor()
            .build());
  }

  /** Calls {@code method} ({@code package.Service/Method}) without waiting for the answer. */
  @SuppressWarnings("unchecked")
  <T> CompletableFuture<Answer<T>> call(String method, MessageLite request, Parser<T> parser) {
    MethodDescriptor<MessageLite, T> descriptor =
        (MethodDescriptor<MessageLite, T>)
            methods.computeIfAbsent(method, name -> descriptor(name, parser));
    CompletableFuture<Answer<T>> answer = new CompletableFuture<>();
    ClientCalls.asyncUnaryCall(
        channel.newCall(descriptor, CallOptions.DEFAULT),
        request,
        new StreamObserver<T>() {
          @Override
          public void onNext(T value) {
            answer.complete(new Answer<>(value, "0"));
          }

          @Override
          public void onError(Throwable t) {
            Status status = Status.fromThrowable(t);
            answer.complete(
                new Answer<>(
                    null,
                    "grpc-status "
                        + status.getCode().value()
                        + " "
                        + (status.getDescription() == null ? "" : status.getDescription())));
          }

          @Override
          public void onCompleted() {
            answer.complete(new Answer<>(null, "empty answer"));
          }
        });
    return answer;
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdown().awaitTermination(5, TimeUnit.SECONDS);
  }

  private static <T> MethodDescriptor<MessageLite, T> descriptor(String name, Parser<T> parser) {
    return MethodDescriptor.<MessageLite, T>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(name)
        .setRequestMarshaller(new Marshaller<>(null))
        .setResponseMarshaller(new Marshaller<>(parser))
        .build();
  }

  /** Protobuf bytes both ways; only answers are parsed. */
  private record Marshaller<T>(Parser<T> parser) implements MethodDescriptor.Marshaller<T> {
    @Override
    public InputStream stream(T value) {
      return new ByteArrayInputStream(((MessageLite) value).toByteArray());
    }

    @Override
    public T parse(InputStream stream) {
      try {
        return parser.parseFrom(stream);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
