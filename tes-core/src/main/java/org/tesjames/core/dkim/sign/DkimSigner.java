package org.tesjames.core.dkim.sign;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.core.dkim.DkimTags;
import org.tesjames.core.dkim.BodyHasher;
import org.tesjames.core.mail.HeaderFields;

/**
 * Signs outbound mail with DKIM (RFC 6376): {@code rsa-sha256} and {@code ed25519-sha256} (RFC 8463),
 * {@code c=relaxed/relaxed}, {@code t=} from the injected clock, no {@code l=} (the whole body is signed),
 * the header fields of {@link SignedHeaders} ({@code From} oversigned). A domain with an active RSA and an
 * active Ed25519 key gets two signatures (RSA first).
 *
 * <p>Idempotent: a key whose {@code d=} and {@code s=} already appear in a {@code DKIM-Signature} of the
 * message is skipped, so signing a message twice (a retry, a second pass through the processor) adds nothing.
 *
 * <p>The body hash is the relaxed one of {@link BodyHasher} (which hashes an empty body as empty), over the
 * message array itself; the header hash and the signature are computed here, because jDKIM 0.3's {@code DKIMSigner} only knows RSA (it asks the JDK for
 * {@code SHA256withED25519}) and writes its tags unfolded in hash-map order. For Ed25519 the signed data is
 * the SHA-256 hash of the canonicalised header data (RFC 8463 section 3), signed with PureEdDSA; for RSA the
 * canonicalised header data itself with {@code SHA256withRSA}. The {@code b=} tag is written before
 * {@code bh=}: jDKIM 0.3's verifier (used by James's {@code DKIMVerify}) strips the first {@code b=} it finds
 * in the header text and would otherwise hit the end of a {@code bh=} value ending in {@code "b="}.
 *
 * <p>Thread-safe; keys come from a {@link DkimKeySource}, so a {@link ReloadingDkimKeyStore} rotates keys
 * without a new signer.
 */
public final class DkimSigner {
    private static final String FOLD = "\r\n\t";
    private static final int BASE64_LINE = 72;

    /**
     * What signing a message did.
     *
     * @param signatures the new signatures to add, in order (empty: nothing to add)
     * @param alreadySigned the active keys skipped because the message already carries their {@code d=} and
     *     {@code s=}, as {@code d/s}
     */
    public record Result(List<DkimSignature> signatures, List<String> alreadySigned) {
        public Result {
            signatures = List.copyOf(signatures);
            alreadySigned = List.copyOf(alreadySigned);
        }

        /** Adds the signatures to a message, as header fields. */
        public void addTo(MimeMessage message) throws MessagingException {
            for (DkimSignature signature : signatures) {
                message.addHeader(DkimSignature.HEADER, signature.value());
            }
        }
    }

    private final DkimKeySource keys;
    private final SignedHeaders headers;
    private final Clock clock;

    /** A signer with the {@link SignedHeaders#DEFAULT default header list}. */
    public DkimSigner(DkimKeySource keys, Clock clock) {
        this(keys, SignedHeaders.DEFAULT, clock);
    }

    public DkimSigner(DkimKeySource keys, SignedHeaders headers, Clock clock) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.headers = Objects.requireNonNull(headers, "headers");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Signs a MIME message for the domain; the message is not changed (see {@link Result#addTo}). */
    public Result sign(String domain, MimeMessage message) throws MessagingException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            message.writeTo(bytes);
        } catch (IOException e) {
            throw new MessagingException("cannot serialise the message to sign it", e);
        }
        return sign(domain, bytes.toByteArray());
    }

    /**
     * Signs a message (its octets as sent, RFC 5322) with the active keys of a domain.
     *
     * @param domain the signing domain (any case, Unicode or A-labels); no active key: an empty result
     */
    public Result sign(String domain, byte[] message) {
        List<DkimKey> active = keys.activeKeys(domain);
        if (active.isEmpty()) {
            return new Result(List.of(), List.of());
        }
        HeaderFields raw = HeaderFields.parse(message);
        List<DkimSignature> signatures = new ArrayList<>();
        List<String> alreadySigned = new ArrayList<>();
        byte[] bodyHash = null;
        for (DkimKey key : active) {
            if (alreadySignedBy(raw, key)) {
                alreadySigned.add(key.domain() + "/" + key.selector());
                continue;
            }
            if (bodyHash == null) {
                bodyHash = relaxedBodyHash(raw);
            }
            signatures.add(sign(raw, key, bodyHash));
        }
        return new Result(signatures, alreadySigned);
    }

