package org.tesjames.mailets;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.transport.mailets.RemoteDelivery;
import org.apache.james.transport.mailets.remote.delivery.Bouncer;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.core.config.TesSettings;
import org.tesjames.core.dane.DaneLookup;
import org.tesjames.core.dane.DaneVerifier;
import org.tesjames.core.dane.delivery.DaneRoutingSocketFactory;
import org.tesjames.core.dane.delivery.DeliveryPlanner;
import org.tesjames.core.dane.delivery.DeliveryPolicy;
import org.tesjames.core.dane.tls.DaneFailures;
import org.tesjames.core.dane.tls.DaneSocketFactory;
import org.tesjames.core.sts.StsDeliveryRules;
import org.tesjames.core.tlsrpt.TlsResultRecorder;
import org.tesjames.core.tls.TlsVersion;
import org.tesjames.mailets.tlsrpt.ReportDeliveries;

/**
 * James's {@code RemoteDelivery} (its queue, retries, bounces, DSN support: every parameter of RemoteDelivery
 * works as documented by James) with the outbound DANE policy of TES: each MX host is used, authenticated or
 * refused as the DNSSEC-validated DANE facts of the destination and {@code danePolicy} say.
 *
 * <p>Why a subclass: RemoteDelivery has no hook between its MX lookup and its JavaMail connection, and JavaMail
 * only takes socket factories by class name, passing them nothing but the host name. This mailet gives
 * RemoteDelivery a decorated {@code DNSService} ({@link DanePlanningDnsService}): the MX lookup of a destination
 * becomes the DANE lookup, its plan is bound to the delivery thread, and the JavaMail socket factories
 * ({@link DaneRoutingSocketFactory} for the connection, {@link DaneSocketFactory} for STARTTLS) carry it out.
 * It also makes the extension's class loader the delivery thread's context class loader, through which JavaMail
 * loads those factories (James's threads otherwise cannot see {@code extensions-jars/}), and takes its mail from
 * its queue through {@link ReportDeliveries}, so that a TLS report's own delivery is not recorded for TLS
 * reporting.
 *
 * <p>Parameters, besides RemoteDelivery's own:
 * <ul>
 * <li>{@code danePolicy} (required): {@code dane-required} (TES member domains: only secure-usable hosts behind
 * a DNSSEC-secure MX RRset, DANE-authenticated TLS) or {@code dane-opportunistic} (RFC 7672: secure-usable hosts
 * authenticated and never downgraded, insecure hosts opportunistic STARTTLS, plaintext only without
 * STARTTLS).</li>
 * <li>{@code port} (default {@code 25}): the SMTP port of MX hosts (another value only for test rigs).</li>
 * </ul>
 * The JavaMail settings the policy depends on must be written out, so that the configuration says what happens;
 * {@code init()} fails naming the parameter when one is missing or contradicts the policy:
 * <pre>{@code
 * <startTLS>true</startTLS>                          connect by host name (with verifyServerIdentity true)
 * <verifyServerIdentity>true</verifyServerIdentity>
 * <mail.smtp.socketFactory.class>org.tesjames.core.dane.delivery.DaneRoutingSocketFactory</mail.smtp.socketFactory.class>
 * <mail.smtp.socketFactory.fallback>false</mail.smtp.socketFactory.fallback>
 * <mail.smtp.ssl.socketFactory.class>org.tesjames.core.dane.tls.DaneSocketFactory</mail.smtp.ssl.socketFactory.class>
 * <mail.smtp.ssl.checkserveridentity>false</mail.smtp.ssl.checkserveridentity>   DANE decides, not PKIX names
 * <mail.smtp.starttls.required>true</mail.smtp.starttls.required>   true for dane-required, false otherwise
 * <mail.smtp.ssl.protocols>TLSv1.2 TLSv1.3</mail.smtp.ssl.protocols>   oldest listed = minimum; >= TLSv1.2 for dane-required
 * }</pre>
 * {@code gateway} and {@code sslEnable} are refused: DANE applies to the MX hosts of the recipient domain over
 * STARTTLS. {@code outgoing} (the queue) is required: two RemoteDelivery instances on one queue take each other's
 * mail, so each instance needs its own; {@code outgoingQueue}, which RemoteDelivery silently ignores, is refused.
 *
 * <p>With {@code dane-opportunistic} and {@code sts.enabled=true} (tes.properties), the MTA-STS policy of the
 * destination domain (RFC 8461) applies to its hosts without usable DANE ({@link StsDeliveryRules}): with
 * {@code enforce} only listed MX hosts, over STARTTLS with TLS 1.2 or newer and a certificate from a trusted CA
 * for the MX host name; {@code dane-required} is never changed by MTA-STS.
 *
 * <p>Every connection failure the policy causes is an {@code IOException} with the reason ("no DANE TLSA records
 * for mx.example ...", "certificate does not match TLSA ...", "STARTTLS not offered by ..."): RemoteDelivery
 * tries the next MX host, retries later, and after {@code maxRetries} bounces with that reason (DSN with
 * {@code bounceProcessor}). Logs: one INFO line per destination host with action and reason. Metrics:
 * {@code tes.outbound.<policy>.destination}, {@code tes.outbound.<policy>.host.<dane-tls|tls-unauthenticated|
 * opportunistic-tls|refuse>}.
 */
