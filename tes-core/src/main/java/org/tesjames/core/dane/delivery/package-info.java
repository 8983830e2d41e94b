/**
 * The outbound delivery side of DANE for a mail transfer agent that connects through JavaMail: a per-destination
 * {@link org.tesjames.core.dane.delivery.DeliveryPlan} (which MX hosts may be used, at which address, with which
 * TLS policy, or why not) computed from a DNSSEC-validated {@link org.tesjames.core.dane.DaneLookup}, bound to the
 * delivering thread ({@link org.tesjames.core.dane.delivery.DeliveryPlans}), and carried out by the socket
 * factories JavaMail loads by class name ({@link org.tesjames.core.dane.delivery.DaneRoutingSocketFactory} for
 * the plaintext connection, {@link org.tesjames.core.dane.tls.DaneSocketFactory} for STARTTLS).
 */
package org.tesjames.core.dane.delivery;
