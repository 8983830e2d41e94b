package org.tesjames.core.dkim.sign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tesjames.core.dkim.DkimKeyType;

class DkimKeyStoreTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-03-01T10:00:00Z"), ZoneOffset.UTC);
    private static final byte[] MESSAGE = "From: a@example.com\r\nSubject: x\r\n\r\nbody\r\n".getBytes();

    @TempDir
    Path keys;

    private static String selector(DkimKeyStore store, String domain, DkimKeyType type) {
        return store.activeKey(domain, type).map(DkimKey::selector).orElse("none");
    }

    @Nested
    class Layout {
        @Test
        void loadsOneRsaAndOneEd25519KeyPerDomain() throws Exception {
            TestKeys.write(keys, "example.com", "rsa", TestKeys.RSA_2048.getPrivate());
            TestKeys.write(keys, "example.com", "ed", TestKeys.ED25519.getPrivate());
            TestKeys.write(keys, "example.org", "k1", TestKeys.RSA_1024.getPrivate());

            DkimKeyStore store = DkimKeyStore.load(keys);

            assertThat(store.problems()).isEmpty();
            assertThat(store.domains()).containsExactlyInAnyOrder("example.com", "example.org");
            assertThat(store.activeKeys("example.com")).extracting(DkimKey::type)
                .containsExactly(DkimKeyType.RSA, DkimKeyType.ED25519);
            assertThat(store.activeKey("example.com", DkimKeyType.RSA).orElseThrow().bits()).isEqualTo(2048);
            assertThat(store.activeKeys("EXAMPLE.org.")).extracting(DkimKey::selector).containsExactly("k1");
        }

        @Test
        void domainDirectoryNamesAreNormalisedToLowerCaseALabels() throws Exception {
            TestKeys.write(keys, "Example.COM", "k", TestKeys.RSA_1024.getPrivate());
            TestKeys.write(keys, "bücher.example", "k", TestKeys.ED25519.getPrivate());

            DkimKeyStore store = DkimKeyStore.load(keys);

            assertThat(store.domains()).containsExactlyInAnyOrder("example.com", "xn--bcher-kva.example");
            assertThat(store.activeKeys("bücher.example")).extracting(DkimKey::domain)
                .containsExactly("xn--bcher-kva.example");
        }

        @Test
        void keyFileOutsideADomainDirectoryIsReported() throws Exception {
            Files.writeString(keys.resolve("stray.pem"), DkimKeyFile.pem(TestKeys.RSA_1024.getPrivate()));

            DkimKeyStore store = DkimKeyStore.load(keys);

            assertThat(store.problems()).singleElement()
                .satisfies(problem -> assertThat(problem.reason()).contains("outside a domain directory"));
        }
    }

    @Nested
    class BadFiles {
        @Test
        void rsaKeyShorterThan1024BitsIsRefused() throws Exception {
            Path file = TestKeys.write(keys, "example.com", "short", TestKeys.RSA_768.getPrivate());

            DkimKeyStore store = DkimKeyStore.load(keys);

            assertThat(store.activeKeys("example.com")).isEmpty();
            assertThat(store.problems()).extracting(DkimKeyStore.Problem::file).contains(file);
            assertThat(store.problems().get(0).reason()).contains("768 bits").contains("1024");
        }

        @Test
        void unparsableFileIsReportedAndOtherDomainsStillSign() throws Exception {
            Path bad = TestKeys.writeText(keys, "broken.example", "k", "-----BEGIN PRIVATE KEY-----\nAAAA\n"
                + "-----END PRIVATE KEY-----\n");
            TestKeys.write(keys, "good.example", "k", TestKeys.ED25519.getPrivate());

            DkimKeyStore store = DkimKeyStore.load(keys);

            assertThat(store.problems()).singleElement().satisfies(problem -> {
                assertThat(problem.file()).isEqualTo(bad);
                assertThat(problem.domain()).isEqualTo("broken.example");
            });
            assertThat(store.activeKeys("broken.example")).isEmpty();
            assertThat(new DkimSigner(store, CLOCK).sign("good.example", MESSAGE).signatures()).hasSize(1);
        }

        @Test
        void unknownAlgorithmIsReportedAndDoesNotBlockTheOtherSelectors() throws Exception {
            KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
            ec.initialize(new ECGenParameterSpec("secp256r1"));
            Path file = TestKeys.write(keys, "example.com", "zz-ec", ec.generateKeyPair().getPrivate());
            TestKeys.write(keys, "example.com", "a-rsa", TestKeys.RSA_1024.getPrivate());

            DkimKeyStore store = DkimKeyStore.load(keys);

            assertThat(store.problems()).singleElement().satisfies(problem -> {
                assertThat(problem.file()).isEqualTo(file);
                assertThat(problem.reason()).contains("unknown key algorithm 1.2.840.10045.2.1");
            });
            assertThat(selector(store, "example.com", DkimKeyType.RSA)).isEqualTo("a-rsa");
        }

        @Test
        void badActiveSelectorLeavesTheDomainWithoutThatTypeInsteadOfFallingBack() throws Exception {
            TestKeys.write(keys, "example.com", "2023-01", TestKeys.RSA_1024.getPrivate());
            TestKeys.write(keys, "example.com", "2024-01", TestKeys.RSA_768.getPrivate());
            TestKeys.write(keys, "example.com", "ed", TestKeys.ED25519.getPrivate());

            DkimKeyStore store = DkimKeyStore.load(keys);

            assertThat(selector(store, "example.com", DkimKeyType.RSA)).isEqualTo("none");
            assertThat(selector(store, "example.com", DkimKeyType.ED25519)).isEqualTo("ed");
            assertThat(store.problems()).anySatisfy(problem ->
                assertThat(problem.reason()).contains("has no rsa key").contains("'2024-01'"));
        }
    }

    @Nested
    class ActiveSelector {
        @Test
        void greatestSelectorNameIsActiveAndTheOthersAreKept() throws Exception {
            TestKeys.write(keys, "example.com", "2023-07", TestKeys.RSA_1024.getPrivate());
            TestKeys.write(keys, "example.com", "2024-01", TestKeys.RSA_2048.getPrivate());
            TestKeys.write(keys, "example.com", "2023-12", TestKeys.RSA_1024_B.getPrivate());

            DkimKeyStore store = DkimKeyStore.load(keys);

            assertThat(selector(store, "example.com", DkimKeyType.RSA)).isEqualTo("2024-01");
            assertThat(store.allKeys("example.com")).extracting(DkimKey::selector)
                .containsExactly("2023-07", "2023-12", "2024-01");
        }

        @Test
        void explicitActiveSelectorIsHonoured() throws Exception {
            TestKeys.write(keys, "example.com", "2023-07", TestKeys.RSA_1024.getPrivate());
            TestKeys.write(keys, "example.com", "2024-01", TestKeys.RSA_2048.getPrivate());
            TestKeys.write(keys, "example.com", "ed-a", TestKeys.ED25519.getPrivate());
            TestKeys.write(keys, "example.com", "ed-b", TestKeys.ED25519_B.getPrivate());

            DkimKeyStore store = DkimKeyStore.load(keys, Map.of("Example.com", "2023-07, ed-a"));

            assertThat(store.problems()).isEmpty();
            assertThat(selector(store, "example.com", DkimKeyType.RSA)).isEqualTo("2023-07");
            assertThat(selector(store, "example.com", DkimKeyType.ED25519)).isEqualTo("ed-a");
        }

        @Test
        void explicitSelectorPinsOnlyItsOwnKeyType() throws Exception {
            TestKeys.write(keys, "example.com", "2023-07", TestKeys.RSA_1024.getPrivate());
            TestKeys.write(keys, "example.com", "2024-01", TestKeys.RSA_2048.getPrivate());
            TestKeys.write(keys, "example.com", "ed-a", TestKeys.ED25519.getPrivate());
            TestKeys.write(keys, "example.com", "ed-b", TestKeys.ED25519_B.getPrivate());

            DkimKeyStore store = DkimKeyStore.load(keys, Map.of("example.com", "2023-07"));

            assertThat(selector(store, "example.com", DkimKeyType.RSA)).isEqualTo("2023-07");
            assertThat(selector(store, "example.com", DkimKeyType.ED25519)).isEqualTo("ed-b");
        }

        @Test
        void explicitSelectorWithoutFileIsReportedAndIgnored() throws Exception {
            TestKeys.write(keys, "example.com", "2024-01", TestKeys.RSA_2048.getPrivate());

            DkimKeyStore store = DkimKeyStore.load(keys, Map.of("example.com", "gone"));

            assertThat(selector(store, "example.com", DkimKeyType.RSA)).isEqualTo("2024-01");
            assertThat(store.problems()).singleElement()
                .satisfies(problem -> assertThat(problem.reason()).contains("'gone'"));
        }

        @Test
        void malformedExplicitSelectorIsAConfigurationError() {
            assertThatThrownBy(() -> DkimKeyStore.load(keys, Map.of("example.com", "bad selector")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad selector");
        }
    }

    @Nested
    class Reloading {
        @Test
        void newSelectorFileBecomesActiveAfterReload() throws Exception {
            TestKeys.write(keys, "example.com", "2023-12", TestKeys.RSA_1024.getPrivate());
            ReloadingDkimKeyStore store = new ReloadingDkimKeyStore(keys, Map.of(), CLOCK);
            DkimKeyStore before = store.snapshot();
            assertThat(store.reloadIfChanged()).isFalse();

            TestKeys.write(keys, "example.com", "2024-06", TestKeys.RSA_2048.getPrivate());

            assertThat(store.reloadIfChanged()).isTrue();
            assertThat(selector(store.snapshot(), "example.com", DkimKeyType.RSA)).isEqualTo("2024-06");
            assertThat(selector(before, "example.com", DkimKeyType.RSA)).isEqualTo("2023-12");
            assertThat(new DkimSigner(store, CLOCK).sign("example.com", MESSAGE).signatures())
                .extracting(DkimSignature::selector).containsExactly("2024-06");
        }

        @Test
        void removedOrRewrittenFileIsSeen() throws Exception {
            Path file = TestKeys.write(keys, "example.com", "k", TestKeys.RSA_1024.getPrivate());
            ReloadingDkimKeyStore store = new ReloadingDkimKeyStore(keys, Map.of(), CLOCK);

            Files.writeString(file, "garbage");
            assertThat(store.reloadIfChanged()).isTrue();
            assertThat(store.activeKeys("example.com")).isEmpty();

            Files.delete(file);
            assertThat(store.reloadIfChanged()).isTrue();
            assertThat(store.snapshot().problems()).isEmpty();
        }

        @Test
        void scheduledCheckPicksUpARotation() throws Exception {
            TestKeys.write(keys, "example.com", "a", TestKeys.ED25519.getPrivate());
            ReloadingDkimKeyStore store = new ReloadingDkimKeyStore(keys, Map.of(), CLOCK);
            ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
            try {
                ScheduledFuture<?> task = store.start(scheduler, java.time.Duration.ofMillis(10));
                TestKeys.write(keys, "example.com", "b", TestKeys.ED25519_B.getPrivate());
                long deadline = System.nanoTime() + 3_000_000_000L;
                while (!selector(store.snapshot(), "example.com", DkimKeyType.ED25519).equals("b")
                    && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                task.cancel(false);
            } finally {
                scheduler.shutdownNow();
            }
            assertThat(selector(store.snapshot(), "example.com", DkimKeyType.ED25519)).isEqualTo("b");
        }
    }
}