public class TesRemoteDelivery extends RemoteDelivery {
    static final String DANE_POLICY = "danePolicy";
    static final String PORT = "port";

    private static final Logger LOGGER = LoggerFactory.getLogger(TesRemoteDelivery.class);

    private final DanePlanningDnsService dns;
    private final TesSettings tesSettings;
    private final OutboundSts sts;
    private volatile MailetContext context;
    private volatile MailetContext contextDelegate;

    @Inject
    public TesRemoteDelivery(DNSService dnsServer, DomainList domainList, MailQueueFactory<?> queueFactory,
                             MetricFactory metricFactory, DaneLookup daneLookup, TesSettings settings,
                             OutboundSts sts, TlsResultRecorder tlsResults) {
        this(new DanePlanningDnsService(dnsServer, daneLookup, metricFactory, tlsResults), domainList, queueFactory,
            metricFactory, settings, sts);
    }

    private TesRemoteDelivery(DanePlanningDnsService dns, DomainList domainList, MailQueueFactory<?> queueFactory,
                              MetricFactory metricFactory, TesSettings settings, OutboundSts sts) {
        super(dns, domainList, ReportDeliveries.wrap(queueFactory), metricFactory);
        this.dns = dns;
        this.tesSettings = settings;
        this.sts = sts;
    }

    @Override
    public void init() throws MessagingException {
        DeliveryPolicy policy;
        try {
            policy = DeliveryPolicy.parse(required(DANE_POLICY));
        } catch (IllegalArgumentException e) {
            throw new MessagingException(getClass().getSimpleName() + ": parameter " + DANE_POLICY + ": "
                + e.getMessage());
        }
        int port = port();
        required("outgoing");
        if (getInitParameter("outgoingQueue") != null) {
            throw new MessagingException(getClass().getSimpleName() + ": parameter outgoingQueue is not a "
                + "RemoteDelivery parameter (RemoteDelivery would use its default queue 'outgoing'): use outgoing");
        }
        expect("startTLS", "true");
        expect("verifyServerIdentity", "true", true);
        refuse("gateway");
        refuse("sslEnable");
        expect("mail.smtp.socketFactory.class", DaneRoutingSocketFactory.class.getName());
        expect("mail.smtp.socketFactory.fallback", "false");
        expect("mail.smtp.ssl.socketFactory.class", DaneSocketFactory.class.getName());
        expect("mail.smtp.ssl.checkserveridentity", "false");
        expect("mail.smtp.starttls.required", policy == DeliveryPolicy.DANE_REQUIRED ? "true" : "false");
        TlsVersion minimum = minimumProtocol(policy);
        Optional<DanePlanningDnsService.Sts> mtaSts = policy == DeliveryPolicy.DANE_OPPORTUNISTIC
            ? sts.policies().map(policies -> new DanePlanningDnsService.Sts(policies,
                new StsDeliveryRules(sts.trust().orElseThrow(), minimum)))
            : Optional.empty();
        dns.configure(new DanePlanningDnsService.Settings(policy,
            new DeliveryPlanner(minimum, new DaneVerifier(Clock.systemUTC())), port,
            OutboundPlanning.deadline(tesSettings), mtaSts));
        super.init();
    }

    private String required(String name) throws MessagingException {
        String value = getInitParameter(name);
        if (value == null || value.isBlank()) {
            throw new MessagingException(getClass().getSimpleName() + ": parameter " + name + " is required");
        }
        return value.trim();
    }

