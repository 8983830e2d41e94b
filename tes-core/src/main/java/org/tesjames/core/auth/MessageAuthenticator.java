package org.tesjames.core.auth;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.dom.address.AddressList;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.field.address.DefaultAddressParser;
import org.apache.james.mime4j.field.address.ParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.core.dkim.verify.BodyHashes;
import org.tesjames.core.dkim.verify.DkimResult;
import org.tesjames.core.dkim.verify.DkimSignatureResult;
import org.tesjames.core.dkim.verify.DkimVerification;
import org.tesjames.core.dkim.verify.DkimVerifier;
import org.tesjames.core.dmarc.AuthenticationFacts;
import org.tesjames.core.dmarc.AuthorDomain;
import org.tesjames.core.dmarc.DmarcEvaluator;
import org.tesjames.core.dmarc.DmarcPolicyDiscovery;
import org.tesjames.core.dmarc.DmarcResult;
import org.tesjames.core.mail.HeaderFields;
import org.tesjames.core.mail.SafeText;
import org.tesjames.core.util.BoundedMemo;

/**
 * Inbound message authentication: DKIM and SPF run concurrently, then DMARC over their results and the
 * RFC5322.From domain.
 *
 * <p>The Author Domain: the addresses of every {@code From} field (each field's value parsed strictly as an RFC
 * 5322 address list by mime4j; a field that does not parse, or an address without a domain, makes the Author
 * Domain {@link AuthorDomain.Unparsable}), classified by {@link AuthorDomain#fromDomains(List)}. Field octets that
 * are valid UTF-8 are read as UTF-8 (RFC 6532), others as ISO-8859-1.
 *
 * <p>DKIM: when a message has more signatures than the verifier evaluates, those of the envelope sender's domain
 * (the signature the TES member policy needs) are evaluated first.
 *
 * <p>DMARC gets the {@code d=} domains of the passing signatures, the SPF result and the domain SPF evaluated
 * (the MAIL FROM domain, or the HELO name for the null sender, RFC 7489 section 3.1.2), and the {@code d=} domains
 * of the signatures whose key lookup failed temporarily (an aligned one makes DMARC {@code temperror} when
 * nothing else passes aligned). Temporary DNS failures
 * are {@code temperror} results in the report; the stage always completes normally.
 */
public final class MessageAuthenticator {
    private static final Logger LOGGER = LoggerFactory.getLogger(MessageAuthenticator.class);
    /** The longest Message-ID kept in the report (for logs). */
    private static final int MESSAGE_ID_LENGTH = 200;
    /** The parsed From values kept: mime4j's strict address parser costs more than the rest of DMARC. */
    private static final BoundedMemo<FromAddresses> FROM_ADDRESSES = new BoundedMemo<>(FromAddresses::parse, 4096,
        512);

    private final DkimVerifier dkim;
    private final SpfVerifier spf;
    private final DmarcPolicyDiscovery discovery;
    private final DmarcEvaluator dmarc;

    public MessageAuthenticator(DkimVerifier dkim, SpfVerifier spf, DmarcPolicyDiscovery discovery,
                                DmarcEvaluator dmarc) {
        this.dkim = Objects.requireNonNull(dkim);
        this.spf = Objects.requireNonNull(spf);
        this.discovery = Objects.requireNonNull(discovery);
        this.dmarc = Objects.requireNonNull(dmarc);
    }

    /**
     * Authenticates a message as received.
     *
     * @param rfc822Message the message octets (header and body)
     * @param identity the SMTP client's address, HELO and MAIL FROM
     */
    public CompletionStage<AuthenticationReport> authenticate(byte[] rfc822Message, SmtpIdentity identity) {
        return authenticate(rfc822Message, identity, checkSpf(identity));
    }

    /** The SPF check of an SMTP identity alone: an SMTP server starts it as soon as MAIL FROM is known. */
    public CompletionStage<SpfCheck> checkSpf(SmtpIdentity identity) {
        return spf.check(Objects.requireNonNull(identity));
    }

    /** {@link #checkSpf}, with how long its result holds for the same identity ({@link SpfVerifier.Held}). */
    public CompletionStage<SpfVerifier.Held> checkSpfHeld(SmtpIdentity identity) {
        return spf.checkHeld(Objects.requireNonNull(identity));
    }

    /**
     * Authenticates a message as received, with the SPF check of its identity started earlier by
     * {@link #checkSpf}.
     */
    public CompletionStage<AuthenticationReport> authenticate(byte[] rfc822Message, SmtpIdentity identity,
                                                              CompletionStage<SpfCheck> spfCheck) {
        HeaderFields message = HeaderFields.parse(Objects.requireNonNull(rfc822Message));
        return authenticate(message, BodyHashes.of(message), identity, spfCheck);
    }

