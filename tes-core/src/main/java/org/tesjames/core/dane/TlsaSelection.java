package org.tesjames.core.dane;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The records of a TLSA RRset an SMTP client uses, and why the others are not used.
 *
 * <p>Two steps:
 * <ol>
 * <li>Each record on its own ({@link TlsaRecord#smtpUnusableReason()}): only DANE-TA(2) and DANE-EE(3) with
 * selector Cert(0) or SPKI(1) and matching type Full(0), SHA2-256(1) or SHA2-512(2) are usable (RFC 7672
 * section 3.1.3: PKIX-TA(0) and PKIX-EE(1) are unusable for SMTP, like unknown values).</li>
 * <li>Digest algorithm agility (RFC 7671 section 9): for each (usage, selector) pair, among the usable records
 * whose matching type is a digest, only those of the strongest digest present are used
 * (SHA2-512(2) &gt; SHA2-256(1)); records of weaker digests for that pair are ignored even if they would match,
 * so that a publisher who deprecates a weak digest is not exposed to it. Full(0) is not a digest and is
 * exempt: Full(0) records are always used (the same reading as OpenSSL's DANE implementation). Pairs are
 * independent: a SHA2-512 DANE-EE SPKI record does not disable a SHA2-256 DANE-EE Cert or DANE-TA SPKI
 * record.</li>
 * </ol>
 * An RRset with no usable record is "secure but unusable" (RFC 7672 section 2.2): the caller falls back as
 * RFC 7672 prescribes; {@link DaneVerifier} reports {@link DaneResult.NoUsableRecords}.
 */
public final class TlsaSelection {

    /** What the selection did with one record. */
    public enum Status {
        /** Used for matching. */
        USABLE,
        /** Not usable by an SMTP client on its own. */
        UNUSABLE,
        /** Usable on its own, ignored by digest agility (a stronger digest exists for its usage and selector). */
        IGNORED_WEAKER_DIGEST
    }

    /**
     * One record and what the selection did with it.
     *
     * @param record the record
     * @param status used, unusable or ignored
     * @param reason why it is unusable or ignored; empty when usable
     */
    public record Assessment(TlsaRecord record, Status status, String reason) {
        public Assessment {
            Objects.requireNonNull(record, "record");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(reason, "reason");
        }
    }

    private final List<Assessment> assessments;
    private final List<TlsaRecord> usable;

    private TlsaSelection(List<Assessment> assessments) {
        this.assessments = List.copyOf(assessments);
        this.usable = assessments.stream().filter(a -> a.status() == Status.USABLE).map(Assessment::record)
            .toList();
    }

    /**
     * Assesses a TLSA RRset.
     *
     * @param rrset the records, in any order (the order is kept in {@link #assessments()})
     * @return the selection
     */
    public static TlsaSelection of(Collection<TlsaRecord> rrset) {
        Map<List<Integer>, Integer> strongest = new HashMap<>();
        for (TlsaRecord record : rrset) {
            if (record.isSmtpUsable() && record.matchingType() != TlsaRecord.MATCH_FULL) {
                strongest.merge(List.of(record.usage(), record.selector()), strength(record.matchingType()),
                    Math::max);
            }
        }
        List<Assessment> assessments = new ArrayList<>();
        for (TlsaRecord record : rrset) {
            String unusable = record.smtpUnusableReason().orElse(null);
            if (unusable != null) {
                assessments.add(new Assessment(record, Status.UNUSABLE, unusable));
            } else if (record.matchingType() != TlsaRecord.MATCH_FULL
                && strength(record.matchingType()) < strongest.get(List.of(record.usage(), record.selector()))) {
                assessments.add(new Assessment(record, Status.IGNORED_WEAKER_DIGEST, record.matchingTypeName()
                    + " ignored: a stronger digest is published for " + record.usageName() + " "
                    + record.selectorName() + " (RFC 7671 section 9)"));
            } else {
                assessments.add(new Assessment(record, Status.USABLE, ""));
            }
        }
        return new TlsaSelection(assessments);
    }

    private static int strength(int matchingType) {
        return switch (matchingType) {
            case TlsaRecord.MATCH_SHA256 -> 1;
            case TlsaRecord.MATCH_SHA512 -> 2;
            default -> throw new IllegalArgumentException("not a supported digest: " + matchingType);
        };
    }

    /**
     * Every record of the RRset, in the given order, with what the selection did with it.
     *
     * @return the assessments
     */
    public List<Assessment> assessments() {
        return assessments;
    }

    /**
     * The records used for matching.
     *
     * @return the usable records, in RRset order
     */
    public List<TlsaRecord> usable() {
        return usable;
    }
}
