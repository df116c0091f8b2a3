package io.cdp.consent.privacy;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.cdp.common.rest.ApiException;
import io.cdp.consent.ConsentPolicy;
import io.cdp.consent.Consents;
import io.cdp.consent.Subject;
import io.cdp.consent.grpc.IdentityDirectory;
import io.cdp.consent.grpc.IdentityDirectory.Person;
import io.cdp.consent.store.ConsentRecord;
import io.cdp.consent.store.ConsentStore;
import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.audience.v1.Memberships;
import io.cdp.contracts.audience.v1.MembershipsRequest;
import io.cdp.contracts.connector.v1.Deliveries;
import io.cdp.contracts.connector.v1.ProfileDeliveriesRequest;
import io.cdp.contracts.profile.v1.GetProfileRequest;
import io.cdp.contracts.profile.v1.Profile;
import io.cdp.contracts.profile.v1.Profiles;
import io.grpc.Status;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The privacy access API's answer: everything the suite holds about a person, gathered over gRPC
 * from the service that owns each part, in parallel: identifiers (identity {@code Lookup}), the
 * live profile (profile {@code GetProfile}), audience memberships (audience {@code
 * GetMemberships}), deliveries (connector {@code ListByProfile}), and this service's own consent
 * state and history. A part that cannot be read fails the whole answer (503): an access request
 * answered with a silent gap would misstate what is held.
 */
@ApplicationScoped
public class AccessReports {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  /** The live profile as the profile API shows it. */
  public record ProfileView(
      String profileId,
      List<String> identifiers,
      Map<String, Object> traits,
      Map<String, Object> attributes,
      List<String> badges,
      Map<String, Object> visit,
      Instant updatedAt) {}

  /** One audience the person is in. */
  public record MembershipView(String audienceId, String name, Instant since) {}

  /** One consent decision as recorded: under which subject, what, where it came from, when. */
  public record ConsentEntry(
      String subject, String purpose, boolean granted, String source, Instant recordedAt) {}

  /** Consent now (effective per purpose, what was chosen, the known place) and its history. */
  public record ConsentSection(
      Map<String, Boolean> purposes,
      Map<String, Boolean> explicit,
      String jurisdiction,
      List<ConsentEntry> history) {}

  /** One delivery made about the person (never its body). */
  public record DeliveryView(
      String deliveryId,
      String connectorId,
      String connectorName,
      String status,
      int attempts,
      String lastError,
      Instant createdAt,
      Instant updatedAt) {}

  /** The whole answer; {@code profile} is null when the profile service holds none. */
  public record AccessReport(
      String identifier,
      String profileId,
      List<String> identifiers,
      ProfileView profile,
      List<MembershipView> memberships,
      ConsentSection consent,
      List<DeliveryView> deliveries,
      Instant gatheredAt) {}

  private final IdentityDirectory directory;
  private final Consents consents;
  private final ConsentStore store;
  private final ConsentPolicy policy;
  private final Profiles profiles;
  private final Memberships memberships;
  private final Deliveries deliveries;

  public AccessReports(
      IdentityDirectory directory,
      Consents consents,
      ConsentStore store,
      ConsentPolicy policy,
      @GrpcClient("profiles") Profiles profiles,
      @GrpcClient("audience") Memberships memberships,
      @GrpcClient("connector") Deliveries deliveries) {
    this.directory = directory;
    this.consents = consents;
    this.store = store;
    this.policy = policy;
    this.profiles = profiles;
    this.memberships = memberships;
    this.deliveries = deliveries;
  }

  /**
   * Everything held about the person {@code subject} belongs to; 404 when no service knows them
   * (the identity service has no profile and this service no consent).
   */
  @WithSpan
  public Uni<AccessReport> of(Subject subject) {
    return directory
        .person(subject)
        .onFailure()
        .transform(e -> unavailable("identity-service", e))
        .chain(person -> gather(subject, person));
  }

  private Uni<AccessReport> gather(Subject subject, Person person) {
    String profileId = person.profileId();
    boolean known = !profileId.isEmpty();
    Uni<ConsentSection> consent = consentOf(person.subjects());
    Uni<ProfileView> profile = known ? profileOf(profileId) : Uni.createFrom().nullItem();
    Uni<List<MembershipView>> audiences =
        known ? membershipsOf(profileId) : Uni.createFrom().item(List.of());
    Uni<List<DeliveryView>> sent =
        known ? deliveriesOf(profileId) : Uni.createFrom().item(List.of());
    return Uni.combine()
        .all()
        .unis(consent, profile, audiences, sent)
        .asTuple()
        .map(
            parts -> {
              if (!known && parts.getItem1().history().isEmpty()) {
                throw ApiException.notFound("Identifier " + subject.key());
              }
              List<String> identifiers =
                  person.subjects().stream()
                      .filter(s -> !s.type().equals(Subject.PROFILE))
                      .map(Subject::key)
                      .toList();
              return new AccessReport(
                  subject.key(),
                  known ? profileId : null,
                  identifiers,
                  parts.getItem2(),
                  parts.getItem3(),
                  parts.getItem1(),
                  parts.getItem4(),
                  Instant.now());
            });
  }

