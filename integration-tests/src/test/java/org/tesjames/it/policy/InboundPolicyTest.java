package org.tesjames.it.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tesjames.it.facts.FactsToHeaders.MEMBERSHIP;
import static org.tesjames.it.facts.FactsToHeaders.header;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import javax.mail.internet.MimeMessage;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tesjames.it.facts.FactsToHeaders;
import org.tesjames.it.harness.SigningMembers;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.testing.dns.Fault;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.smtp.SmtpReply;
import org.tesjames.testing.smtp.SmtpTestClient;
import org.tesjames.testing.tes.TesMembershipZones;
import org.tesjames.testing.tes.TesMembershipZones.Chain;
import org.xbill.DNS.Type;

/** The TES server policy on the shipped inbound listener, at SMTP time, through a real James. */
class InboundPolicyTest {
    private static final Duration DELIVERY = Duration.ofSeconds(30);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    @RegisterExtension
    static TesJamesExtension extension = new TesJamesExtension(conf -> {
        FactsToHeaders.install(conf);
        // Short failures for the fault tests (not under 2 s: dnsjava 3.5.2's client can hold an answer up to
        // about 1 s); no hold-down so that a recovered DNS is seen at once.
        conf.modify("tes.properties", text -> text
            + "\ndns.timeout=2s\ndns.retries=0\ndns.cache.failure-hold-down=0s\n");
    });

    private static TesJamesServer james;
    private static TestDnsServer dns;
    private static TesMembershipZones zones;
    private static SigningMembers members;

    @BeforeAll
    static void setUp() {
        james = extension.james();
        dns = extension.dns();
        zones = new TesMembershipZones(dns);
        members = new SigningMembers(dns);
    }

    /** A fresh local recipient, so each test reads its own mailbox. */
    private static String recipient() throws Exception {
        String user = "rcpt" + SEQUENCE.incrementAndGet() + "@tes.test";
        james.addUser(user, "secret-Pa55");
        return user;
    }

    /**
     * A fresh member domain with its own master, so tests never share cached DNS answers. It DKIM-signs its mail
     * as members must ({@link #deliver} signs it), so these tests see the RCPT-time policy, not the end-of-DATA
     * authentication (tested in InboundAuthenticationTest).
     */
    private static String memberDomain() {
        int n = SEQUENCE.incrementAndGet();
        String domain = "member" + n + ".test";
        members.add(domain, "m" + n + ".master.test");
        return domain;
    }

    private static SmtpTestClient connect(String... tlsProtocols) throws Exception {
        SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", james.inboundPort())
            .tlsProtocols(tlsProtocols).trustAll().connect();
        client.ehlo("peer.example");
        if (tlsProtocols.length > 0) {
            assertThat(client.starttls().code()).isEqualTo(220);
            client.ehlo("peer.example");
        }
        return client;
    }

    private static SmtpReply deliver(SmtpTestClient client, String sender, String recipient, String headers)
            throws Exception {
        assertThat(client.mailFrom(sender).code()).isEqualTo(250);
        SmtpReply rcpt = client.rcptTo(recipient);
        if (rcpt.code() != 250) {
            return rcpt;
        }
        assertThat(client.data().code()).isEqualTo(354);
        String message = headers + "From: " + sender + "\r\nSubject: inbound\r\n\r\nbody\r\n";
        return client.message(members.sign(sender, message));
    }

    private static MimeMessage delivered(String recipient) {
        return james.awaitInbox(recipient, 1, DELIVERY).get(0);
    }

    @Nested
    class Members {
        @ParameterizedTest
        @org.junit.jupiter.params.provider.ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
        void areAcceptedOverTls12OrNewerAndStampedMember(String protocol) throws Exception {
            String rcpt = recipient();
            try (SmtpTestClient client = connect(protocol)) {
                assertThat(deliver(client, "alice@" + memberDomain(), rcpt, "").code()).isEqualTo(250);
            }

            MimeMessage message = delivered(rcpt);
            assertThat(message.getHeader("X-TES-Status")).containsExactly("member");
            assertThat(header(message, MEMBERSHIP)).contains("member");
        }

        @Test
        void areRejectedOverPlaintextAtRcptWithTheExactText() throws Exception {
            String rcpt = recipient();
            try (SmtpTestClient client = connect()) {
                SmtpReply reply = deliver(client, "alice@" + memberDomain(), rcpt, "");

                assertThat(reply.code()).isEqualTo(550);
                assertThat(reply.text()).isEqualTo("5.7.1 Member is not TES compliant");
            }
            assertThat(james.inbox(rcpt)).isEmpty();
        }

        @Test
        void membershipIsCaseInsensitive() throws Exception {
            String rcpt = recipient();
            try (SmtpTestClient client = connect()) {
                assertThat(deliver(client, "alice@" + memberDomain().toUpperCase(), rcpt, "").code()).isEqualTo(550);
            }
        }
    }

    @Nested
    class NonMembers {
        @Test
        void areAcceptedOverPlaintextAndStampedNonMember() throws Exception {
            String rcpt = recipient();
            try (SmtpTestClient client = connect()) {
                assertThat(deliver(client, "bob@unlisted.example", rcpt, "").code()).isEqualTo(250);
            }

            MimeMessage message = delivered(rcpt);
            assertThat(message.getHeader("X-TES-Status")).containsExactly("non-member");
            assertThat(header(message, MEMBERSHIP)).contains("non-member");
        }

