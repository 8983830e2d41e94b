package org.tesjames.core.dkim.verify;

import java.util.List;

/**
 * The verdicts on the {@code DKIM-Signature} header fields of a message, top to bottom.
 *
 * @param signatures one result per evaluated signature, in header order (empty: the message is unsigned,
 *     RFC 8601 {@code dkim=none})
 * @param notEvaluated how many further signatures were not evaluated, past the configured maximum
 */
public record DkimVerification(List<DkimSignatureResult> signatures, int notEvaluated) {
    public DkimVerification {
        signatures = List.copyOf(signatures);
        if (notEvaluated < 0) {
            throw new IllegalArgumentException("notEvaluated < 0");
        }
    }

    /** Whether at least one signature passed. */
    public boolean anyPass() {
        return signatures.stream().anyMatch(DkimSignatureResult::isPass);
    }
}
