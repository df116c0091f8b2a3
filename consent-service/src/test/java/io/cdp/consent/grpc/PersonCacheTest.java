package io.cdp.consent.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cdp.consent.Subject;
import io.cdp.consent.config.ConsentConfig;
import io.cdp.consent.grpc.IdentityDirectory.Person;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** How {@link PersonCache} orders what it learns, with lookups answered when the test says so. */
class PersonCacheTest {

  private static final Subject VISITOR = Subject.ofProfile("visitor");
  private static final Subject ANONYMOUS = new Subject("anonymous_id", "a1");
  private static final Subject EMAIL = new Subject("email", "ann@example.com");

  /** The identity service: each lookup waits until the test answers it. */
  private static final class Directory extends IdentityDirectory {
    final List<UniEmitter<? super Person>> lookups = new ArrayList<>();

    Directory() {
      super(null);
    }

    @Override
    public Uni<Person> person(Subject subject) {
      return Uni.createFrom().emitter(lookups::add);
    }
  }

  private final Directory directory = new Directory();
  private final PersonCache people = new PersonCache(directory, ttl(Duration.ofSeconds(30)));

  @Test
  void aLookupAMergeMadeObsoleteAnswersItsCheckButIsNotKept() throws Exception {
    CompletableFuture<Person> before = people.person(VISITOR).subscribeAsCompletionStage();
    // The visitor's profile merges into Ann's while the lookup is under way: looked up again
    people.forget(List.of("visitor", "ann"));
    assertEquals(2, directory.lookups.size());

    Person merged = new Person("ann", List.of(Subject.ofProfile("ann"), VISITOR, ANONYMOUS, EMAIL));
    directory.lookups.get(1).complete(merged);
    Person stale = new Person("visitor", List.of(VISITOR, ANONYMOUS));
    directory.lookups.get(0).complete(stale);

    assertEquals(stale, before.get());
    assertEquals(merged, people.person(VISITOR).await().indefinitely());
    assertEquals(2, directory.lookups.size());
  }

  @Test
  void aProfileNeverCheckedIsNotLookedUpWhenItMerges() {
    people.forget(List.of("visitor", "ann"));
    assertEquals(0, directory.lookups.size());
  }

  /** A configuration with only the TTL set (all PersonCache reads). */
  private static ConsentConfig ttl(Duration ttl) {
    return (ConsentConfig)
        Proxy.newProxyInstance(
            ConsentConfig.class.getClassLoader(),
            new Class<?>[] {ConsentConfig.class},
            (proxy, method, args) -> {
              if (method.getName().equals("identityCacheTtl")) {
                return ttl;
              }
              throw new UnsupportedOperationException(method.getName());
            });
  }
}
