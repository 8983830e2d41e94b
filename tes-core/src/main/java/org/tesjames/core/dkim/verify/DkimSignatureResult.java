package org.tesjames.core.dkim.verify;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * The verdict on one {@code DKIM-Signature} header field.
 *
 * @param result the RFC 8601 result
 * @param reason why it did not pass ({@link DkimFailureReason#NONE} for a pass)
 * @param detail a human-readable explanation, empty for a pass
 * @param domain the {@code d=} value, empty when the signature could not be parsed that far
 * @param selector the {@code s=} value, empty likewise
 * @param algorithm the {@code a=} value, empty likewise
 * @param bodyLength the {@code l=} value, when present: only that many octets of the canonicalised body are signed
 * @param unsignedBodyOctets how many octets of the canonicalised body follow the {@code l=} limit (not signed,
 *     may have been appended after signing); 0 without {@code l=} or when the body was not hashed
 * @param signatureData the {@code b=} value without white space (base64), empty when the signature could not be
 *     parsed that far; its first characters tell signatures of one domain apart ({@code header.b}, RFC 6008)
 */
public record DkimSignatureResult(DkimResult result, DkimFailureReason reason, String detail, String domain,
                                  String selector, String algorithm, OptionalLong bodyLength,
                                  long unsignedBodyOctets, String signatureData) {
    /** A result without the {@code b=} value. */
    public DkimSignatureResult(DkimResult result, DkimFailureReason reason, String detail, String domain,
                               String selector, String algorithm, OptionalLong bodyLength, long unsignedBodyOctets) {
        this(result, reason, detail, domain, selector, algorithm, bodyLength, unsignedBodyOctets, "");
    }

    public DkimSignatureResult {
        Objects.requireNonNull(signatureData, "signatureData");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(bodyLength, "bodyLength");
        if (reason.result() != result) {
            throw new IllegalArgumentException(reason + " is a " + reason.result() + ", not a " + result);
        }
    }

    /** Whether the signature verified. */
    public boolean isPass() {
        return result == DkimResult.PASS;
    }

    @Override
    public String toString() {
        return "dkim=" + result.keyword() + (reason == DkimFailureReason.NONE ? "" : " (" + reason + ": " + detail + ")")
            + " header.d=" + domain + " header.s=" + selector + " header.a=" + algorithm
            + (bodyLength.isPresent() ? " l=" + bodyLength.getAsLong() + " unsigned=" + unsignedBodyOctets : "");
    }
}
