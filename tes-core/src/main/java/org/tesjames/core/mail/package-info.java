/**
 * Raw message handling shared by DKIM signing, DKIM verification and message authentication: the header fields
 * of a message as octets ({@link org.tesjames.core.mail.HeaderFields}).
 */
package org.tesjames.core.mail;
