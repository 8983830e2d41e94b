package org.tesjames.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.tesjames.core.Mutations;
import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.core.dkim.sign.DkimKey;
import org.tesjames.core.dkim.sign.DkimKeyFile;
import org.tesjames.core.dkim.sign.DkimSignature;
import org.tesjames.core.dkim.sign.DkimSigner;
import org.tesjames.core.dkim.verify.BodyHashes;
import org.tesjames.core.dkim.verify.DkimVerifier;
import org.tesjames.core.dmarc.DmarcEvaluator;
import org.tesjames.core.dmarc.DmarcPolicyDiscovery;
import org.tesjames.core.dmarc.Policy;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsResult;
import org.tesjames.core.mail.HeaderFields;
import org.xbill.DNS.ARecord;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Message authentication on mutated input ({@link Mutations}): a message signed with an RSA and an Ed25519 key, its
 * header or whole text mutated, published DKIM keys, DMARC and SPF records mutated, HELO and MAIL FROM mutated. Each
 * authentication completes normally; its {@code Authentication-Results} value is one line of printable ASCII; and
 * the SMTP server's path (the header parsed alone, the body hashed in chunks of random size, as
 * {@code InboundAuthenticationHook} feeds it) reports exactly what authenticating the whole message in one call does.
 */
class MutatedMessagesTest {
    private static final int ROUNDS = 2_000;
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-03-01T10:00:00Z"), ZoneOffset.UTC);
    private static final String MESSAGE = """
        Return-Path: <alice@example.com>
        From: "Alice (Example)" <alice@example.com>
        Reply-To: alice@example.com
        To: bob@example.net, carol@example.net
        Subject: Minutes of
        	 the  meeting
        Date: Fri, 1 Mar 2024 09:59:00 +0000
        Message-ID: <minutes-7@example.com>
        MIME-Version: 1.0

        Present:	Alice, Bob 	
           Carol

        Next meeting on Friday.  	
        """.replace("\n", "\r\n");

    /** Answers from a table; anything not in it is NXDOMAIN. */
    private static final class TableDns implements DnsClient {
        private final Map<String, DnsResult> table = new HashMap<>();
        /** What {@link #txt} published, for a failure message. */
        private final List<String> published = new ArrayList<>();

        @Override
        public CompletableFuture<DnsResult> query(Name name, int type) {
            return CompletableFuture.completedFuture(table.getOrDefault(key(name, type),
                new DnsResult.NxDomain(name, type, Duration.ofSeconds(300), false)));
        }

        private static String key(Name name, int type) {
            return name.toString().toLowerCase() + "/" + Type.string(type);
        }

        /** A TXT record of the text's UTF-8 octets as they would be on the wire, in strings of 255 octets. */
        void txt(String owner, String text) {
            published.add(owner + " TXT " + Mutations.visible(text));
            Name name = Name.fromConstantString(owner + ".");
            byte[] octets = text.getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream rdata = new ByteArrayOutputStream();
            int at = 0;
            do {
                int length = Math.min(255, octets.length - at);
                rdata.write(length);
                rdata.write(octets, at, length);
                at += length;
            } while (at < octets.length);
            table.put(key(name, Type.TXT), new DnsResult.Answer(name, Type.TXT,
                List.of(Record.newRecord(name, Type.TXT, DClass.IN, 300, rdata.toByteArray())),
                Duration.ofSeconds(300), false));
        }

        void a(String owner, InetAddress address) {
            Name name = Name.fromConstantString(owner + ".");
            table.put(key(name, Type.A), new DnsResult.Answer(name, Type.A,
                List.of(new ARecord(name, DClass.IN, 300, address)), Duration.ofSeconds(300), false));
        }
    }

    private static DkimKey rsa;
    private static DkimKey ed25519;
    /** {@link #MESSAGE} with a signature by each key. */
    private static String signed;

    @BeforeAll
    static void sign() throws Exception {
        rsa = key(DkimKeyType.RSA, 1024, "rsa1");
        ed25519 = key(DkimKeyType.ED25519, 0, "ed");
        StringBuilder head = new StringBuilder();
        for (DkimSignature signature : new DkimSigner(domain -> List.of(rsa, ed25519), CLOCK)
                .sign("example.com", MESSAGE.getBytes(StandardCharsets.ISO_8859_1)).signatures()) {
            head.append(signature.headerField()).append("\r\n");
        }
        signed = head + MESSAGE;
    }

