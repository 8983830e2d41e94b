package org.tesjames.core.dkim.sign;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

import org.tesjames.core.dkim.DkimKeyRecord;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsResult;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Whether the key record published at {@code <selector>._domainkey.<domain>} matches a signing key: what
 * {@code tes dkim check} and the WebAdmin key listing report. A mismatch is no TXT record, several records, a
 * malformed record, a revoked key (empty {@code p=}), another {@code k=}, {@code h=} without sha256, {@code s=}
 * without email, or another {@code p=}. A DNS failure is a {@link Status#TEMPORARY_FAILURE}, never a mismatch.
 *
 * @param status the outcome
 * @param name the queried name
 * @param published the TXT records found there (their strings joined), in the order of the answer
 * @param reason why it does not match, or the DNS failure; for a match empty, or a note ({@code t=y})
 */
public record DkimRecordCheck(Status status, Name name, List<String> published, String reason) {

    /** The outcomes of a check. */
    public enum Status {
        MATCH, MISMATCH, TEMPORARY_FAILURE
    }

    public DkimRecordCheck {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(name, "name");
        published = List.copyOf(published);
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * The name of a key's record.
     *
     * @param key a loaded key (its domain and selector are valid names)
     * @return {@code <selector>._domainkey.<domain>.}
     */
    public static Name recordName(DkimKey key) {
        try {
            return Name.fromString(key.selector() + "._domainkey." + key.domain() + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException("bad key record name for " + key + ": " + e.getMessage(), e);
        }
    }

    /**
     * Looks the key's record up and compares it.
     *
     * @param dns the DNS client
     * @param key the signing key
     * @return a stage that completes normally with the outcome
     */
    public static CompletionStage<DkimRecordCheck> check(DnsClient dns, DkimKey key) {
        return dns.query(recordName(key), Type.TXT).thenApply(result -> of(key, result));
    }

    /**
     * Compares the outcome of the TXT query of the key's record with the key.
     *
     * @param key the signing key
     * @param result the outcome of the TXT query at {@link #recordName(DkimKey)}
     * @return the outcome
     */
    public static DkimRecordCheck of(DkimKey key, DnsResult result) {
        Name name = result.name();
        if (result instanceof DnsResult.Failure failure) {
            return new DkimRecordCheck(Status.TEMPORARY_FAILURE, name, List.of(),
                "TXT " + name + ": " + failure.kind() + " " + failure.detail());
        }
        if (!(result instanceof DnsResult.Answer answer)) {
            return mismatch(name, List.of(), "no TXT record at " + name + " ("
                + (result instanceof DnsResult.NxDomain ? "NXDOMAIN" : "NODATA") + ")");
        }
        List<String> texts = new ArrayList<>();
        for (Record record : answer.records()) {
            if (record instanceof TXTRecord txt) {
                texts.add(String.join("", txt.getStrings()));
            }
        }
        if (texts.size() != 1) {
            return mismatch(name, texts, texts.size() + " TXT records at " + name
                + " (expected exactly one: verifiers may use any of them)");
        }
        return compare(key, name, texts);
    }

    private static DkimRecordCheck compare(DkimKey key, Name name, List<String> texts) {
        DkimKeyRecord published;
        try {
            published = DkimKeyRecord.parse(texts.get(0));
        } catch (IllegalArgumentException e) {
            return mismatch(name, texts, "malformed key record: " + e.getMessage());
        }
        if (published.isRevoked()) {
            return mismatch(name, texts, "the key is revoked (empty p=)");
        }
        if (!published.keyTag().equals(key.type().keyTag())) {
            return mismatch(name, texts, "k=" + published.keyTag() + " published, the key file holds a "
                + key.type().keyTag() + " key (k=" + key.type().keyTag() + ")");
        }
        if (!published.hashAlgorithms().isEmpty() && !published.hashAlgorithms().contains("sha256")) {
            return mismatch(name, texts, "h=" + String.join(":", published.hashAlgorithms())
                + " does not allow sha256");
        }
        if (!published.serviceTypes().contains("*") && !published.serviceTypes().contains("email")) {
            return mismatch(name, texts, "s=" + String.join(":", published.serviceTypes()) + " does not allow email");
        }
        if (!Arrays.equals(published.publicKey(), key.publicKey())) {
            return mismatch(name, texts, "p= differs from the public key of the key file");
        }
        return new DkimRecordCheck(Status.MATCH, name, texts,
            published.flags().contains("y") ? "t=y: the domain is testing DKIM" : "");
    }

    private static DkimRecordCheck mismatch(Name name, List<String> texts, String reason) {
        return new DkimRecordCheck(Status.MISMATCH, name, texts, reason);
    }

    /** One line: {@code match}, {@code match (note)}, {@code mismatch: reason}, {@code temporary failure: reason}. */
    public String describe() {
        return switch (status) {
            case MATCH -> reason.isEmpty() ? "match" : "match (" + reason + ")";
            case MISMATCH -> "mismatch: " + reason;
            case TEMPORARY_FAILURE -> "temporary failure: " + reason;
        };
    }
}
