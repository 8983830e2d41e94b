package org.tesjames.core.tlsrpt;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
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

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

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
    private static final JsonFactory JSON = new JsonFactory();

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
        StringWriter text = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(text)) {
            json.writeStartObject();
            json.writeStringField("organization-name", organizationName);
            json.writeObjectFieldStart("date-range");
            json.writeStringField("start-datetime", timestamp(start));
            json.writeStringField("end-datetime", timestamp(end));
            json.writeEndObject();
            json.writeStringField("contact-info", contactInfo);
            json.writeStringField("report-id", reportId);
            json.writeArrayFieldStart("policies");
            for (TlsResultCounter.PolicyResult result : results) {
                json.writeStartObject();
                json.writeObjectFieldStart("policy");
                json.writeStringField("policy-type", result.policy().type().label());
                strings(json, "policy-string", result.policy().strings());
                json.writeStringField("policy-domain", result.policy().domain());
                strings(json, "mx-host", result.policy().mxHosts());
                json.writeEndObject();
                json.writeObjectFieldStart("summary");
                json.writeNumberField("total-successful-session-count", result.successes());
                json.writeNumberField("total-failure-session-count", result.failures());
                json.writeEndObject();
                if (!result.details().isEmpty()) {
                    json.writeArrayFieldStart("failure-details");
                    for (Map.Entry<FailureDetail, Long> entry : result.details().entrySet()) {
                        FailureDetail detail = entry.getKey();
                        json.writeStartObject();
                        json.writeStringField("result-type", detail.resultType().label());
                        optional(json, "sending-mta-ip", detail.sendingMtaIp());
                        json.writeStringField("receiving-mx-hostname", detail.receivingMxHostname());
                        optional(json, "receiving-ip", detail.receivingIp());
                        json.writeNumberField("failed-session-count", entry.getValue());
                        optional(json, "additional-information", detail.additionalInformation());
                        optional(json, "failure-reason-code", detail.failureReasonCode());
                        json.writeEndObject();
                    }
                    json.writeEndArray();
                }
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
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

    private static void optional(JsonGenerator json, String name, Optional<String> value) throws IOException {
        if (value.isPresent()) {
            json.writeStringField(name, value.get());
        }
    }

    /** An array of strings, left out when empty. */
    private static void strings(JsonGenerator json, String name, List<String> values) throws IOException {
        if (!values.isEmpty()) {
            json.writeArrayFieldStart(name);
            for (String value : values) {
                json.writeString(value);
            }
            json.writeEndArray();
        }
    }

    private static String timestamp(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }
}
