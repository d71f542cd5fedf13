// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AddressRangeTest {

  static byte[] ip(String text) {
    return AddressRange.literal(text);
  }

  @Test
  void matchesIpv4AddressesAndRanges() {
    assertThat(AddressRange.parse("192.0.2.1").contains(ip("192.0.2.1"))).isTrue();
    assertThat(AddressRange.parse("192.0.2.1").contains(ip("192.0.2.2"))).isFalse();
    AddressRange range = AddressRange.parse("10.20.0.0/14");
    assertThat(range.contains(ip("10.23.255.255"))).isTrue();
    assertThat(range.contains(ip("10.24.0.0"))).isFalse();
    assertThat(AddressRange.parse("0.0.0.0/0").contains(ip("203.0.113.9"))).isTrue();
  }

  @Test
  void matchesIpv6AddressesAndRangesButNotAcrossFamilies() {
    AddressRange range = AddressRange.parse("2001:db8::/32");
    assertThat(range.contains(ip("2001:db8:ffff::1"))).isTrue();
    assertThat(range.contains(ip("2001:db9::1"))).isFalse();
    assertThat(range.contains(ip("192.0.2.1"))).isFalse();
    assertThat(AddressRange.parse("::1").contains(ip("0:0:0:0:0:0:0:1"))).isTrue();
  }

  @Test
  void refusesHostNamesAndNonsenseWithoutResolvingThem() {
    for (String text :
        new String[] {
          "localhost",
          "example.com",
          "1.2.3",
          "1.2.3.256",
          "01.2.3.4.5",
          "",
          "abc",
          "1.2.3.4/",
          "::g"
        }) {
      assertThat(AddressRange.literal(text)).as(text).isNull();
    }
    assertThatThrownBy(() -> AddressRange.parse("example.com"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void bundlesStripesWebhookAddresses() {
    List<AddressRange> stripe = AddressRange.stripe(null);
    assertThat(stripe).hasSize(15);
    assertThat(stripe).anySatisfy(r -> assertThat(r.contains(ip("3.69.109.8"))).isTrue());
    assertThat(stripe).anySatisfy(r -> assertThat(r.contains(ip("54.187.174.169"))).isTrue());
  }

  @Test
  void aFileReplacesTheBundledList(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("ips.txt");
    Files.writeString(file, "# ours\n198.51.100.0/24\n\n");
    List<AddressRange> stripe = AddressRange.parseAll(List.of("stripe"), file.toString());
    assertThat(stripe)
        .singleElement()
        .satisfies(r -> assertThat(r.contains(ip("198.51.100.7"))).isTrue());
  }
}
