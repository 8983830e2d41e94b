package org.tesjames.core.dmarc;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A DMARC policy record (RFC 7489 sections 6.3 and 6.4), parsed strictly by {@link #parse(String)}.
 *
 * <p>Syntax (the DKIM tag-value list of RFC 6376 section 3.2 that section 6.3 adopts, and the ABNF of section
 * 6.4): {@code tag=value} specs separated by {@code ;} with optional whitespace, an optional trailing {@code ;};
 * an empty spec elsewhere, a spec without {@code =}, a tag name that is not {@code ALPHA *(ALPHA / DIGIT / "_")},
 * a value with characters outside {@code %x21-3A / %x3C-7E} and whitespace, or a tag given twice (RFC 6376
 * section 3.2) make the record invalid. Tag names are case-sensitive (RFC 6376 section 3.2). The first tag must
 * be {@code v=DMARC1}, the value exactly so ({@code %x44 %x4d ...} in the ABNF). Keyword values ({@code p},
 * {@code sp}, {@code adkim}, {@code aspf}, {@code fo}, {@code rf}) are ABNF quoted strings and so
 * case-insensitive (RFC 5234 section 2.3). Tags other than those of section 6.3 are ignored (they must still
 * be well-formed specs).
 *
 * <p>Tags and defaults (section 6.3): {@code p} (required; {@code none|quarantine|reject}); {@code sp}
 * (default: {@code p}); {@code adkim}, {@code aspf} ({@code r|s}, default {@code r}); {@code pct} (integer 0 to
 * 100, default 100); {@code rua}, {@code ruf} (comma-separated absolute URIs, each with an optional
 * {@code !size[k|m|g|t]} limit, kept as written); {@code fo} ({@code 0|1|d|s} separated by {@code :}, default
 * {@code 0}); {@code rf} (format names separated by {@code :}, default {@code afrf}); {@code ri} (seconds, a
 * 32-bit unsigned integer, default 86400). Any other malformed value makes the record invalid: an invalid
 * record means no policy.
 *
 * <p>Section 6.6.3 step 6: a record whose {@code p} is missing or invalid, or whose {@code sp} is invalid, but
 * whose {@code rua} holds a valid URI is treated as {@code p=none} (no {@code sp}); {@link #policySubstitution()}
 * then says why. Without such a {@code rua} it is invalid.
 *
 * @param policy {@code p}
 * @param subdomainPolicy {@code sp}, empty when absent
 * @param dkimAlignment {@code adkim}
 * @param spfAlignment {@code aspf}
 * @param percent {@code pct}
 * @param aggregateReportUris {@code rua}, as written (with any size limit)
 * @param failureReportUris {@code ruf}, as written
 * @param failureReportingOptions {@code fo}, lower case
 * @param reportFormats {@code rf}, lower case
 * @param reportIntervalSeconds {@code ri}
 * @param policySubstitution why {@code p=none} was substituted (section 6.6.3 step 6), empty normally
 */
public record DmarcRecord(Policy policy, Optional<Policy> subdomainPolicy, AlignmentMode dkimAlignment,
                          AlignmentMode spfAlignment, int percent, List<String> aggregateReportUris,
                          List<String> failureReportUris, List<String> failureReportingOptions,
                          List<String> reportFormats, long reportIntervalSeconds,
                          Optional<String> policySubstitution) {

    public static final int DEFAULT_PERCENT = 100;
    public static final long DEFAULT_REPORT_INTERVAL = 86400;
    public static final String VERSION = "DMARC1";

    private static final Pattern TAG_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
    private static final Pattern TAG_VALUE = Pattern.compile("[\\x21-\\x3A\\x3C-\\x7E \\t\\r\\n]*");
    private static final Pattern VERSION_SPEC = Pattern.compile("[ \\t\\r\\n]*v[ \\t]*=[ \\t]*DMARC1[ \\t\\r\\n]*");
    private static final Pattern PERCENT = Pattern.compile("[0-9]{1,3}");
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,10}");
    private static final Pattern SIZE_LIMIT = Pattern.compile("[0-9]+[kKmMgGtT]?");
    private static final Pattern FORMAT = Pattern.compile("[A-Za-z][A-Za-z0-9]*");
    private static final String WHITESPACE = " \t\r\n";

    public DmarcRecord {
        Objects.requireNonNull(policy);
        Objects.requireNonNull(subdomainPolicy);
        Objects.requireNonNull(dkimAlignment);
        Objects.requireNonNull(spfAlignment);
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("pct " + percent + " is not from 0 to 100");
        }
        aggregateReportUris = List.copyOf(aggregateReportUris);
        failureReportUris = List.copyOf(failureReportUris);
        failureReportingOptions = List.copyOf(failureReportingOptions);
        reportFormats = List.copyOf(reportFormats);
        Objects.requireNonNull(policySubstitution);
    }

    /** The outcome of {@link #parse(String)}. */
    public sealed interface Parsed {
    }

    /** A valid record. */
    public record Valid(DmarcRecord record) implements Parsed {
        public Valid {
            Objects.requireNonNull(record);
        }
    }

    /** An invalid record (RFC 7489: no policy), and the precise reason. */
    public record Invalid(String reason) implements Parsed {
        public Invalid {
            Objects.requireNonNull(reason);
        }
    }

    /**
     * Whether a TXT record's text is a DMARC record at all: its first tag-spec is {@code v=DMARC1} (RFC 7489
     * section 6.6.3 steps 2 and 4 discard the others; {@code v=DMARC10} is another version).
     */
    public static boolean isDmarcRecord(String txt) {
        if (txt == null) {
            return false;
        }
        int semicolon = txt.indexOf(';');
        return VERSION_SPEC.matcher(semicolon < 0 ? txt : txt.substring(0, semicolon)).matches();
    }

    /** Parses the text of a DMARC TXT record (its strings concatenated). Never throws for any text. */
    public static Parsed parse(String txt) {
        if (txt == null) {
            return new Invalid("no record text");
        }
        String[] specs = txt.split(";", -1);
        int count = specs.length;
        if (count > 1 && strip(specs[count - 1]).isEmpty()) {
            count--; // the optional trailing ";"
        }
        Map<String, String> tags = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String spec = strip(specs[i]);
            if (spec.isEmpty()) {
                return new Invalid("empty tag-spec at position " + (i + 1));
            }
            int equals = spec.indexOf('=');
            if (equals < 0) {
                return new Invalid("tag-spec '" + spec + "' has no '='");
            }
            String name = strip(spec.substring(0, equals));
            String value = strip(spec.substring(equals + 1));
            if (!TAG_NAME.matcher(name).matches()) {
                return new Invalid("'" + name + "' is not a valid tag name");
            }
            if (!TAG_VALUE.matcher(value).matches()) {
                return new Invalid("the value of tag " + name + " has characters outside %x21-3A / %x3C-7E");
            }
            if (i == 0 && !(name.equals("v") && value.equals(VERSION))) {
                return new Invalid("the first tag must be v=DMARC1, found '" + spec + "'");
            }
            if (tags.putIfAbsent(name, value) != null) {
                return new Invalid("tag " + name + " appears more than once");
            }
        }
        return interpret(tags);
    }

    private static Parsed interpret(Map<String, String> tags) {
        List<String> rua = new ArrayList<>();
        List<String> ruf = new ArrayList<>();
        Optional<String> problem = uris("rua", tags.get("rua"), rua);
        if (problem.isEmpty()) {
            problem = uris("ruf", tags.get("ruf"), ruf);
        }
        if (problem.isPresent()) {
            return new Invalid(problem.get());
        }

        String policyProblem = null;
        Optional<Policy> policy = Optional.empty();
        Optional<Policy> subdomainPolicy = Optional.empty();
        String p = tags.get("p");
        if (p == null) {
            policyProblem = "the required tag p is missing";
        } else {
            policy = Policy.fromToken(p);
            if (policy.isEmpty()) {
                policyProblem = "p=" + p + " is not none, quarantine or reject";
            }
        }
        String sp = tags.get("sp");
        if (sp != null && policyProblem == null) {
            subdomainPolicy = Policy.fromToken(sp);
            if (subdomainPolicy.isEmpty()) {
                policyProblem = "sp=" + sp + " is not none, quarantine or reject";
            }
        }

        AlignmentMode adkim = AlignmentMode.RELAXED;
        AlignmentMode aspf = AlignmentMode.RELAXED;
        if (tags.containsKey("adkim")) {
            Optional<AlignmentMode> mode = AlignmentMode.fromToken(tags.get("adkim"));
            if (mode.isEmpty()) {
                return new Invalid("adkim=" + tags.get("adkim") + " is not r or s");
            }
            adkim = mode.get();
        }
        if (tags.containsKey("aspf")) {
            Optional<AlignmentMode> mode = AlignmentMode.fromToken(tags.get("aspf"));
            if (mode.isEmpty()) {
                return new Invalid("aspf=" + tags.get("aspf") + " is not r or s");
            }
            aspf = mode.get();
        }
        int percent = DEFAULT_PERCENT;
        if (tags.containsKey("pct")) {
            String pct = tags.get("pct");
            if (!PERCENT.matcher(pct).matches() || Integer.parseInt(pct) > 100) {
                return new Invalid("pct=" + pct + " is not an integer from 0 to 100");
            }
            percent = Integer.parseInt(pct);
        }
        long interval = DEFAULT_REPORT_INTERVAL;
        if (tags.containsKey("ri")) {
            String ri = tags.get("ri");
            if (!DIGITS.matcher(ri).matches() || Long.parseLong(ri) > 0xFFFF_FFFFL) {
                return new Invalid("ri=" + ri + " is not a 32-bit unsigned integer number of seconds");
            }
            interval = Long.parseLong(ri);
        }
        List<String> fo = List.of("0");
        if (tags.containsKey("fo")) {
            fo = new ArrayList<>();
            for (String option : tags.get("fo").split(":", -1)) {
                String o = strip(option).toLowerCase(Locale.ROOT);
                if (!List.of("0", "1", "d", "s").contains(o)) {
                    return new Invalid("fo=" + tags.get("fo") + ": '" + o + "' is not 0, 1, d or s");
                }
                fo.add(o);
            }
        }
        List<String> rf = List.of("afrf");
        if (tags.containsKey("rf")) {
            rf = new ArrayList<>();
            for (String format : tags.get("rf").split(":", -1)) {
                String f = strip(format);
                if (!FORMAT.matcher(f).matches()) {
                    return new Invalid("rf=" + tags.get("rf") + ": '" + f + "' is not a report format name");
                }
                rf.add(f.toLowerCase(Locale.ROOT));
            }
        }

        Optional<String> substitution = Optional.empty();
        if (policyProblem != null) {
            if (rua.isEmpty()) {
                return new Invalid(policyProblem);
            }
            // RFC 7489 section 6.6.3 step 6.1
            substitution = Optional.of(policyProblem + "; treated as p=none because rua is valid (RFC 7489 6.6.3)");
            policy = Optional.of(Policy.NONE);
            subdomainPolicy = Optional.empty();
        }
        return new Valid(new DmarcRecord(policy.orElseThrow(), subdomainPolicy, adkim, aspf, percent, rua, ruf,
            fo, rf, interval, substitution));
    }

    private static Optional<String> uris(String tag, String value, List<String> into) {
        if (value == null) {
            return Optional.empty();
        }
        for (String element : value.split(",", -1)) {
            String uri = strip(element);
            if (uri.isEmpty()) {
                return Optional.of(tag + "=" + value + " has an empty URI");
            }
            String address = uri;
            int bang = uri.lastIndexOf('!');
            if (bang >= 0) {
                if (!SIZE_LIMIT.matcher(uri.substring(bang + 1)).matches()) {
                    return Optional.of(tag + " URI '" + uri + "' has an invalid size limit (digits then k, m, g or t)");
                }
                address = uri.substring(0, bang);
            }
            try {
                if (!new URI(address).isAbsolute()) {
                    return Optional.of(tag + " URI '" + uri + "' is not an absolute URI");
                }
            } catch (URISyntaxException e) {
                return Optional.of(tag + " URI '" + uri + "' is not a URI: " + e.getReason());
            }
            into.add(uri);
        }
        return Optional.empty();
    }

    private static String strip(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && WHITESPACE.indexOf(text.charAt(start)) >= 0) {
            start++;
        }
        while (end > start && WHITESPACE.indexOf(text.charAt(end - 1)) >= 0) {
            end--;
        }
        return text.substring(start, end);
    }
}