    private static boolean alreadySignedBy(HeaderFields raw, DkimKey key) {
        for (HeaderFields.Field field : raw.fields(DkimSignature.HEADER)) {
            Map<String, String> tags;
            try {
                tags = DkimTags.parse(field.value());
            } catch (IllegalArgumentException e) {
                continue; // a malformed signature is nobody's signature
            }
            String d = tags.get("d");
            String s = tags.get("s");
            if (d != null && s != null && d.strip().equalsIgnoreCase(key.domain())
                && s.strip().equalsIgnoreCase(key.selector())) {
                return true;
            }
        }
        return false;
    }

    private DkimSignature sign(HeaderFields raw, DkimKey key, byte[] bodyHash) {
        List<String> signed = new ArrayList<>();
        StringBuilder headerData = new StringBuilder();
        Map<String, Integer> used = new HashMap<>();
        for (String name : headers.fields()) {
            List<HeaderFields.Field> present = raw.fields(name);
            int listed = present.size() + (headers.oversigned().contains(name) ? 1 : 0);
            for (int i = 0; i < listed; i++) {
                signed.add(name);
            }
            // RFC 6376 section 5.4.2: instances are signed from the bottom up; a name listed more often than
            // it occurs signs nothing for the extra instances.
            for (int i = 0; i < present.size(); i++) {
                int done = used.merge(name, 1, Integer::sum);
                HeaderFields.Field field = present.get(present.size() - done);
                headerData.append(HeaderFields.relaxed(field.name(), field.value())).append("\r\n");
            }
        }
        String head = "v=1; a=" + key.type().algorithm() + "; c=relaxed/relaxed; d=" + key.domain() + "; s="
            + key.selector() + ";" + FOLD + "t=" + clock.instant().getEpochSecond() + ";" + FOLD + "h="
            + String.join(":", signed) + ";" + FOLD + "b=";
        String tail = ";" + FOLD + "bh=" + Base64.getEncoder().encodeToString(bodyHash);
        headerData.append(HeaderFields.relaxed(DkimSignature.HEADER, head + tail));

        byte[] signature = signature(key, headerData.toString().getBytes(StandardCharsets.ISO_8859_1));
        return new DkimSignature(key.domain(), key.selector(), key.type(),
            head + fold(Base64.getEncoder().encodeToString(signature)) + tail);
    }

    private static byte[] signature(DkimKey key, byte[] headerData) {
        try {
            if (key.type() == DkimKeyType.ED25519) {
                Signature ed25519 = Signature.getInstance("Ed25519");
                ed25519.initSign(key.privateKey());
                ed25519.update(MessageDigest.getInstance("SHA-256").digest(headerData));
                return ed25519.sign();
            }
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(key.privateKey());
            rsa.update(headerData);
            return rsa.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with " + key + ": " + e.getMessage(), e);
        }
    }

    private static String fold(String base64) {
        StringBuilder folded = new StringBuilder();
        for (int start = 0; start < base64.length(); start += BASE64_LINE) {
            if (start > 0) {
                folded.append(FOLD);
            }
            folded.append(base64, start, Math.min(base64.length(), start + BASE64_LINE));
        }
        return folded.toString();
    }

    private static byte[] relaxedBodyHash(HeaderFields message) {
        BodyHasher hasher = BodyHasher.create(BodyHasher.Canonicalization.RELAXED);
        message.body(hasher::update);
        return hasher.finish();
    }

    /** The header list this signer uses. */
    public SignedHeaders headers() {
        return headers;
    }

    @Override
    public String toString() {
        return "DkimSigner[" + headers.fields().size() + " headers, " + keys + "]";
    }

}
