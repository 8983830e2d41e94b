package org.tesjames.mailets.tlsrpt;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import javax.inject.Provider;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.core.config.TlsRptSettings;
import org.tesjames.core.dkim.sign.DkimSigner;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.sts.WebPkiTrust;
import org.tesjames.core.tlsrpt.HttpsReportPoster;
import org.tesjames.core.tlsrpt.ReportSender;
import org.tesjames.core.tlsrpt.ReportUri;
import org.tesjames.core.tlsrpt.TlsReporter;
import org.tesjames.core.tlsrpt.TlsRptDiscovery;

/**
 * SMTP TLS Reporting in James ({@code tlsrpt.*} of {@code tes.properties}): the node's {@link TlsReporter}, its
 * destinations ({@code mailto:} through {@link ReportMails}, {@code https:} through {@link HttpsReportPoster}) and
 * the daemon thread that ticks it: every quarter of {@code tlsrpt.interval}, at most every minute and at least
 * every 250 ms. Each node reports its own sessions; report ids are random UUIDs, unique per node and report.
 * {@link #close()}, when James stops, ends the thread and writes the state file, again at each later outcome.
 */
public final class TlsReporting implements Closeable {
    private static final Logger LOGGER = LoggerFactory.getLogger(TlsReporting.class);
    /** The longest wait at {@link #close()} for a tick in progress (which may be sending reports). */
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private final TlsReporter reporter;
    private final ScheduledThreadPoolExecutor scheduler;

    private TlsReporting(TlsReporter reporter, ScheduledThreadPoolExecutor scheduler) {
        this.reporter = reporter;
        this.scheduler = scheduler;
    }

    /**
     * Builds the reporter (reading the state file, if any) and starts its thread.
     *
     * @param settings the {@code tlsrpt.*} settings
     * @param signer the DKIM signer of report mails, signing {@link ReportMails#HEADERS}
     * @param dns the TES DNS client (discovery and HTTPS host addresses)
     * @param trust the CAs trusted for {@code https:} destinations
     * @param lookupTimeout the longest wait for one DNS answer
     * @param context James's mailet context
     * @param stateFile the resolved state file, if any
     * @param metrics James's metrics
     * @return the running reporting, to be closed when James stops
     * @throws IOException when the state file exists but cannot be read
     */
    public static TlsReporting start(TlsRptSettings settings, DkimSigner signer, DnsClient dns, WebPkiTrust trust,
                                     Duration lookupTimeout, Provider<MailetContext> context,
                                     Optional<Path> stateFile, MetricFactory metrics) throws IOException {
        Clock clock = Clock.systemUTC();
        ReportMails mails = new ReportMails(context, signer, settings.reportingDomain(),
            settings.senderAddress(), clock);
        HttpsReportPoster poster = new HttpsReportPoster(dns, trust, settings.httpsTimeout(), clock);
        ReportSender sender = (destination, report, gzip) -> destination instanceof ReportUri.Mailto mailto
            ? mails.send(mailto, report, gzip) : poster.post((ReportUri.Https) destination, gzip);
        TlsReporter reporter = new TlsReporter(settings, new TlsRptDiscovery(dns, lookupTimeout), sender, metrics,
            clock, () -> UUID.randomUUID().toString(), stateFile);
        long tick = Math.max(250, Math.min(Duration.ofMinutes(1).toMillis(), settings.interval().toMillis() / 4));
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "tes-tlsrpt");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                reporter.tick();
            } catch (IOException | RuntimeException e) {
                metrics.generate("tes.tlsrpt.tick.error").increment();
                LOGGER.warn("TES TLS-RPT: tick failed (the counts are kept; next tick in {} ms): {}", tick,
                    e.toString(), e);
            }
        }, tick, tick, TimeUnit.MILLISECONDS);
        LOGGER.info("TES TLS-RPT: reporting as {} ({}), submitter {}, sender {}, every {}, state {}, https trust {}",
            settings.organizationName(), settings.contactInfo(), settings.reportingDomain(), settings.senderAddress(),
            settings.interval(), stateFile.map(Path::toString).orElse("in memory only"), trust);
        return new TlsReporting(reporter, scheduler);
    }

    /** @return the node's reporter, which records the outcomes of TLS sessions */
    public TlsReporter reporter() {
        return reporter;
    }

    /**
     * Stops the thread, waiting up to 10 s for a tick in progress, then stops the reporter ({@link TlsReporter#stop}:
     * the state file is written now and at each later outcome, since James may stop its deliveries after TES) unless
     * that tick is still going on: it writes the state itself when it ends.
     */
    @Override
    public void close() {
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOGGER.warn("TES TLS-RPT: a tick still runs {} after the stop (sending reports?); the state is written"
                    + " when it ends", STOP_WAIT);
                return;
            }
            reporter.stop();
            LOGGER.info("TES TLS-RPT: stopped (the state file, if any, is up to date, and written again at each"
                + " outcome of a delivery that ends while James stops)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOGGER.warn("TES TLS-RPT: interrupted while stopping; the state of the last tick is kept");
        } catch (IOException | RuntimeException e) {
            LOGGER.warn("TES TLS-RPT: the state could not be written at the stop (the last tick's is kept): {}",
                e.toString(), e);
        }
    }
}