    /**
     * The DKIM body hashes that authenticating a message with this header needs: an SMTP server computes them
     * while the body streams in ({@link BodyHashes#streaming}), then calls
     * {@link #authenticate(HeaderFields, BodyHashes, SmtpIdentity, CompletionStage)} without holding the body.
     */
    public Set<BodyHashes.Key> bodyHashesNeeded(HeaderFields header, SmtpIdentity identity) {
        return dkim.bodyHashesNeeded(header, preferredDomain(identity));
    }

    /**
     * Starts the DNS lookups that authenticating a message with this header will make, DKIM keys and the DMARC
     * policy of the author domain, as soon as the header is complete: over the caching DNS client, the answers are
     * there (or on their way) when the body has arrived. Nothing is decided here.
     *
     * @return what was started, for {@link #authenticate(Prefetched, BodyHashes, SmtpIdentity, CompletionStage)},
     *     which then neither reads the Author Domain again nor asks for its DMARC policy again
     */
    public Prefetched prefetch(HeaderFields header, SmtpIdentity identity) {
        return prefetch(header, identity, discovery::discover);
    }

    /**
     * {@link #prefetch(HeaderFields, SmtpIdentity)}, the DMARC policy of a single Author Domain taken from
     * {@code policies}: an SMTP server that kept the outcome of an earlier {@link #discoverPolicy} for the domain
     * gives it, else starts one.
     */
    public Prefetched prefetch(HeaderFields header, SmtpIdentity identity,
                               Function<String, ? extends CompletionStage<DmarcPolicyDiscovery.Outcome>> policies) {
        dkim.prefetchKeys(header, preferredDomain(identity));
        AuthorDomain author = authorDomain(header);
        return new Prefetched(header, author,
            author instanceof AuthorDomain.Single single ? policies.apply(single.domain()) : null);
    }

    /** The discovery of the DMARC policy of an Author Domain, with how long its outcome holds. */
    public CompletionStage<DmarcPolicyDiscovery.Held> discoverPolicy(String authorDomain) {
        return discovery.discoverHeld(authorDomain);
    }

    /**
     * The lookups {@link #prefetch} started for one header: its Author Domain and, when that is a single domain, the
     * discovery of its DMARC policy.
     */
    public static final class Prefetched {
        private final HeaderFields header;
        private final AuthorDomain author;
        /** Null unless the Author Domain is a single domain. */
        private final CompletionStage<DmarcPolicyDiscovery.Outcome> policy;

        private Prefetched(HeaderFields header, AuthorDomain author,
                           CompletionStage<DmarcPolicyDiscovery.Outcome> policy) {
            this.header = header;
            this.author = author;
            this.policy = policy;
        }
    }

    /**
     * Authenticates a message given as its header and the hashes of its body, with the SPF check of its identity
     * started earlier by {@link #checkSpf}.
     */
    public CompletionStage<AuthenticationReport> authenticate(HeaderFields header, BodyHashes bodies,
                                                              SmtpIdentity identity,
                                                              CompletionStage<SpfCheck> spfCheck) {
        Objects.requireNonNull(header);
        return authenticate(header, authorDomain(header), null, bodies, identity, spfCheck);
    }

    /**
     * {@link #authenticate(HeaderFields, BodyHashes, SmtpIdentity, CompletionStage)} of the header whose lookups
     * {@link #prefetch} started: its Author Domain and DMARC policy discovery are used as they are, except a
     * discovery that failed temporarily, which is asked again (as it would be without the prefetch).
     */
    public CompletionStage<AuthenticationReport> authenticate(Prefetched prefetched, BodyHashes bodies,
                                                              SmtpIdentity identity,
                                                              CompletionStage<SpfCheck> spfCheck) {
        return authenticate(prefetched.header, prefetched.author, prefetched.policy, bodies, identity, spfCheck);
    }

    private CompletionStage<AuthenticationReport> authenticate(HeaderFields header, AuthorDomain author,
                                                               CompletionStage<DmarcPolicyDiscovery.Outcome> started,
                                                               BodyHashes bodies, SmtpIdentity identity,
                                                               CompletionStage<SpfCheck> spfCheck) {
        Objects.requireNonNull(bodies);
        Objects.requireNonNull(identity);
        List<HeaderFields.Field> messageIds = header.fields("message-id");
        Optional<String> messageId = messageIds.isEmpty() ? Optional.empty()
            : Optional.of(SafeText.oneLine(messageIds.get(0).unfoldedValue(), MESSAGE_ID_LENGTH));
        CompletableFuture<DkimVerification> dkimStage = dkim.verify(header, preferredDomain(identity), bodies)
            .toCompletableFuture();
        CompletableFuture<SpfCheck> spfStage = spfCheck.toCompletableFuture();
        return dkimStage.thenCombine(spfStage, Pair::new).thenCompose(pair -> {
            List<String> passing = new ArrayList<>();
            List<String> tempErrors = new ArrayList<>();
            for (DkimSignatureResult signature : pair.dkim.signatures()) {
                if (signature.isPass()) {
                    passing.add(signature.domain());
                } else if (signature.result() == DkimResult.TEMPERROR) {
                    tempErrors.add(signature.domain());
                }
            }
            AuthenticationFacts facts = new AuthenticationFacts(passing, tempErrors, pair.spf.result(),
                pair.spf.domain());
            if (author instanceof AuthorDomain.Single single) {
                return policy(single.domain(), started).thenApply(outcome -> report(pair, author,
                    dmarc.evaluate(single.domain(), facts, outcome), Optional.of(outcome), messageId));
            }
            return CompletableFuture.completedFuture(report(pair, author, dmarc.malformed(author), Optional.empty(),
                messageId));
        });
    }

