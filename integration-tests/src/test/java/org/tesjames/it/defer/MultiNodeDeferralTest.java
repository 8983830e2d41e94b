package org.tesjames.it.defer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.tesjames.it.harness.ImapInbox;
import org.tesjames.it.harness.JamesConf;
import org.tesjames.it.harness.JamesProcess;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.smtp.SmtpTestClient;

/**
 * Two packaged James servers, each its own JVM, share one {@code file://} deferral repository (the same directory
 * linked into both working directories, as a shared mount would be). Mail marked for the test is deferred twice by
 * {@code TesDefer} into that repository (two mailets per node, four scanners on one repository, each scanning
 * every 100 ms), then delivered locally by whichever node re-injected it. Every mail must be delivered exactly once
 * across both nodes. {@code -Dtes.multinode.runs=N} repeats the concurrent run N times with fresh servers.
 */
class MultiNodeDeferralTest {
    private static final String USER = "parked@tes.test";
    private static final String PASSWORD = "secret-Pa55";
    private static final String SHARED = "tes-shared-deferred";

    @TempDir
    Path shared;

    @TestFactory
    Stream<DynamicTest> twoNodesScanningOneRepositoryDeliverEveryParkedMailExactlyOnce() {
        int runs = Integer.getInteger("tes.multinode.runs", 1);
        return IntStream.rangeClosed(1, runs).mapToObj(run -> DynamicTest.dynamicTest("run " + run + " of " + runs,
            () -> concurrentRun(Files.createTempDirectory(shared, "run-" + run))));
    }