    private int port() throws MessagingException {
        String value = Optional.ofNullable(getInitParameter(PORT)).map(String::trim).orElse("25");
        try {
            int port = Integer.parseInt(value);
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new MessagingException(getClass().getSimpleName() + ": parameter " + PORT + " '" + value
                + "' is not a port number (1-65535)");
        }
    }

    private void expect(String name, String wanted) throws MessagingException {
        expect(name, wanted, false);
    }

    private void expect(String name, String wanted, boolean wantedByDefault) throws MessagingException {
        String value = getInitParameter(name);
        if (value == null && wantedByDefault) {
            return;
        }
        if (value == null || !value.trim().equalsIgnoreCase(wanted)) {
            throw new MessagingException(getClass().getSimpleName() + ": parameter " + name + " must be '" + wanted
                + "' for danePolicy " + getInitParameter(DANE_POLICY) + (value == null ? " (missing)"
                : " (is '" + value.trim() + "')"));
        }
    }

    private void refuse(String name) throws MessagingException {
        String value = getInitParameter(name);
        if (value != null && !value.isBlank() && !(name.equals("sslEnable") && value.trim().equals("false"))) {
            throw new MessagingException(getClass().getSimpleName() + ": parameter " + name
                + " cannot be used: DANE applies to the MX hosts of the recipient domain over STARTTLS");
        }
    }

    private TlsVersion minimumProtocol(DeliveryPolicy policy) throws MessagingException {
        String name = "mail.smtp.ssl.protocols";
        String value = required(name);
        List<TlsVersion> versions = new ArrayList<>();
        for (String token : value.split("[\\s,]+")) {
            versions.add(TlsVersion.fromJsseName(token).orElseThrow(() -> new MessagingException(
                getClass().getSimpleName() + ": parameter " + name + ": '" + token + "' is not a TLS version ("
                    + "a JSSE protocol name such as TLSv1.2 or TLSv1.3)")));
        }
        TlsVersion minimum = versions.stream().min(Comparator.naturalOrder()).orElseThrow();
        if (policy == DeliveryPolicy.DANE_REQUIRED && minimum.compareTo(TlsVersion.TLS_V1_2) < 0) {
            throw new MessagingException(getClass().getSimpleName() + ": parameter " + name + " lists "
                + minimum.jsseName() + ": danePolicy dane-required needs TLSv1.2 or newer only");
        }
        return minimum;
    }

    /**
     * James's context, except that a bounce made by RemoteDelivery on a delivery thread carries the reasons the
     * connections of the last attempt failed ({@link DaneFailures}): in the {@code delivery-error} attribute read
     * by {@code DSNBounce} (bounceProcessor), or in the text of a plain bounce. RemoteDelivery would otherwise say
     * only "Too many retries failure" or JavaMail's "Could not convert socket to TLS".
     */
    @Override
    public MailetContext getMailetContext() {
        MailetContext james = super.getMailetContext();
        if (context == null || contextDelegate != james) {
            contextDelegate = james;
            context = (MailetContext) Proxy.newProxyInstance(TesRemoteDelivery.class.getClassLoader(),
                new Class<?>[] {MailetContext.class}, (proxy, method, args) -> {
                    if (args != null && args.length == 2 && args[0] instanceof Mail mail
                        && args[1] instanceof String text) {
                        List<String> failures = DaneFailures.current();
                        if (!failures.isEmpty() && method.getName().equals("sendMail")
                            && mail.getAttribute(Bouncer.DELIVERY_ERROR).isPresent()) {
                            String original = mail.getAttribute(Bouncer.DELIVERY_ERROR)
                                .map(attribute -> String.valueOf(attribute.getValue().value())).orElse("");
                            String reason = original + " Last attempt: " + String.join("; ", failures);
                            mail.setAttribute(new Attribute(Bouncer.DELIVERY_ERROR, AttributeValue.of(reason)));
                            LOGGER.info("TES outbound bounce of mail {}: {}", mail.getName(), reason);
                        } else if (!failures.isEmpty() && method.getName().equals("bounce")) {
                            args = new Object[] {mail, text + "\nLast attempt: " + String.join("; ", failures)};
                            LOGGER.info("TES outbound bounce of mail {}: {}", mail.getName(), failures);
                        }
                    }
                    try {
                        return method.invoke(james, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        }
        return context;
    }

    @Override
    public String getMailetInfo() {
        return "TES RemoteDelivery with DANE (" + Optional.ofNullable(getInitParameter(DANE_POLICY))
            .orElse("unconfigured").toLowerCase(Locale.ROOT) + ")";
    }
}
