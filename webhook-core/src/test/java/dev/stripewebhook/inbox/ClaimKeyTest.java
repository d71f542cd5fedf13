// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Claim.Key's written-out equals and hashCode keep the record's: equal by value, nulls too. */
class ClaimKeyTest {

  @Test
  void keysOfTheSameEventAndOwnerAreEqualAndHashAlike() {
    Claim.Key key = new Claim.Key("evt_1", "request-1");
    Claim.Key same = new Claim.Key(new String("evt_1"), new String("request-1"));

    assertThat(same).isEqualTo(key).hasSameHashCodeAs(key);
    assertThat(new Claim.Key("evt_1", "request-2")).isNotEqualTo(key);
    assertThat(new Claim.Key("evt_2", "request-1")).isNotEqualTo(key);
    assertThat(new Claim.Key("request-1", "evt_1")).isNotEqualTo(key);
    assertThat(key).isNotEqualTo("evt_1");
  }

  @Test
  void aNullComponentComparesAsTheRecordDid() {
    Claim.Key noId = new Claim.Key(null, "request-1");

    assertThat(new Claim.Key(null, "request-1")).isEqualTo(noId).hasSameHashCodeAs(noId);
    assertThat(noId).isNotEqualTo(new Claim.Key("evt_1", "request-1"));
    assertThat(new Claim.Key("evt_1", null)).isNotEqualTo(new Claim.Key("evt_1", "request-1"));
  }
}
