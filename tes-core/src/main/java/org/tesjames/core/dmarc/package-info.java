/**
 * DMARC (RFC 7489) policy core: the Organizational Domain ({@link org.tesjames.core.dmarc.OrganizationalDomain},
 * section 3.2), the policy record ({@link org.tesjames.core.dmarc.DmarcRecord}, sections 6.3 and 6.4), policy
 * discovery over the asynchronous DNS client ({@link org.tesjames.core.dmarc.DmarcPolicyDiscovery}, section
 * 6.6.3), identifier alignment ({@link org.tesjames.core.dmarc.Alignment}, section 3.1) and the evaluation of a
 * message's authentication results against the policy ({@link org.tesjames.core.dmarc.DmarcEvaluator}, sections
 * 6.6.2 and 6.6.4).
 *
 * <p>DKIM verification and SPF evaluation are not done here: their results are inputs
 * ({@link org.tesjames.core.dmarc.AuthenticationFacts}).
 */
package org.tesjames.core.dmarc;
