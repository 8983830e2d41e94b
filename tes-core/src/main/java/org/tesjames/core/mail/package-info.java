/**
 * Raw message handling shared by DKIM signing, DKIM verification and message authentication: the header fields
 * of a message as octets ({@link org.tesjames.core.mail.HeaderFields}), and text from a message made safe to quote
 * in replies, header fields and logs ({@link org.tesjames.core.mail.SafeText}).
 */
package org.tesjames.core.mail;
