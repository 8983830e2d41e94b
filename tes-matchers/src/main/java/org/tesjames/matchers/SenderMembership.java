package org.tesjames.matchers;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.tesjames.core.membership.MembershipResolver;
import org.tesjames.core.membership.MembershipVerdict;
import org.tesjames.core.membership.Step;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * The TES membership of a mail's envelope sender, as the processor chain learns it:
 * <ol>
 *   <li>the null sender {@code <>} is not a member, without a lookup;</li>
 *   <li>when {@code tes.sender.membership} is set for the current sender domain (the SMTP hook already decided),
 *       that verdict is used, without a lookup;</li>
 *   <li>otherwise the domain is resolved with {@link MembershipResolver#resolveWithin} and a definite verdict is
 *       recorded with {@link TesMailAttributes#writeSenderMembership}.</li>
 * </ol>
 * A recorded verdict whose {@code tes.sender.domain} differs from the current sender's domain (a mailet rewrote
 * the sender) is ignored and the current domain is looked up. A temporary failure is returned as such and never
 * recorded; callers turn it into a {@link MessagingException} with {@link Known#failure(Mail)}.
 */
public final class SenderMembership {
    /** Where a membership verdict came from. */
    public enum Origin {
        NULL_SENDER("null sender, no lookup"),
        ATTRIBUTE("recorded in tes.sender.membership"),
        LOOKUP("looked up");

        private final String description;

        Origin(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    /** The verdict for one mail's sender, with its domain (empty for the null sender) and origin. */
    public record Known(Optional<String> domain, MembershipVerdict verdict, Origin origin) {
        public Known {
            Objects.requireNonNull(domain);
            Objects.requireNonNull(verdict);
            Objects.requireNonNull(origin);
        }

        public boolean member() {
            return verdict instanceof MembershipVerdict.Member;
        }

        public boolean failed() {
            return verdict instanceof MembershipVerdict.TemporaryFailure;
        }

        public String domainOrNullSender() {
            return domain.orElse("<>");
        }

        /** One line for logs: the domain, the verdict and its origin. */
        public String describe() {
            if (origin == Origin.ATTRIBUTE) {
                return domainOrNullSender() + (member() ? " is a member" : " is not a member") + " ["
                    + origin.description() + "]";
            }
            return verdict.describe() + " [" + origin.description() + "]";
        }

        /** The exception a matcher or mailet throws for a temporary failure, so James can route the mail. */
        public MessagingException failure(Mail mail) {
            return new MessagingException("TES lookup failed for sender domain " + domainOrNullSender()
                + " of mail " + mail.getName() + ": " + verdict.describe());
        }
    }

    private final MembershipResolver resolver;
    private final Duration deadline;

    public SenderMembership(MembershipResolver resolver, Duration deadline) {
        this.resolver = Objects.requireNonNull(resolver);
        this.deadline = Objects.requireNonNull(deadline);
    }

    /** The membership of the mail's envelope sender; records a definite looked-up verdict on the mail. */
    public Known of(Mail mail) {
        Optional<MailAddress> sender = mail.getMaybeSender().asOptional();
        if (sender.isEmpty()) {
            return new Known(Optional.empty(), new MembershipVerdict.NotMember("<>", Step.DOMAIN_SYNTAX,
                "null sender: not a member", Duration.ZERO), Origin.NULL_SENDER);
        }
        String domain = sender.get().getDomain().asString();
        Optional<Known> recorded = recorded(mail, domain);
        if (recorded.isPresent()) {
            return recorded.get();
        }
        MembershipVerdict verdict = resolver.resolveWithin(domain, deadline);
        if (!(verdict instanceof MembershipVerdict.TemporaryFailure)) {
            TesMailAttributes.writeSenderMembership(mail, Optional.of(domain), verdict);
        }
        return new Known(Optional.of(domain), verdict, Origin.LOOKUP);
    }

    private static Optional<Known> recorded(Mail mail, String domain) {
        Optional<Boolean> member = TesMailAttributes.readSenderMembership(mail);
        if (member.isEmpty() || !recordedDomain(mail).map(d -> sameDomain(d, domain)).orElse(false)) {
            return Optional.empty();
        }
        MembershipVerdict verdict = member.get()
            ? new MembershipVerdict.Member(domain, recordedMaster(mail), Duration.ZERO)
            : new MembershipVerdict.NotMember(domain, Step.TES_MASTER, "recorded as non-member", Duration.ZERO);
        return Optional.of(new Known(Optional.of(domain), verdict, Origin.ATTRIBUTE));
    }

    private static boolean sameDomain(String a, String b) {
        return strip(a).equals(strip(b));
    }

    private static String strip(String domain) {
        String lower = domain.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    private static Optional<String> recordedDomain(Mail mail) {
        return TesMailAttributes.string(mail, TesMailAttributes.SENDER_DOMAIN);
    }

    /** The recorded master; the root name when the hook did not record one (it always does for a member). */
    private static Name recordedMaster(Mail mail) {
        Optional<String> master = TesMailAttributes.string(mail, TesMailAttributes.SENDER_MASTER);
        if (master.isEmpty()) {
            return Name.root;
        }
        try {
            return Name.fromString(master.get(), Name.root);
        } catch (TextParseException e) {
            throw new IllegalStateException("Invalid " + TesMailAttributes.SENDER_MASTER.asString() + " '"
                + master.get() + "' on mail " + mail.getName(), e);
        }
    }

}
