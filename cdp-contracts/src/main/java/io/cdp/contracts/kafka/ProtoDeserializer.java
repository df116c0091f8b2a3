package io.cdp.contracts.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads one protobuf payload type. Kafka instantiates deserializers by class name, so each payload
 * has a one-line subclass in {@link Deserializers}.
 */
public abstract class ProtoDeserializer<T extends MessageLite> implements Deserializer<T> {

  private final Parser<T> parser;

  protected ProtoDeserializer(Parser<T> parser) {
    this.parser = parser;
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null; // a tombstone on a compacted topic
    }
    try {
      return parser.parseFrom(data);
    } catch (InvalidProtocolBufferException e) {
      throw new SerializationException("Not a valid payload on " + topic, e);
    }
  }
}