    @Test
    void authenticationCompletesAndTheStreamingPathAgreesWithTheWholeMessage() throws Exception {
        // a debug line per verdict would make megabytes of test output
        Logger logger = (Logger) LoggerFactory.getLogger("org.tesjames.core");
        Level level = logger.getLevel();
        logger.setLevel(Level.INFO);
        try {
            authenticateMutated();
        } finally {
            logger.setLevel(level);
        }
    }

    private static void authenticateMutated() throws Exception {
        InetAddress client = InetAddress.getByName("192.0.2.1");
        int headerEnd = signed.indexOf("\r\n\r\n");
        Mutations mutations = new Mutations(31);
        int dkimPasses = 0;
        for (int i = 0; i < ROUNDS; i++) {
            TableDns dns = new TableDns();
            dns.txt("rsa1._domainkey.example.com", maybe(mutations, rsa.keyRecord().text()));
            dns.txt("ed._domainkey.example.com", maybe(mutations, ed25519.keyRecord().text()));
            dns.txt("_dmarc.example.com", maybe(mutations, "v=DMARC1; p=reject; adkim=s; pct=100"));
            dns.txt("example.com",
                maybe(mutations, "v=spf1 ip4:192.0.2.1 include:_spf.%{d} exists:%{ir}.%{l}.x.%{d} -all"));
            dns.txt("_spf.example.com", mutations.of("v=spf1 mx ?all"));
            dns.a("example.com", client);
            String message = switch (mutations.below(3)) {
                case 0 -> mutations.of(signed);
                case 1 -> mutations.of(signed.substring(0, headerEnd)) + signed.substring(headerEnd);
                default -> signed;
            };
            SmtpIdentity identity = new SmtpIdentity(client, maybe(mutations, "mail.example.com"),
                maybe(mutations, "alice@example.com"));
            MessageAuthenticator authenticator = new MessageAuthenticator(new DkimVerifier(dns, CLOCK),
                new SpfVerifier(dns), new DmarcPolicyDiscovery(dns), new DmarcEvaluator(() -> 0, Policy.REJECT));
            String input = "message " + Mutations.visible(message) + ", HELO "
                + Mutations.visible(identity.helo()) + ", MAIL FROM "
                + Mutations.visible(identity.mailFrom()) + ", DNS " + dns.published;

            byte[] octets = message.getBytes(StandardCharsets.ISO_8859_1);
            AuthenticationReport whole = authenticator.authenticate(octets, identity).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
            BodyHashes bodies = streamedBody(mutations, authenticator, octets, identity);
            AuthenticationReport streamed = authenticator.authenticate(authenticator.prefetch(headerOf(octets),
                identity), bodies, identity, authenticator.checkSpf(identity)).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);

            String value = AuthenticationResultsHeader.render("mx.example.net", whole);
            assertThat(value.chars().allMatch(c -> c >= 0x20 && c < 0x7f)).as("printable ASCII for %s", input)
                .isTrue();
            assertThat(AuthenticationResultsHeader.render("mx.example.net", streamed)).as(input).isEqualTo(value);
            dkimPasses += whole.dkim().anyPass() ? 1 : 0;
        }
        assertThat(dkimPasses).as("rounds with a passing signature, and rounds without").isBetween(1, ROUNDS - 1);
    }

    private static DkimKey key(DkimKeyType type, int bits, String selector) throws Exception {
        return DkimKeyFile.parse(DkimKeyFile.pem(DkimKeyFile.generate(type, bits).getPrivate()), "example.com",
            selector, Path.of(selector));
    }

    /** The text, mutated in one round of four. */
    private static String maybe(Mutations mutations, String text) {
        return mutations.oneIn(4) ? mutations.of(text) : text;
    }

    private static HeaderFields headerOf(byte[] message) {
        int bodyLength = HeaderFields.parse(message).body().length;
        return HeaderFields.parse(Arrays.copyOf(message, message.length - bodyLength));
    }

    private static BodyHashes streamedBody(Mutations mutations, MessageAuthenticator authenticator, byte[] message,
                                           SmtpIdentity identity) {
        byte[] body = HeaderFields.parse(message).body();
        BodyHashes.Streaming hashes = BodyHashes.streaming(authenticator.bodyHashesNeeded(headerOf(message),
            identity));
        for (int at = 0; at < body.length; ) {
            int length = Math.min(body.length - at, 1 + mutations.below(mutations.oneIn(2) ? 40 : 10_000));
            hashes.update(body, at, length);
            at += length;
        }
        return hashes.finish();
    }
}
