package org.tesjames.mailets;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import javax.inject.Inject;
import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;
import javax.mail.internet.MimePart;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.mailet.AttributeName;
import org.apache.mailet.Mail;
import org.apache.mailet.base.Converter7Bit;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.core.dkim.sign.DkimSignature;
import org.tesjames.core.dkim.sign.DkimSigner;
import org.tesjames.core.dkim.sign.SignedHeaders;
import org.tesjames.core.dkim.sign.SigningAuthorisation;
import org.tesjames.core.dkim.sign.SigningDecision;
import org.tesjames.matchers.TesMailAttributes;

/**
 * Signs the mail of authenticated users with DKIM (RFC 6376), with the active keys of the RFC 5322 From domain
 * from the key directory of {@code dkim.keys} in {@code tes.properties} (see {@link DkimSigning}).
 *
 * <p>A mail is signed only when all of these hold:
 * <ol>
 *   <li>it was submitted by a SASL-authenticated user: attribute {@code tes.smtp.auth.user}, else James's
 *       {@code org.apache.james.SMTPAuthUser}; unauthenticated mail is never signed;</li>
 *   <li>it has exactly one {@code From} header field with exactly one address; its domain is the signing
 *       domain;</li>
 *   <li>the user may send for that domain: the domain of the user name (after its last {@code @}) is the
 *       signing domain (case-insensitive, Unicode and A-labels alike), or {@code domainMap} grants it the
 *       signing domain; a user name without a domain may sign for nothing;</li>
 *   <li>the signing domain has an active key; otherwise {@code noKey} decides.</li>
 * </ol>
 * Signing is idempotent: a key that already signs the message is not used again; a signature counts as made with
 * the key only when it has the key's {@code d=} and {@code s=} and verifies with the key's own public key (a
 * client-supplied {@code DKIM-Signature} with our {@code d=} and {@code s=} never does, see
 * {@link org.tesjames.core.dkim.sign.DkimSigner}). With
 * {@code dkim.keys=none} the mailet does nothing. Place it after every mailet that changes headers or the body
 * and right before delivery.
 *
 * <p>The decision is {@link SigningDecision}, shared with {@link org.tesjames.mailets.smtp.SubmissionSigningHook},
 * which refuses at the end of DATA (550 or 451) what this mailet could only skip or send to a processor.
 *
 * <table>
 *   <caption>Parameters (unknown parameters and malformed values fail {@code init()} naming them)</caption>
 *   <tr><th>parameter</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code domainMap}</td><td>(none)</td><td>extra signing domains:
 *       {@code signing-domain:user-domain,...}; each entry lets the users of {@code user-domain} sign for
 *       {@code signing-domain}</td></tr>
 *   <tr><td>{@code noKey}</td><td>{@code skip}</td><td>an authorised mail whose domain has no active key:
 *       {@code skip} (passes unsigned) or {@code error} (sent to {@code errorProcessor})</td></tr>
 *   <tr><td>{@code errorProcessor}</td><td>{@code error}</td><td>the processor of {@code noKey=error}</td></tr>
 *   <tr><td>{@code convert8bit}</td><td>{@code true}</td><td>before signing, converts every part with
 *       {@code Content-Transfer-Encoding: 8bit} to quoted-printable (text) or base64 (others), as RemoteDelivery
 *       would for a server without 8BITMIME after signing, which would break the body hash; {@code false}
 *       signs 8bit parts as they are (only safe when every next hop announces 8BITMIME)</td></tr>
 *   <tr><td>{@code headers}</td><td>{@code From, Sender, Reply-To, To, Cc, Subject, Date, Message-ID,
 *       In-Reply-To, References, MIME-Version, Content-Type, Content-Transfer-Encoding, Content-ID,
 *       Content-Description, List-Id, List-Unsubscribe, List-Unsubscribe-Post}</td><td>the signed header
 *       fields, comma-separated; must include {@code From}, which is always oversigned</td></tr>
 * </table>
 *
 * <pre>{@code
 * <processor state="relay" enableJmx="true">
 *   <mailet match="All" class="org.tesjames.mailets.TesDkimSign">
 *     <domainMap>alias.example:example.com</domainMap>
 *     <noKey>skip</noKey>
 *   </mailet>
 *   <mailet match="All" class="RemoteDelivery">
 *     ...
 *   </mailet>
 * </processor>
 * }</pre>
 *
 * <p>Each decision logs one INFO line with the mail name, the Message-ID, the domain and the selectors or the
 * reason, and counts it ({@code MetricFactory}): {@code tes.dkim.sign.signed},
 * {@code tes.dkim.sign.already-signed}, {@code tes.dkim.sign.skipped-no-key},
 * {@code tes.dkim.sign.skipped-not-authorised}, {@code tes.dkim.sign.skipped-unauthenticated},
 * {@code tes.dkim.sign.converted-8bit}.
 */
