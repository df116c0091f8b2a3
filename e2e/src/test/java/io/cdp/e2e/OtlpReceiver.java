package io.cdp.e2e;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * A minimal OpenTelemetry collector: an OTLP/gRPC trace endpoint on a free loopback port that keeps
 * the spans the services export. It reads only what the tests look at (service, trace, span,
 * parent, name), straight from the protobuf wire format of {@code ExportTraceServiceRequest}.
 */
final class OtlpReceiver implements AutoCloseable {

  /** One exported span. Ids are lower-case hex, as in a {@code traceparent} header. */
  record Span(String service, String traceId, String spanId, String parentSpanId, String name) {}

  private static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  private static final String SERVICE = "opentelemetry.proto.collector.trace.v1.TraceService";

  private final ConcurrentLinkedQueue<Span> spans = new ConcurrentLinkedQueue<>();
  private final Server server;

  private OtlpReceiver() throws IOException {
    MethodDescriptor<byte[], byte[]> export =
        MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Export"))
            .setRequestMarshaller(BYTES)
            .setResponseMarshaller(BYTES)
            .build();
    ServerServiceDefinition traces =
        ServerServiceDefinition.builder(SERVICE)
            .addMethod(
                export,
                ServerCalls.asyncUnaryCall(
                    (request, response) -> {
                      try {
                        spans.addAll(exportedSpans(request));
                      } catch (IOException e) {
                        response.onError(e);
                        return;
                      }
                      response.onNext(new byte[0]); // an empty ExportTraceServiceResponse
                      response.onCompleted();
                    }))
            .build();
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .addService(traces)
            .build()
            .start();
  }

  static OtlpReceiver start() throws IOException {
    return new OtlpReceiver();
  }

  /** The endpoint for {@code quarkus.otel.exporter.otlp.endpoint}. */
  String endpoint() {
    return "http://127.0.0.1:" + server.getPort();
  }

  /** The spans of {@code traceId} received so far. */
  List<Span> trace(String traceId) {
    return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
  }

  /** Writes every span received, one a line, for looking into a broken trace afterwards. */
  void save(Path file) throws IOException {
    Files.write(file, spans.stream().map(Span::toString).toList());
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  // ExportTraceServiceRequest: 1 resource_spans. ResourceSpans: 1 resource, 2 scope_spans.
  // Resource: 1 attributes (KeyValue: 1 key, 2 value; AnyValue: 1 string_value).
  // ScopeSpans: 2 spans. Span: 1 trace_id, 2 span_id, 4 parent_span_id, 5 name.
  private static List<Span> exportedSpans(byte[] request) throws IOException {
    List<Span> found = new ArrayList<>();
    for (ByteString resourceSpans : fields(request, 1)) {
      String service = "";
      List<ByteString> scopeSpans = new ArrayList<>();
      CodedInputStream in = resourceSpans.newCodedInput();
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        switch (WireFormat.getTagFieldNumber(tag)) {
          case 1 -> service = serviceName(in.readBytes());
          case 2 -> scopeSpans.add(in.readBytes());
          default -> in.skipField(tag);
        }
      }
      for (ByteString scope : scopeSpans) {
        for (ByteString span : fields(scope.toByteArray(), 2)) {
          found.add(span(service, span));
        }
      }
    }
    return found;
  }

  private static String serviceName(ByteString resource) throws IOException {
    for (ByteString attribute : fields(resource.toByteArray(), 1)) {
      String key = "";
      String value = "";
      CodedInputStream in = attribute.newCodedInput();
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        switch (WireFormat.getTagFieldNumber(tag)) {
          case 1 -> key = in.readString();
          case 2 ->
              value =
                  fields(in.readBytes().toByteArray(), 1).stream()
                      .findFirst()
                      .map(ByteString::toStringUtf8)
                      .orElse("");
          default -> in.skipField(tag);
        }
      }
      if (key.equals("service.name")) {
        return value;
      }
    }
    return "";
  }

  private static Span span(String service, ByteString span) throws IOException {
    String traceId = "";
    String spanId = "";
    String parent = "";
    String name = "";
    CodedInputStream in = span.newCodedInput();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> traceId = hex(in.readBytes());
        case 2 -> spanId = hex(in.readBytes());
        case 4 -> parent = hex(in.readBytes());
        case 5 -> name = in.readString();
        default -> in.skipField(tag);
      }
    }
    return new Span(service, traceId, spanId, parent, name);
  }

  /** Every occurrence of length-delimited field {@code number} in {@code message}. */
  private static List<ByteString> fields(byte[] message, int number) throws IOException {
    List<ByteString> values = new ArrayList<>();
    CodedInputStream in = CodedInputStream.newInstance(message);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (WireFormat.getTagFieldNumber(tag) == number
          && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        values.add(in.readBytes());
      } else {
        in.skipField(tag);
      }
    }
    return values;
  }

  private static String hex(ByteString bytes) {
    return HexFormat.of().formatHex(bytes.toByteArray());
  }
}
