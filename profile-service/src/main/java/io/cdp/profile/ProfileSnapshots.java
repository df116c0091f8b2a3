package io.cdp.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.profile.v1.Profile;
import java.util.Iterator;
import java.util.Map;

/** The live profile as the contract's {@link Profile} message, for changes and gRPC lookups. */
public final class ProfileSnapshots {

  private ProfileSnapshots() {}

  /** Traits and attributes become {@code google.protobuf.Struct}s with the same JSON values. */
  public static Profile toProto(LiveProfile profile) {
    Profile.Builder builder =
        Profile.newBuilder()
            .setProfileId(profile.profileId())
            .addAllIdentifiers(profile.identifiers())
            .setTraits(struct(profile.traits()))
            .setAttributes(struct(profile.attributes()))
            .addAllBadges(profile.badges())
            .setVersion(profile.version());
    if (profile.visit() != null) {
      builder.setVisit(
          io.cdp.contracts.profile.v1.Visit.newBuilder()
              .setStartedAt(ProtoTime.timestamp(profile.visit().startedAt()))
              .setLastEventAt(ProtoTime.timestamp(profile.visit().lastEventAt()))
              .setEventCount(profile.visit().eventCount())
              .setEnded(profile.visit().ended()));
    }
    if (profile.updatedAt() != null) {
      builder.setUpdatedAt(ProtoTime.timestamp(profile.updatedAt()));
    }
    return builder.build();
  }

  private static Struct struct(JsonNode object) {
    Struct.Builder struct = Struct.newBuilder();
    Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      struct.putFields(field.getKey(), value(field.getValue()));
    }
    return struct.build();
  }

  private static Value value(JsonNode node) {
    if (node.isObject()) {
      return Value.newBuilder().setStructValue(struct(node)).build();
    }
    if (node.isArray()) {
      ListValue.Builder list = ListValue.newBuilder();
      node.forEach(element -> list.addValues(value(element)));
      return Value.newBuilder().setListValue(list).build();
    }
    if (node.isNumber()) {
      return Value.newBuilder().setNumberValue(node.asDouble()).build();
    }
    if (node.isBoolean()) {
      return Value.newBuilder().setBoolValue(node.asBoolean()).build();
    }
    if (node.isNull() || node.isMissingNode()) {
      return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
    }
    return Value.newBuilder().setStringValue(node.asText()).build();
  }
}
