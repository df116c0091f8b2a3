package io.cdp.contracts.kafka;

import com.google.protobuf.MessageLite;
import org.apache.kafka.common.serialization.Serializer;

/** Writes any protobuf message as its binary encoding; one class serves every payload. */
public class ProtoSerializer implements Serializer<MessageLite> {

  @Override
  public byte[] serialize(String topic, MessageLite message) {
    return message == null ? null : message.toByteArray();
  }
}
