/**
 * MTA-STS (RFC 8461) for outbound mail to destinations without usable DANE: the TXT record and the policy
 * ({@link org.tesjames.core.sts.StsRecord}, {@link org.tesjames.core.sts.StsPolicy}), the HTTPS policy fetch
 * ({@link org.tesjames.core.sts.HttpsPolicyFetcher}), discovery with a per-domain cache
 * ({@link org.tesjames.core.sts.StsPolicies}), the certificate check ({@link org.tesjames.core.sts.WebPkiTrust},
 * {@link org.tesjames.core.sts.WebPkiTrustManager}) and the rules that turn a policy into the delivery plan of a
 * destination ({@link org.tesjames.core.sts.StsDeliveryRules}).
 */
package org.tesjames.core.sts;
