package io.cdp.audience.store;

import org.infinispan.protostream.GeneratedSchema;
import org.infinispan.protostream.annotations.ProtoSchema;

/** The protostream schema of what this service keeps in Infinispan. */
@ProtoSchema(includeClasses = MembershipSet.class, schemaPackageName = "cdp.audience.cache")
interface MembershipSchema extends GeneratedSchema {}
