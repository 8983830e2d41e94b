package org.tesjames.core.dns;

import java.util.concurrent.CompletionStage;

import org.xbill.DNS.Name;

/**
 * Asynchronous DNS queries with typed outcomes. The returned stage always completes normally with a
 * {@link DnsResult}: failures are outcomes, not exceptions.
 */
@FunctionalInterface
public interface DnsClient {
    CompletionStage<DnsResult> query(Name name, int type);
}
