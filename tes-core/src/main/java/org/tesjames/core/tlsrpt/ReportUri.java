package org.tesjames.core.tlsrpt;

import java.net.URI;
import java.util.Objects;

/**
 * Where reports of a policy domain go: one {@code rua} destination of its TLS-RPT record (RFC 8460 section 3).
 */
public sealed interface ReportUri {
    /** @return the URI as published */
    String uri();

    /**
     * {@code mailto:}: the report is mailed to this address.
     *
     * @param uri the URI as published
     * @param address the decoded address, {@code local@domain}
     */
    record Mailto(String uri, String address) implements ReportUri {
        public Mailto {
            Objects.requireNonNull(uri, "uri");
            Objects.requireNonNull(address, "address");
        }
    }

    /**
     * {@code https:}: the report is posted to this URI.
     *
     * @param uri the URI as published
     * @param target the parsed URI
     */
    record Https(String uri, URI target) implements ReportUri {
        public Https {
            Objects.requireNonNull(uri, "uri");
            Objects.requireNonNull(target, "target");
        }

        /** @return the port, 443 unless the URI names one */
        public int port() {
            return target.getPort() < 0 ? 443 : target.getPort();
        }

        /** @return the path and query to request, {@code /} at least */
        public String requestTarget() {
            String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
            return target.getRawQuery() == null ? path : path + "?" + target.getRawQuery();
        }
    }
}
