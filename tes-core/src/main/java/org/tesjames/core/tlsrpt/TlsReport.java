package org.tesjames.core.tlsrpt;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

/**
 * One SMTP TLS report for one policy domain (RFC 8460 section 4): its JSON text (section 4.4), gzipped body and
 * file name (section 5.1). Sending it is not this class's business.
 *
 * @param organizationName the reporting organisation
 * @param contactInfo how to reach it (an e-mail address or URI)
 * @param reportId a unique id of this report
 * @param start the start of the period
 * @param end the end of the period
 * @param policyDomain the domain the report is about
 * @param results the counts of each policy of that domain
 */
public record TlsReport(String organizationName, String contactInfo, String reportId, Instant start, Instant end,
                        String policyDomain, List<TlsResultCounter.PolicyResult> results) {
    public TlsReport {
        Objects.requireNonNull(organizationName, "organizationName");
        Objects.requireNonNull(contactInfo, "contactInfo");
        Objects.requireNonNull(reportId, "reportId");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        Objects.requireNonNull(policyDomain, "policyDomain");
        results = List.copyOf(results);
        if (results.stream().anyMatch(result -> !result.policy().domain().equals(policyDomain))) {
            throw new IllegalArgumentException("every result must be of the policy domain " + policyDomain);
        }
    }

    /** @return the report as JSON (RFC 8460 section 4.4), without insignificant white space */
    public String json() {
        Json json = new Json();
        json.open('{');
        json.field("organization-name").string(organizationName);
        json.field("date-range").open('{');
        json.field("start-datetime").string(timestamp(start));
        json.field("end-datetime").string(timestamp(end));
        json.close('}');
        json.field("contact-info").string(contactInfo);
        json.field("report-id").string(reportId);
        json.field("policies").open('[');
        for (TlsResultCounter.PolicyResult result : results) {
            json.element().open('{');
            json.field("policy").open('{');
            json.field("policy-type").string(result.policy().type().label());
            if (!result.policy().strings().isEmpty()) {
                json.field("policy-string").strings(result.policy().strings());
            }
            json.field("policy-domain").string(result.policy().domain());
            if (!result.policy().mxHosts().isEmpty()) {
                json.field("mx-host").strings(result.policy().mxHosts());
            }
            json.close('}');
            json.field("summary").open('{');
            json.field("total-successful-session-count").number(result.successes());
            json.field("total-failure-session-count").number(result.failures());
            json.close('}');
            if (!result.details().isEmpty()) {
                json.field("failure-details").open('[');
                for (Map.Entry<FailureDetail, Long> entry : result.details().entrySet()) {
                    FailureDetail detail = entry.getKey();
                    json.element().open('{');
                    json.field("result-type").string(detail.resultType().label());
                    optional(json, "sending-mta-ip", detail.sendingMtaIp());
                    json.field("receiving-mx-hostname").string(detail.receivingMxHostname());
                    optional(json, "receiving-ip", detail.receivingIp());
                    json.field("failed-session-count").number(entry.getValue());
                    optional(json, "additional-information", detail.additionalInformation());
                    optional(json, "failure-reason-code", detail.failureReasonCode());
                    json.close('}');
                }
                json.close(']');
            }
            json.close('}');
        }
        json.close(']');
        json.close('}');
        return json.toString();
    }

    /** @return the JSON text, gzipped ({@code application/tlsrpt+gzip}, RFC 8460 section 5.2) */
    public byte[] gzip() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(json().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * The file name of the gzipped report (RFC 8460 section 5.1):
     * {@code sender!policy-domain!begin-timestamp!end-timestamp.json.gz}, timestamps in seconds since the epoch.
     *
     * @param sender the domain of the reporting organisation
     * @return the file name
     */
    public String fileName(String sender) {
        return sender + "!" + policyDomain + "!" + start.getEpochSecond() + "!" + end.getEpochSecond() + ".json.gz";
    }

    private static void optional(Json json, String name, Optional<String> value) {
        value.ifPresent(text -> json.field(name).string(text));
    }

    private static String timestamp(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    /** A minimal JSON writer: objects, arrays, strings and whole numbers. */
    private static final class Json {
        private final StringBuilder text = new StringBuilder();
        private boolean first = true;

        Json open(char bracket) {
            text.append(bracket);
            first = true;
            return this;
        }

        void close(char bracket) {
            text.append(bracket);
            first = false;
        }

        Json field(String name) {
            element();
            quote(name);
            text.append(':');
            return this;
        }

        Json element() {
            if (!first) {
                text.append(',');
            }
            first = false;
            return this;
        }

        void string(String value) {
            quote(value);
        }

        void number(long value) {
            text.append(value);
        }

        void strings(List<String> values) {
            text.append('[');
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    text.append(',');
                }
                quote(values.get(i));
            }
            text.append(']');
        }

        private void quote(String value) {
            text.append('"');
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                switch (c) {
                    case '"' -> text.append("\\\"");
                    case '\\' -> text.append("\\\\");
                    case '\n' -> text.append("\\n");
                    case '\r' -> text.append("\\r");
                    case '\t' -> text.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            text.append(String.format("\\u%04x", (int) c));
                        } else {
                            text.append(c);
                        }
                    }
                }
            }
            text.append('"');
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