    private void concurrentRun(Path repository) throws Exception {
        int mails = 30;
        try (TestDnsServer dns = TesJamesExtension.internetLikeDns();
             JamesProcess a = node(dns, repository, "1s");
             JamesProcess b = node(dns, repository, "1s")) {
            List<JamesProcess> nodes = List.of(a, b);
            for (JamesProcess node : nodes) {
                node.addUser(USER, PASSWORD);
            }
            for (int i = 0; i < mails; i++) {
                send(nodes.get(i % 2), "m" + i);
            }

            Awaitility.await("every mail delivered").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                .until(() -> subjects(nodes).size() >= mails && parked(repository) == 0);
            Thread.sleep(3_000); // thirty more scans of each scanner: nothing may come twice
            List<String> delivered = subjects(nodes);
            assertThat(delivered).as(() -> logs(nodes)).hasSize(mails).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, mails).mapToObj(i -> "m" + i).toList());
            assertThat(parked(repository)).isZero();
            for (JamesProcess node : nodes) {
                assertThat(count(node.log(), "TesDefer re-injected")).as("re-injections by each node")
                    .isPositive();
            }
            assertThat(count(a.log(), "TesDefer re-injected") + count(b.log(), "TesDefer re-injected"))
                .isEqualTo(2 * mails);
        }
    }

    @Test
    void mailsParkedByANodeThatDiesAreDeliveredOnceByTheOtherAfterTheDeadNodesClaimsRunOut() throws Exception {
        int mails = 10;
        Path repository = Files.createDirectory(shared.resolve("dead-node"));
        try (TestDnsServer dns = TesJamesExtension.internetLikeDns();
             JamesProcess a = node(dns, repository, "8s");
             JamesProcess b = node(dns, repository, "8s")) {
            a.addUser(USER, PASSWORD);
            b.addUser(USER, PASSWORD);
            for (int i = 0; i < mails; i++) {
                send(a, "d" + i);
            }
            Awaitility.await("parked").atMost(Duration.ofSeconds(30))
                .until(() -> count(a.log(), "TesDefer parked") == mails && parked(repository) == mails);

            a.kill();
            // The dead node held the claim of every parked mail (it died between claiming and re-injecting):
            // its claim files stay behind, with a lease that ends well after the mails are due.
            Instant leaseEnd = Instant.now().plusSeconds(15);
            for (String key : parkedKeys(repository)) {
                plantClaim(repository.resolve("tes-claims"), key, leaseEnd);
            }

            Map<String, Instant> arrivals = new HashMap<>();
            Awaitility.await("delivered by the surviving node").atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(250)).until(() -> {
                    Instant now = Instant.now();
                    subjects(List.of(b)).forEach(subject -> arrivals.putIfAbsent(subject, now));
                    return arrivals.size() >= mails && parked(repository) == 0;
                });
            Thread.sleep(3_000);

            assertThat(subjects(List.of(b))).as(() -> logs(List.of(b))).hasSize(mails).doesNotHaveDuplicates();
            assertThat(arrivals.values()).allSatisfy(arrival -> assertThat(arrival).isAfterOrEqualTo(leaseEnd));
            assertThat(b.log()).contains("ran out at " + leaseEnd.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)
                + ": taking it over");
        }
    }

    /** A node whose marked mail goes through two TesDefer mailets parking in the shared repository. */
    private JamesProcess node(TestDnsServer dns, Path repository, String delay) throws Exception {
        return JamesProcess.start(dns, conf -> overlay(conf, delay), "384m", home -> {
            Files.createDirectories(home.resolve("var/mail"));
            Files.createSymbolicLink(home.resolve("var/mail/" + SHARED), repository);
        });
    }

    private static void overlay(JamesConf conf, String delay) {
        conf.replace("mailrepositorystore.xml", "</mailrepositories>", """
                    <mailrepository class="org.apache.james.mailrepository.file.FileMailRepository">
                        <protocols>
                            <protocol>file</protocol>
                        </protocols>
                        <config FIFO="false" CACHEKEYS="false"/>
                    </mailrepository>
                </mailrepositories>""")
            .replace("mailetcontainer.xml", "<mailet match=\"All\" class=\"PostmasterAlias\"/>", """
                <mailet match="All" class="PostmasterAlias"/>
                <mailet match="HasHeader=X-Park-Me" class="ToProcessor">
                    <processor>park-first</processor>
                </mailet>""")
            .replace("mailetcontainer.xml", "<processor state=\"error\" enableJmx=\"true\">", """
                <processor state="park-first" enableJmx="false">
                    %s
                </processor>
                <processor state="park-second" enableJmx="false">
                    %s
                </processor>
                <processor state="parked-enough" enableJmx="false">
                    <mailet match="All" class="RemoveMimeHeader">
                        <name>X-Park-Me</name>
                    </mailet>
                    <mailet match="All" class="ToProcessor">
                        <processor>transport</processor>
                    </mailet>
                </processor>
                <processor state="error" enableJmx="true">""".formatted(defer("park-second", delay), defer("parked-enough", delay)));
    }

    private static String defer(String next, String delay) {
        return """
            <mailet match="All" class="org.tesjames.mailets.TesDefer">
                <processor>%s</processor>
                <repository>file://var/mail/%s/</repository>
                <delays>%s</delays>
                <checkInterval>100ms</checkInterval>
                <claimLease>1m</claimLease>
            </mailet>""".formatted(next, SHARED, delay);
    }

    private static void send(JamesProcess node, String subject) throws Exception {
        try (SmtpTestClient client = SmtpTestClient.connect("127.0.0.1", node.inboundPort())) {
            client.ehlo("peer.example");
            assertThat(client.mailFrom("bob@remote.example").code()).isEqualTo(250);
            assertThat(client.rcptTo(USER).code()).isEqualTo(250);
            assertThat(client.data().code()).isEqualTo(354);
            assertThat(client.message("From: bob@remote.example\r\nSubject: " + subject + "\r\nMessage-ID: <" + subject
                + "@remote.example>\r\nX-Park-Me: yes\r\n\r\nparked\r\n").code()).isEqualTo(250);
        }
    }

    private static List<String> subjects(List<JamesProcess> nodes) throws MessagingException {
        List<String> subjects = new ArrayList<>();
        for (JamesProcess node : nodes) {
            for (MimeMessage message : ImapInbox.read(node.imapPort(), USER, PASSWORD)) {
                subjects.add(message.getSubject());
            }
        }
        return subjects;
    }

    /** The mails in the repository directory (FileMailRepository keeps one object file per mail). */
    private static long parked(Path repository) throws IOException {
        return parkedKeys(repository).size();
    }

    private static List<String> parkedKeys(Path repository) throws IOException {
        try (Stream<Path> files = Files.list(repository)) {
            return files.map(file -> file.getFileName().toString())
                .filter(name -> name.endsWith(".FileObjectStore"))
                .map(name -> new String(HexFormat.of().parseHex(name.substring(0, name.indexOf('.'))),
                    StandardCharsets.UTF_8))
                .toList();
        }
    }

    /**
     * Writes the first-generation claim file of a dead node, retrying while the live node's scan holds the key for
     * a moment. A file that stays is the killed node's own claim, left as it died (with a later lease end).
     */
    private static void plantClaim(Path claims, String key, Instant leaseEnd) throws Exception {
        Path file = claims.resolve(HexFormat.of().formatHex(key.getBytes(StandardCharsets.UTF_8)) + ".1.claim");
        Instant deadline = Instant.now().plusSeconds(2);
        while (Instant.now().isBefore(deadline)) {
            try {
                Files.writeString(file, leaseEnd.toEpochMilli() + " dead-node\n", StandardCharsets.US_ASCII,
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                return;
            } catch (FileAlreadyExistsException e) {
                Thread.sleep(5);
            }
        }
    }

    private static long count(String log, String text) {
        return log.lines().filter(line -> line.contains(text)).count();
    }

    private static String logs(List<JamesProcess> nodes) {
        StringBuilder text = new StringBuilder();
        for (JamesProcess node : nodes) {
            try {
                text.append(node.logTail()).append("\n----\n");
            } catch (IOException e) {
                text.append(e).append('\n');
            }
        }
        return text.toString();
    }
}