public class TesDkimSign extends GenericMailet {
    /** James's own record of the SASL-authenticated user. */
    public static final AttributeName JAMES_AUTH_USER = AttributeName.of("org.apache.james.SMTPAuthUser");

    static final String SIGNED_METRIC = "tes.dkim.sign.signed";
    static final String ALREADY_SIGNED_METRIC = "tes.dkim.sign.already-signed";
    static final String NO_KEY_METRIC = "tes.dkim.sign.skipped-no-key";
    static final String NOT_AUTHORISED_METRIC = "tes.dkim.sign.skipped-not-authorised";
    static final String UNAUTHENTICATED_METRIC = "tes.dkim.sign.skipped-unauthenticated";

    static final String DOMAIN_MAP = "domainMap";
    static final String NO_KEY = "noKey";
    static final String ERROR_PROCESSOR = "errorProcessor";
    static final String HEADERS = "headers";
    static final String CONVERT_8BIT = "convert8bit";
    static final String CONVERTED_METRIC = "tes.dkim.sign.converted-8bit";

    private static final Logger LOGGER = LoggerFactory.getLogger(TesDkimSign.class);

    private final DkimSigning signing;
    private final MetricFactory metrics;

    private Optional<DkimSigner> signer;
    private SigningAuthorisation authorisation;
    private boolean errorOnNoKey;
    private String errorProcessor;
    private boolean convert8bit;

    @Inject
    public TesDkimSign(DkimSigning signing, MetricFactory metrics) {
        this.signing = signing;
        this.metrics = metrics;
    }

    @Override
    public void init() throws MessagingException {
        MailetParameters parameters = MailetParameters.of(TesDkimSign.class, getMailetConfig(), DOMAIN_MAP, NO_KEY,
            ERROR_PROCESSOR, HEADERS, CONVERT_8BIT);
        Optional<String> domainMap = parameters.optional(DOMAIN_MAP);
        try {
            authorisation = domainMap.map(SigningAuthorisation::parse).orElse(SigningAuthorisation.ownDomainOnly());
        } catch (IllegalArgumentException e) {
            throw parameters.fail(DOMAIN_MAP, domainMap.orElse(""), e.getMessage());
        }
        errorOnNoKey = parameters.choice(NO_KEY, "skip", "skip", "error").equals("error");
        errorProcessor = parameters.string(ERROR_PROCESSOR, Mail.ERROR);
        convert8bit = parameters.choice(CONVERT_8BIT, "true", "true", "false").equals("true");
        Optional<String> headerList = parameters.optional(HEADERS);
        SignedHeaders headers;
        try {
            headers = headerList.map(list -> SignedHeaders.of(Arrays.stream(list.split(",", -1)).toList(),
                Set.of())).orElse(SignedHeaders.DEFAULT);
        } catch (IllegalArgumentException e) {
            throw parameters.fail(HEADERS, headerList.orElse(""), e.getMessage());
        }
        signer = signing.signer(headers);
        if (signer.isEmpty()) {
            LOGGER.info("TesDkimSign '{}': DKIM signing is disabled (dkim.keys=none); mails pass unsigned",
                getMailetName());
        }
    }

