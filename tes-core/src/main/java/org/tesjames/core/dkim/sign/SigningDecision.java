package org.tesjames.core.dkim.sign;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import javax.mail.MessagingException;
import javax.mail.internet.AddressException;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;

import org.tesjames.core.membership.DomainNames;

/**
 * Whether a submitted message gets DKIM-signed, and if not, why: the one decision shared by the signing
 * mailet (processor chain) and the end-of-DATA submission hook (SMTP time), so both say the same about the
 * same message.
 *
 * <p>A message is signed when it was submitted by a SASL-authenticated user, has exactly one {@code From}
 * header field with exactly one address whose domain is the signing domain, the user may send for that domain
 * ({@link SigningAuthorisation}), and the domain has an active key in the {@link DkimKeySource}.
 */
public sealed interface SigningDecision {
    /** Sign for this domain: every condition holds. */
    record Sign(String user, String domain) implements SigningDecision {
    }

    /** Not submitted by an authenticated user: never signed. */
    record Unauthenticated() implements SigningDecision {
    }

    /** No usable From domain (none, several From fields or addresses, malformed, bad domain). */
    record NoFromDomain(String user, String problem) implements SigningDecision {
    }

    /** The user may not send for the From domain. */
    record NotAuthorised(String user, String domain) implements SigningDecision {
    }

    /** The user may send for the domain, but it has no active signing key. */
    record NoKey(String user, String domain) implements SigningDecision {
    }

    /**
     * Decides for one message.
     *
     * @param user the SASL-authenticated user, empty when the message was not submitted with AUTH
     * @param message the message as it will be signed
     * @param authorisation which domains the user may sign for
     * @param keys the signing keys
     * @throws MessagingException when the From header field cannot be read from the message
     */
    static SigningDecision decide(Optional<String> user, MimeMessage message, SigningAuthorisation authorisation,
            DkimKeySource keys) throws MessagingException {
        Objects.requireNonNull(authorisation, "authorisation");
        Objects.requireNonNull(keys, "keys");
        Optional<String> name = user.filter(value -> !value.isBlank());
        if (name.isEmpty()) {
            return new Unauthenticated();
        }
        FromDomain from = fromDomain(message);
        if (from.domain().isEmpty()) {
            return new NoFromDomain(name.get(), from.problem());
        }
        String domain = from.domain().get();
        if (!authorisation.allows(name.get(), domain)) {
            return new NotAuthorised(name.get(), domain);
        }
        List<DkimKey> active = keys.activeKeys(domain);
        if (active.isEmpty()) {
            return new NoKey(name.get(), domain);
        }
        return new Sign(name.get(), domain);
    }

    /** The normalised domain of the single From address, or why there is none. */
    record FromDomain(Optional<String> domain, String problem) {
    }

    /** The normalised domain of the message's single RFC 5322 From address, or why there is none. */
    static FromDomain fromDomain(MimeMessage message) throws MessagingException {
        String[] fields = message.getHeader("From");
        if (fields == null || fields.length == 0) {
            return new FromDomain(Optional.empty(), "no From header field");
        }
        if (fields.length > 1) {
            return new FromDomain(Optional.empty(), fields.length + " From header fields");
        }
        InternetAddress[] addresses;
        try {
            addresses = InternetAddress.parseHeader(fields[0], true);
        } catch (AddressException e) {
            return new FromDomain(Optional.empty(), "malformed From: " + e.getMessage());
        }
        if (addresses.length != 1) {
            return new FromDomain(Optional.empty(), "From holds " + addresses.length + " addresses, not one");
        }
        String address = addresses[0].getAddress();
        int at = address == null ? -1 : address.lastIndexOf('@');
        if (at < 0) {
            return new FromDomain(Optional.empty(), "From address without a domain");
        }
        DomainNames.Normalised normalised = DomainNames.normalise(address.substring(at + 1));
        if (normalised.domain().isEmpty()) {
            return new FromDomain(Optional.empty(), "bad From domain: " + normalised.problem());
        }
        return new FromDomain(normalised.domain(), "");
    }
}
