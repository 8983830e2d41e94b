package org.tesjames.it.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.mail.internet.MimeMessage;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.it.harness.DkimKeyDirectory;
import org.tesjames.it.harness.ImapInbox;
import org.tesjames.it.harness.JamesProcess;
import org.tesjames.it.harness.Submission;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.testing.dns.Fault;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.smtp.SmtpTestClient;
import org.xbill.DNS.Type;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The packaged distribution in its own JVM, the TES classes loaded from {@code extensions-jars/}, operated over
 * real HTTP: the TES health checks at {@code /healthcheck} (with the shipped {@code healthcheck.properties}) as the
 * test DNS server fails in various ways, and the deferred mail routes over mail parked by the shipped
 * {@code relay-reschedule} processor.
 */
class HealthAndDeferredMailTest {
    private static final String USER = "alice@tes.test";
    private static final String PASSWORD = "secret-Pa55";
    private static final String UNREACHABLE = "unreachable.test";
    private static final String SHIPPED_REPOSITORY = "memory://var/mail/tes-relay-rescheduled";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static TestDnsServer dns;
    private static JamesProcess james;

    @BeforeAll
    static void start() throws Exception {
        dns = TesJamesExtension.internetLikeDns();
        DkimKeyDirectory keys = DkimKeyDirectory.create();
        keys.write("signed.test", DkimKeyType.ED25519, "published");
        keys.publish(dns);
        keys.write("unpublished.test", DkimKeyType.ED25519, "s1");
        james = JamesProcess.start(dns, conf -> conf
            .modify("tes.properties", text -> text + "\ndkim.keys=" + keys.path() + "\n")
            .modify("healthcheck.properties", text -> text + "\ntes.health.deferred.max-mails=2\n"));
        james.addUser(USER, PASSWORD);
        // Every membership lookup of the recipient domain fails: the shipped relay flow parks its mail.
        dns.fault("tes-master." + UNREACHABLE, Type.CNAME, Fault.servfail());
    }

