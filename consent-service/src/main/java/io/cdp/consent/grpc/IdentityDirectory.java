package io.cdp.consent.grpc;

import io.cdp.consent.Subject;
import io.cdp.contracts.identity.v1.Identifier;
import io.cdp.contracts.identity.v1.Identity;
import io.cdp.contracts.identity.v1.LookupRequest;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Who a subject is, asked of the identity service ({@code Identity.Lookup}): consent given under an
 * email, a user id or a profile id belongs to one person, so checks and erasures consider all of
 * them.
 */
@ApplicationScoped
public class IdentityDirectory {

  /** The identity service's type for looking a profile up by its id. */
  private static final String PROFILE_ID = "profile_id";

  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  private final Identity identity;

  public IdentityDirectory(@GrpcClient("identity") Identity identity) {
    this.identity = identity;
  }

  /**
   * A person as far as the identity service knows: their profile id (empty if none) and subjects.
   */
  public record Person(String profileId, List<Subject> subjects) {}

  /**
   * The person {@code subject} belongs to: the profile's own subject first, then every identifier
   * linked to it. An unknown subject is a person of its own. Fails when the identity service cannot
   * answer: deciding on part of a person could let a withdrawn purpose through.
   */
  public Uni<Person> person(Subject subject) {
    Identifier asked =
        Identifier.newBuilder()
            .setType(subject.type().equals(Subject.PROFILE) ? PROFILE_ID : subject.type())
            .setValue(subject.value())
            .build();
    return identity
        .lookup(LookupRequest.newBuilder().setIdentifier(asked).build())
        .ifNoItem()
        .after(TIMEOUT)
        .failWith(() -> new IllegalStateException("The identity service did not answer in time"))
        .map(
            found -> {
              Set<Subject> subjects = new LinkedHashSet<>();
              if (!found.getProfileId().isEmpty()) {
                subjects.add(Subject.ofProfile(found.getProfileId()));
              }
              subjects.add(subject);
              found
                  .getIdentifiersList()
                  .forEach(id -> subjects.add(Subject.parse(id.getType() + ":" + id.getValue())));
              return new Person(found.getProfileId(), List.copyOf(subjects));
            });
  }
}
