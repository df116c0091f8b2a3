package io.cdp.profile.store;

import org.infinispan.protostream.GeneratedSchema;
import org.infinispan.protostream.annotations.ProtoSchema;

/** The protostream schema of the service's caches; Quarkus registers it with the server. */
@ProtoSchema(
    includeClasses = StoredProfile.class,
    schemaPackageName = "cdp.profile.store",
    schemaFileName = "profile-store.proto",
    schemaFilePath = "proto/")
public interface ProfileSchema extends GeneratedSchema {}
