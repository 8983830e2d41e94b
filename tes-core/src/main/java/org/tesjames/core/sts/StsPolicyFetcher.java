package org.tesjames.core.sts;

/** Fetches the policy text of a domain ({@code https://mta-sts.<domain>/.well-known/mta-sts.txt}). */
@FunctionalInterface
public interface StsPolicyFetcher {
    /**
     * @param domain the policy domain, lower case
     * @return the body of the policy response
     * @throws StsFetchException when no policy text could be fetched
     */
    String fetch(String domain) throws StsFetchException;
}