    @AfterAll
    static void stop() throws Exception {
        if (james != null) {
            james.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    @Test
    void theTesChecksAreListedAmongJamesOwn() throws Exception {
        JsonNode checks = get("/healthcheck/checks", 200);

        List<String> names = new ArrayList<>();
        checks.forEach(check -> names.add(check.get("componentName").asText()));
        assertThat(names).contains("tes-dns", "tes-dnssec", "tes-dkim-keys", "tes-deferred-mail");
    }

    @Test
    void dnsResolverCheck() throws Exception {
        assertThat(get("/healthcheck/checks/tes-dns", 200).get("status").asText()).isEqualTo("healthy");

        dns.fault(".", Type.NS, Fault.servfail());
        try {
            JsonNode unhealthy = get("/healthcheck/checks/tes-dns", 503);
            assertThat(unhealthy.get("status").asText()).isEqualTo("unhealthy");
            assertThat(unhealthy.get("cause").asText()).startsWith("NS .: SERVFAIL");
            assertThat(get("/healthcheck", 503).get("status").asText()).isEqualTo("unhealthy");
        } finally {
            dns.clearFault(".", Type.NS);
        }

        dns.fault(".", Type.NS, Fault.delay(Duration.ofMillis(2500)));
        try {
            JsonNode degraded = get("/healthcheck/checks/tes-dns", 200);
            assertThat(degraded.get("status").asText()).isEqualTo("degraded");
            assertThat(degraded.get("cause").asText()).contains("slower than tes.health.dns.slow (2000 ms)");
        } finally {
            dns.clearFault(".", Type.NS);
        }
        assertThat(get("/healthcheck/checks/tes-dns", 200).get("status").asText()).isEqualTo("healthy");
    }

    @Test
    void dnssecCheck() throws Exception {
        assertThat(get("/healthcheck/checks/tes-dnssec", 200).get("status").asText()).isEqualTo("healthy");

        dns.fault(".", Type.DNSKEY, Fault.servfail());
        try {
            JsonNode unhealthy = get("/healthcheck/checks/tes-dnssec", 503);
            assertThat(unhealthy.get("cause").asText()).startsWith("DNSKEY .: ");
        } finally {
            dns.clearFault(".", Type.DNSKEY);
        }
    }

    @Test
    void dkimKeysCheckNamesTheKeyWhoseRecordIsMissing() throws Exception {
        JsonNode degraded = get("/healthcheck/checks/tes-dkim-keys", 200);

        assertThat(degraded.get("status").asText()).isEqualTo("degraded");
        assertThat(degraded.get("cause").asText()).contains("1 of 2 active key(s)")
            .contains("s1._domainkey.unpublished.test: mismatch: no TXT record")
            .doesNotContain("published._domainkey.signed.test");
    }

    @Test
    void deferredMailIsListedReinjectedAndExpiredOverWebAdmin() throws Exception {
        JsonNode before = get("/tes/deferred", 200);
        assertThat(repository(before, SHIPPED_REPOSITORY).get("size").asInt()).isZero();

        submit("to-reinject", "first@" + UNREACHABLE);
        submit("to-expire", "second@" + UNREACHABLE);
        submit("to-keep", "third@" + UNREACHABLE);
        JsonNode parked = Awaitility.await("three mails parked").atMost(Duration.ofSeconds(60))
            .until(() -> repository(get("/tes/deferred", 200), SHIPPED_REPOSITORY),
                repository -> repository.get("size").asInt() == 3);
        JsonNode first = mailTo(parked, "first@" + UNREACHABLE);
        assertThat(first.get("sender").asText()).isEqualTo(USER);
        assertThat(first.get("attempts").asInt()).isEqualTo(1);
        assertThat(first.get("processor").asText()).isEqualTo("relay");
        assertThat(first.get("firstSeen").asText()).isNotBlank();
        assertThat(first.get("due").asText()).isNotBlank();
        assertThat(first.get("lastReason").asText()).contains("TES lookup failed");

        JsonNode backlog = get("/healthcheck/checks/tes-deferred-mail", 200);
        assertThat(backlog.get("status").asText()).isEqualTo("degraded");
        assertThat(backlog.get("cause").asText()).contains("more than 2 mails parked");

        // Re-injected now: back through relay, where the lookup fails again, so it is parked again, attempt 2.
        JsonNode reinjected = post("/tes/deferred/mails/" + encode(first.get("key").asText()) + "?action=reinject", 200);
        assertThat(reinjected.get("outcome").asText()).isEqualTo("reinjected");
        Awaitility.await("parked again").atMost(Duration.ofSeconds(60)).until(() ->
            mailTo(repository(get("/tes/deferred", 200), SHIPPED_REPOSITORY), "first@" + UNREACHABLE),
            mail -> mail != null && mail.get("attempts").asInt() == 2);

        // Expired now: a DSN to the sender with the reason.
        JsonNode second = mailTo(parked, "second@" + UNREACHABLE);
        JsonNode expired = post("/tes/deferred/mails/" + encode(second.get("key").asText()) + "?action=expire&reason="
            + encode("domain retired") + "&repository=" + encode(SHIPPED_REPOSITORY), 200);
        assertThat(expired.get("outcome").asText()).isEqualTo("expired");
        MimeMessage dsn = Awaitility.await("DSN").atMost(Duration.ofSeconds(60))
            .until(() -> ImapInbox.read(james.imapPort(), USER, PASSWORD), list -> !list.isEmpty()).get(0);
        String text = new String(dsn.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(text).contains("second@" + UNREACHABLE, "TES deferral ended by the operator", "domain retired");
        assertThat(mailTo(repository(get("/tes/deferred", 200), SHIPPED_REPOSITORY), "second@" + UNREACHABLE))
            .isNull();

        // Errors: precise, in James's format.
        JsonNode missing = post("/tes/deferred/mails/" + encode(second.get("key").asText()) + "?action=expire", 404);
        assertThat(missing.get("type").asText()).isEqualTo("notFound");
        assertThat(missing.get("message").asText()).startsWith("no parked mail " + second.get("key").asText());
        assertThat(post("/tes/deferred/mails/x?action=delete", 400).get("message").asText())
            .isEqualTo("action must be reinject or expire, not 'delete'");
        assertThat(get("/tes/deferred?limit=0", 400).get("message").asText())
            .isEqualTo("limit must be a whole number from 1 to 10000, not '0'");
        assertThat(post("/tes/deferred/mails/x?action=reinject&repository=" + encode("memory://var/mail/nope/"), 404)
            .get("message").asText()).startsWith("no TesDefer uses the repository memory://var/mail/nope/");
        assertThat(post("/tes/deferred", 400).get("message").asText()).isEqualTo("action must be reinject, not (none)");
    }

    private static void submit(String subject, String recipient) throws Exception {
        try (SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", james.submissionPort()).trustAll().connect()) {
            client.ehlo("client.example");
            assertThat(client.starttls().code()).isEqualTo(220);
            client.ehlo("client.example");
            assertThat(Submission.send(client, USER, PASSWORD, recipient, "From: " + USER + "\r\nTo: " + recipient
                + "\r\nSubject: " + subject + "\r\nMessage-ID: <" + subject + "@tes.test>\r\n\r\nhello\r\n").code())
                .isEqualTo(250);
        }
    }

    private static JsonNode repository(JsonNode listing, String url) {
        for (JsonNode repository : listing.get("repositories")) {
            if (repository.get("repository").asText().equals(url)) {
                return repository;
            }
        }
        throw new AssertionError("no repository " + url + " in " + listing);
    }

    private static JsonNode mailTo(JsonNode repository, String recipient) {
        for (JsonNode mail : repository.get("mails")) {
            if (mail.has("recipients") && mail.get("recipients").toString().contains(recipient)) {
                return mail;
            }
        }
        return null;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static JsonNode get(String path, int status) throws Exception {
        return expect(james.http("GET", path, ""), status);
    }

    private static JsonNode post(String path, int status) throws Exception {
        return expect(james.http("POST", path, ""), status);
    }

    private static JsonNode expect(HttpResponse<String> response, int status) throws Exception {
        assertThat(response.statusCode()).as(() -> response.uri() + " -> " + response.body()).isEqualTo(status);
        return JSON.readTree(response.body());
    }
}
