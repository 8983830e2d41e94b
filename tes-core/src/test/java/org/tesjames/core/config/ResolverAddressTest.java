package org.tesjames.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResolverAddressTest {
    @Test
    void defaultsToPort53() {
        assertThat(ResolverAddress.parse("192.0.2.1").socketAddress())
            .isEqualTo(new InetSocketAddress("192.0.2.1", 53));
    }

    @Test
    void parsesIpv4WithPort() {
        assertThat(ResolverAddress.parse("127.0.0.1:5353").port()).isEqualTo(5353);
    }

    @Test
    void parsesBracketedAndBareIpv6() {
        assertThat(ResolverAddress.parse("[::1]:5353")).hasToString("[0:0:0:0:0:0:0:1]:5353");
        assertThat(ResolverAddress.parse("2001:db8::53")).hasToString("[2001:db8:0:0:0:0:0:53]:53");
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "dns.example", "", "127.0.0.1:", "127.0.0.1:0", "[::1]:99999", "1.2.3"})
    void refusesWhatIsNotAnIpLiteralWithAValidPort(String value) {
        assertThatThrownBy(() -> ResolverAddress.parse(value)).isInstanceOf(IllegalArgumentException.class);
    }
}