        @Test
        void cannotForgeTheStatusHeader() throws Exception {
            String rcpt = recipient();
            try (SmtpTestClient client = connect()) {
                assertThat(deliver(client, "bob@unlisted.example", rcpt,
                    "X-TES-Status: member\r\n\tfolded\r\nX-Extra: kept\r\nX-Tes-Status: member\r\n").code())
                    .isEqualTo(250);
            }

            MimeMessage message = delivered(rcpt);
            assertThat(message.getHeader("X-TES-Status")).containsExactly("non-member");
            assertThat(message.getHeader("X-Extra")).containsExactly("kept");
            assertThat(message.getSubject()).isEqualTo("inbound");
        }

        @Test
        void theNullSenderIsANonMemberWithoutAnyLookup() throws Exception {
            String rcpt = recipient();
            dns.resetQueryCounts();
            try (SmtpTestClient client = connect()) {
                assertThat(deliver(client, "", rcpt, "").code()).isEqualTo(250);
            }

            assertThat(delivered(rcpt).getHeader("X-TES-Status")).containsExactly("non-member");
            assertThat(dns.queryCounts().keySet()).noneMatch(key -> key.contains("tes-master"));
        }
    }

    /** The three steps of the chain, for the fault tests. */
    enum ChainStep {
        TES_MASTER(Type.CNAME), MEMBER_OF_MASTER(Type.TXT), MASTER_IN_REGISTRY(Type.TXT);

        final int type;

        ChainStep(int type) {
            this.type = type;
        }

        String name(Chain chain) {
            return switch (this) {
                case TES_MASTER -> chain.tesMaster();
                case MEMBER_OF_MASTER -> chain.memberOfMaster();
                case MASTER_IN_REGISTRY -> chain.masterInRegistry();
            };
        }
    }

    @Nested
    class LookupFailures {
        private void defersThenAcceptsAfterRecovery(ChainStep step, Fault fault) throws Exception {
            int n = SEQUENCE.incrementAndGet();
            String domain = "member" + n + ".test";
            Chain chain = members.add(domain, "m" + n + ".master.test");
            String rcpt = recipient();
            dns.fault(step.name(chain), step.type, fault);

            try (SmtpTestClient client = connect("TLSv1.3")) {
                SmtpReply reply = deliver(client, "alice@" + domain, rcpt, "");
                assertThat(reply.code()).isEqualTo(451);
                assertThat(reply.text()).isEqualTo("4.4.3 TES lookup failed");
            }
            assertThat(james.inbox(rcpt)).isEmpty();

            dns.clearFaults();
            try (SmtpTestClient client = connect("TLSv1.3")) {
                assertThat(deliver(client, "alice@" + domain, rcpt, "").code()).isEqualTo(250);
            }
            assertThat(delivered(rcpt).getHeader("X-TES-Status")).containsExactly("member");
        }

        @ParameterizedTest
        @EnumSource(ChainStep.class)
        void aTimeoutDefersAtRcpt(ChainStep step) throws Exception {
            defersThenAcceptsAfterRecovery(step, Fault.noAnswer());
        }

        @ParameterizedTest
        @EnumSource(ChainStep.class)
        void servfailDefersAtRcpt(ChainStep step) throws Exception {
            defersThenAcceptsAfterRecovery(step, Fault.servfail());
        }

        @ParameterizedTest
        @EnumSource(ChainStep.class)
        void refusedDefersAtRcpt(ChainStep step) throws Exception {
            defersThenAcceptsAfterRecovery(step, Fault.refused());
        }
    }

    @Nested
    class DefiniteNegativeAnswers {
        private void isANonMember(String domain) throws Exception {
            String rcpt = recipient();
            try (SmtpTestClient client = connect()) {
                assertThat(deliver(client, "carol@" + domain, rcpt, "").code()).isEqualTo(250);
            }
            assertThat(delivered(rcpt).getHeader("X-TES-Status")).containsExactly("non-member");
        }

        @ParameterizedTest
        @EnumSource(ChainStep.class)
        void nxdomainAtAStepMeansNonMember(ChainStep step) throws Exception {
            int n = SEQUENCE.incrementAndGet();
            String domain = "member" + n + ".test";
            String master = "m" + n + ".master.test";
            Chain chain = zones.member(domain, master);
            removeStep(step, chain, domain, master);

            isANonMember(domain);
        }

        @ParameterizedTest
        @EnumSource(ChainStep.class)
        void nodataAtAStepMeansNonMember(ChainStep step) throws Exception {
            int n = SEQUENCE.incrementAndGet();
            String domain = "member" + n + ".test";
            String master = "m" + n + ".master.test";
            Chain chain = zones.member(domain, master);
            removeStep(step, chain, domain, master);
            // The name exists, with another type only.
            zoneOf(step, domain, master).a(step.name(chain), "192.0.2.1");

            isANonMember(domain);
        }

        private org.tesjames.testing.dns.TestZone zoneOf(ChainStep step, String domain, String master) {
            return switch (step) {
                case TES_MASTER -> dns.zone(domain);
                case MEMBER_OF_MASTER -> dns.zone(master);
                case MASTER_IN_REGISTRY -> dns.zone(TesMembershipZones.REGISTRY_ROOT);
            };
        }

        private void removeStep(ChainStep step, Chain chain, String domain, String master) {
            zoneOf(step, domain, master).remove(step.name(chain), step.type);
        }
    }
}
