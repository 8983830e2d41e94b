/**
 * A programmable DNS server for tests: {@link org.tesjames.testing.dns.TestDnsServer}.
 *
 * <p>Tests declare zones and records in code ({@link org.tesjames.testing.dns.TestZone}), change them while
 * the server runs, and query the server on its loopback port like a recursive resolver: directly
 * answered, CNAMEs followed, DNSSEC-signed under a per-server test root whose DS is the trust anchor.
 * Faults ({@link org.tesjames.testing.dns.Fault}) make chosen names time out, fail, truncate or answer
 * garbage, for ever or for the next few queries; DNSSEC defects
 * ({@link org.tesjames.testing.dns.DnssecFault}) make zones or single RRsets bogus or insecure. Query
 * counters tell what a component under test asked.
 *
 * <p>Checked against dnsjava's {@code SimpleResolver} (UDP, TCP, truncation retry) and
 * {@code org.xbill.DNS.dnssec.ValidatingResolver} (secure chains, insecure delegations, bogus data).
 */
package org.tesjames.testing.dns;