    /** The DMARC policy of an author domain: the discovery started earlier unless it failed temporarily. */
    private CompletionStage<DmarcPolicyDiscovery.Outcome> policy(String domain,
                                                                 CompletionStage<DmarcPolicyDiscovery.Outcome> started) {
        if (started == null) {
            return discovery.discover(domain);
        }
        return started.thenCompose(outcome -> outcome instanceof DmarcPolicyDiscovery.TempError
            ? discovery.discover(domain) : CompletableFuture.completedFuture(outcome));
    }

    private record Pair(DkimVerification dkim, SpfCheck spf) {
    }

    /** The domain whose signatures are verified first: the envelope sender's (none for the null sender). */
    private static String preferredDomain(SmtpIdentity identity) {
        return identity.isNullSender() ? "" : identity.mailFromDomain();
    }

    private static AuthenticationReport report(Pair pair, AuthorDomain author, DmarcResult result,
                                               Optional<DmarcPolicyDiscovery.Outcome> outcome,
                                               Optional<String> messageId) {
        AuthenticationReport report = new AuthenticationReport(pair.dkim, pair.spf, author, result, outcome,
            messageId);
        if (LOGGER.isDebugEnabled()) {
            LOGGER.debug("Authenticated message {}: {} signature(s), {} pass; spf={} {} {}; dmarc={} {} ({})",
                messageId.orElse("(no Message-ID)"), pair.dkim.signatures().size(),
                pair.dkim.signatures().stream().filter(DkimSignatureResult::isPass).count(),
                pair.spf.result().keyword(), pair.spf.identity(), pair.spf.domain(), result.result().token(),
                result.authorDomain(), result.reason());
        }
        return report;
    }

    /** The Author Domain of a message (see the class comment). */
    public static AuthorDomain authorDomain(HeaderFields header) {
        List<String> domains = new ArrayList<>();
        for (HeaderFields.Field from : header.fields("from")) {
            FromAddresses addresses = FROM_ADDRESSES.apply(decode(from.unfoldedValue()));
            if (addresses.unparsable() != null) {
                return addresses.unparsable();
            }
            domains.addAll(addresses.domains());
        }
        return AuthorDomain.fromDomains(domains);
    }

    /**
     * The address domains of one From field value, or why it is unparsable: a function of the value alone, kept
     * for the values seen often (a sender's From is the same message after message).
     */
    private record FromAddresses(List<String> domains, AuthorDomain.Unparsable unparsable) {
        static FromAddresses parse(String value) {
            AddressList addresses;
            try {
                addresses = DefaultAddressParser.DEFAULT.parseAddressList(value, DecodeMonitor.STRICT);
            } catch (ParseException | RuntimeException e) {
                return new FromAddresses(List.of(),
                    new AuthorDomain.Unparsable(value, "not an RFC 5322 address list: " + e.getMessage()));
            }
            List<String> domains = new ArrayList<>();
            for (Mailbox mailbox : addresses.flatten()) {
                String domain = mailbox.getDomain();
                if (domain == null || domain.isBlank()) {
                    return new FromAddresses(List.of(), new AuthorDomain.Unparsable(value, "the address "
                        + mailbox.getAddress() + " has no domain"));
                }
                domains.add(domain);
            }
            return new FromAddresses(List.copyOf(domains), null);
        }
    }

    /** The octets of a field value (one char per octet) read as UTF-8 when they are UTF-8; ASCII reads as itself. */
    private static String decode(String isoLatin1) {
        int i = 0;
        while (i < isoLatin1.length() && isoLatin1.charAt(i) < 0x80) {
            i++;
        }
        if (i == isoLatin1.length()) {
            return isoLatin1;
        }
        byte[] octets = isoLatin1.getBytes(StandardCharsets.ISO_8859_1);
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(octets)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return isoLatin1;
        }
    }
}