  /** This service's part: the state now and every recorded decision, one read after the other. */
  private Uni<ConsentSection> consentOf(List<Subject> subjects) {
    return consents
        .explicitOf(subjects)
        .chain(
            known ->
                Panache.withSession(() -> store.history(subjects))
                    .map(
                        records ->
                            new ConsentSection(
                                policy.effective(known.explicit(), known.jurisdiction()),
                                known.explicit(),
                                known.jurisdiction(),
                                records.stream().map(AccessReports::entry).toList())));
  }

  private Uni<ProfileView> profileOf(String profileId) {
    return profiles
        .getProfile(GetProfileRequest.newBuilder().setProfileId(profileId).build())
        .ifNoItem()
        .after(TIMEOUT)
        .failWith(() -> new IllegalStateException("no answer in " + TIMEOUT.toSeconds() + " s"))
        .map(AccessReports::profile)
        .onFailure(e -> Status.fromThrowable(e).getCode() == Status.Code.NOT_FOUND)
        .recoverWithNull()
        .onFailure()
        .transform(e -> unavailable("profile-service", e));
  }

  private Uni<List<MembershipView>> membershipsOf(String profileId) {
    return memberships
        .getMemberships(MembershipsRequest.newBuilder().setProfileId(profileId).build())
        .ifNoItem()
        .after(TIMEOUT)
        .failWith(() -> new IllegalStateException("no answer in " + TIMEOUT.toSeconds() + " s"))
        .map(
            answer ->
                answer.getMembershipsList().stream()
                    .map(
                        m ->
                            new MembershipView(
                                m.getAudienceId(),
                                m.getAudienceName(),
                                ProtoTime.instant(m.getSince())))
                    .toList())
        .onFailure()
        .transform(e -> unavailable("audience-service", e));
  }

  private Uni<List<DeliveryView>> deliveriesOf(String profileId) {
    return deliveries
        .listByProfile(ProfileDeliveriesRequest.newBuilder().setProfileId(profileId).build())
        .ifNoItem()
        .after(TIMEOUT)
        .failWith(() -> new IllegalStateException("no answer in " + TIMEOUT.toSeconds() + " s"))
        .map(
            answer ->
                answer.getDeliveriesList().stream()
                    .map(
                        d ->
                            new DeliveryView(
                                d.getDeliveryId(),
                                d.getConnectorId(),
                                d.getConnectorName(),
                                d.getStatus(),
                                d.getAttempts(),
                                d.getLastError().isEmpty() ? null : d.getLastError(),
                                ProtoTime.instant(d.getCreatedAt()),
                                ProtoTime.instant(d.getUpdatedAt())))
                    .toList())
        .onFailure()
        .transform(e -> unavailable("connector-service", e));
  }

  private static ApiException unavailable(String service, Throwable cause) {
    if (cause instanceof ApiException api) {
      return api;
    }
    return new ApiException(
        503,
        "service_unavailable",
        service + " could not be read, so the answer would be incomplete: " + cause.getMessage());
  }

  private static ConsentEntry entry(ConsentRecord record) {
    return new ConsentEntry(
        record.subject, record.purpose, record.granted, record.source, record.recordedAt);
  }

  private static ProfileView profile(Profile profile) {
    Map<String, Object> visit = new LinkedHashMap<>();
    if (profile.hasVisit()) {
      var v = profile.getVisit();
      visit.put("startedAt", v.hasStartedAt() ? ProtoTime.instant(v.getStartedAt()) : null);
      visit.put("lastEventAt", v.hasLastEventAt() ? ProtoTime.instant(v.getLastEventAt()) : null);
      visit.put("eventCount", v.getEventCount());
      visit.put("ended", v.getEnded());
    }
    return new ProfileView(
        profile.getProfileId(),
        List.copyOf(profile.getIdentifiersList()),
        json(profile.getTraits()),
        json(profile.getAttributes()),
        List.copyOf(profile.getBadgesList()),
        visit,
        profile.hasUpdatedAt() ? ProtoTime.instant(profile.getUpdatedAt()) : null);
  }

  /** A protobuf Struct as plain JSON values for Jackson (null stays null). */
  private static Map<String, Object> json(Struct struct) {
    Map<String, Object> map = new LinkedHashMap<>();
    struct.getFieldsMap().forEach((key, value) -> map.put(key, json(value)));
    return map;
  }

  private static Object json(Value value) {
    return switch (value.getKindCase()) {
      case NUMBER_VALUE -> value.getNumberValue();
      case STRING_VALUE -> value.getStringValue();
      case BOOL_VALUE -> value.getBoolValue();
      case STRUCT_VALUE -> json(value.getStructValue());
      case LIST_VALUE -> json(value.getListValue());
      case NULL_VALUE, KIND_NOT_SET -> null;
    };
  }

  private static List<Object> json(ListValue list) {
    List<Object> values = new ArrayList<>();
    list.getValuesList().forEach(value -> values.add(json(value)));
    return values;
  }
}