    @Override
    public String getMailetInfo() {
        return "TES DKIM signing of authenticated users' mail with the key of the From domain";
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        if (signer.isEmpty()) {
            return;
        }
        MimeMessage message = mail.getMessage();
        String messageId = MessageIds.of(message);
        SigningDecision decision = signing.decide(authenticatedUser(mail), message, authorisation).orElseThrow();
        if (decision instanceof SigningDecision.Unauthenticated) {
            decide(UNAUTHENTICATED_METRIC, mail, messageId, "-", "not signed: not submitted by an authenticated user");
        } else if (decision instanceof SigningDecision.NoFromDomain noFrom) {
            decide(NOT_AUTHORISED_METRIC, mail, messageId, "-", "not signed: " + noFrom.problem());
        } else if (decision instanceof SigningDecision.NotAuthorised notAuthorised) {
            decide(NOT_AUTHORISED_METRIC, mail, messageId, notAuthorised.domain(), "not signed: user "
                + notAuthorised.user() + " may not sign for " + notAuthorised.domain());
        } else if (decision instanceof SigningDecision.NoKey noKey) {
            noKey(mail, messageId, noKey.domain());
        } else if (decision instanceof SigningDecision.Sign sign) {
            sign(mail, message, messageId, sign);
        }
    }

    private void sign(Mail mail, MimeMessage message, String messageId, SigningDecision.Sign sign)
            throws MessagingException {
        String domain = sign.domain();
        if (convert8bit && has8bitPart(message)) {
            try {
                new Converter7Bit(getMailetContext()).convertTo7Bit(message);
            } catch (IOException e) {
                throw new MessagingException("cannot convert the 8bit parts of mail " + mail.getName()
                    + " to 7bit before signing", e);
            }
            metrics.generate(CONVERTED_METRIC).increment();
            LOGGER.info("TesDkimSign mail {} message-id {} domain {}: 8bit parts converted to 7bit before signing",
                mail.getName(), messageId, domain);
        }
        DkimSigner.Result result = signer.get().sign(domain, message);
        if (!result.signatures().isEmpty()) {
            result.addTo(message);
            decide(SIGNED_METRIC, mail, messageId, domain, "signed for user " + sign.user() + " with selector(s) "
                + result.signatures().stream().map(DkimSignature::selector).collect(Collectors.joining(","))
                + alreadySigned(result.alreadySigned()));
        } else if (!result.alreadySigned().isEmpty()) {
            decide(ALREADY_SIGNED_METRIC, mail, messageId, domain, "already signed" + alreadySigned(
                result.alreadySigned()));
        } else {
            noKey(mail, messageId, domain); // the key went away (reload) since the decision
        }
    }

    private void noKey(Mail mail, String messageId, String domain) {
        if (errorOnNoKey) {
            String reason = "no active DKIM key for " + domain;
            mail.setErrorMessage(reason);
            mail.setState(errorProcessor);
            decide(NO_KEY_METRIC, mail, messageId, domain, "not signed: " + reason + "; sent to processor "
                + errorProcessor);
        } else {
            decide(NO_KEY_METRIC, mail, messageId, domain, "not signed: no active DKIM key for " + domain);
        }
    }

    /** Whether a part (recursively) has {@code Content-Transfer-Encoding: 8bit}, as RemoteDelivery checks it. */
    static boolean has8bitPart(MimePart part) throws MessagingException {
        if ("8bit".equals(part.getEncoding())) {
            return true;
        }
        if (part.isMimeType("multipart/*")) {
            Object content;
            try {
                content = part.getContent();
            } catch (IOException e) {
                throw new MessagingException("cannot read the parts of the message", e);
            }
            if (content instanceof MimeMultipart multipart) {
                for (int i = 0; i < multipart.getCount(); i++) {
                    if (has8bitPart((MimePart) multipart.getBodyPart(i))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static String alreadySigned(List<String> alreadySigned) {
        return alreadySigned.isEmpty() ? "" : " (already signed by " + String.join(", ", alreadySigned) + ")";
    }

    private void decide(String metric, Mail mail, String messageId, String domain, String outcome) {
        metrics.generate(metric).increment();
        LOGGER.info("TesDkimSign mail {} message-id {} domain {}: {}", mail.getName(), messageId, domain, outcome);
    }

    private static Optional<String> authenticatedUser(Mail mail) {
        return stringAttribute(mail, TesMailAttributes.AUTH_USER).or(() -> stringAttribute(mail, JAMES_AUTH_USER));
    }

    private static Optional<String> stringAttribute(Mail mail, AttributeName name) {
        return mail.getAttribute(name)
            .map(attribute -> attribute.getValue().getValue())
            .filter(String.class::isInstance)
            .map(String.class::cast)
            .filter(value -> !value.isBlank());
    }
}
