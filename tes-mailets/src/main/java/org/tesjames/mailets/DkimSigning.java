package org.tesjames.mailets;

import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.tesjames.core.dkim.sign.DkimKeySource;
import org.tesjames.core.dkim.sign.DkimSigner;
import org.tesjames.core.dkim.sign.ReloadingDkimKeyStore;
import org.tesjames.core.dkim.sign.SignedHeaders;
import org.tesjames.core.dkim.sign.SigningAuthorisation;
import org.tesjames.core.dkim.sign.SigningDecision;

/**
 * DKIM signing as configured in {@code tes.properties}: disabled ({@code dkim.keys=none}), or the signing keys
 * (in James, a {@code ReloadingDkimKeyStore} over {@code dkim.keys}) and the clock of the {@code t=} tag.
 * Provided by {@link TesModule}; used by {@link TesDkimSign} and
 * {@link org.tesjames.mailets.smtp.SubmissionSigningHook}, which take the same {@link SigningDecision}.
 */
public final class DkimSigning {
    private final Optional<DkimKeySource> keys;
    private final Clock clock;

    private DkimSigning(Optional<DkimKeySource> keys, Clock clock) {
        this.keys = keys;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Signing disabled: {@link #signer} is empty. */
    public static DkimSigning disabled() {
        return new DkimSigning(Optional.empty(), Clock.systemUTC());
    }

    /** Signing with these keys. */
    public static DkimSigning enabled(DkimKeySource keys, Clock clock) {
        return new DkimSigning(Optional.of(Objects.requireNonNull(keys, "keys")), clock);
    }

    public boolean isEnabled() {
        return keys.isPresent();
    }

    /** The reloading key store signing uses, when signing is enabled with one (as {@code TesModule} does). */
    public Optional<ReloadingDkimKeyStore> store() {
        return keys.filter(ReloadingDkimKeyStore.class::isInstance).map(ReloadingDkimKeyStore.class::cast);
    }

    /** A signer with this header list; empty when signing is disabled. */
    public Optional<DkimSigner> signer(SignedHeaders headers) {
        return keys.map(source -> new DkimSigner(source, headers, clock));
    }

    /** A signer with the default header list; empty when signing is disabled. */
    public Optional<DkimSigner> signer() {
        return signer(SignedHeaders.DEFAULT);
    }

    /**
     * Whether a submitted message gets signed, and why not ({@link SigningDecision#decide}); empty when signing
     * is disabled.
     *
     * @param user the SASL-authenticated user, empty without AUTH
     */
    public Optional<SigningDecision> decide(Optional<String> user, MimeMessage message,
            SigningAuthorisation authorisation) throws MessagingException {
        if (keys.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(SigningDecision.decide(user, message, authorisation, keys.get()));
    }

    @Override
    public String toString() {
        return keys.map(source -> "DkimSigning[" + source + "]").orElse("DkimSigning[disabled]");
    }
}
