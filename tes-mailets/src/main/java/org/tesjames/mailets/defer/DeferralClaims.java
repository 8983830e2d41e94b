package org.tesjames.mailets.defer;

import java.util.Optional;
import java.util.Set;

import org.apache.james.mailrepository.api.MailKey;

/**
 * Who may touch a parked mail: {@code TesDefer} claims a key before it stores, re-injects or expires the mail, so
 * that at most one scanner (of this node or of another node sharing the repository) handles it at a time, and no
 * scanner reads a mail that is still being written.
 *
 * <p>{@code MailRepository} itself offers no atomic claim (no compare-and-delete: {@code remove} returns nothing
 * and succeeds on a missing key in every James 3.8.1 implementation), so the claim lives beside the repository.
 */
public interface DeferralClaims {

    /**
     * Tries to claim a key.
     *
     * @return the claim, or empty when another holder has it
     */
    Optional<Claim> tryClaim(MailKey key);

    /**
     * Forgets what is left of claims of keys that are no longer in the repository (a holder that died after
     * removing the mail, before releasing its claim) and whose lease has run out.
     *
     * @param present the keys the repository holds now
     */
    void forgetStale(Set<MailKey> present);

    /** A held claim; {@link #close()} releases it. */
    interface Claim extends AutoCloseable {
        /** Whether this holder still has the key: its lease has not run out and nobody took it over. */
        boolean stillHeld();

        @Override
        void close();
    }
}
