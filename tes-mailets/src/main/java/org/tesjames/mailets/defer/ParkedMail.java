package org.tesjames.mailets.defer;

import java.util.List;
import java.util.Optional;

/**
 * A mail parked by {@code TesDefer}, as operators see it.
 *
 * @param repository the repository URL
 * @param key        its key in the repository
 * @param name       the mail's name
 * @param sender     the envelope sender ({@code <>} for the null sender)
 * @param recipients the envelope recipients
 * @param attempts   how many times it was deferred
 * @param firstSeen  when it was first deferred (ISO-8601)
 * @param due        when it is re-injected (ISO-8601)
 * @param processor  the processor it goes back to
 * @param lastReason why it was last deferred
 * @param busy       true when another scanner held its claim: then only {@code repository} and {@code key} are
 *                   known
 */
public record ParkedMail(String repository, String key, Optional<String> name, Optional<String> sender,
                         List<String> recipients, Optional<Integer> attempts, Optional<String> firstSeen,
                         Optional<String> due, Optional<String> processor, Optional<String> lastReason,
                         boolean busy) {
    public ParkedMail {
        recipients = List.copyOf(recipients);
    }

    public static ParkedMail busy(String repository, String key) {
        return new ParkedMail(repository, key, Optional.empty(), Optional.empty(), List.of(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), true);
    }
}
