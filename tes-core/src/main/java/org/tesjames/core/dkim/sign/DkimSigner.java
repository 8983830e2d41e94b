package org.tesjames.core.dkim.sign;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.core.dkim.DkimTags;
import org.tesjames.core.dkim.verify.DkimSignatureResult;
import org.tesjames.core.dkim.verify.DkimVerifier;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsResult;
import org.tesjames.core.dkim.BodyHasher;
import org.tesjames.core.mail.HeaderFields;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Signs outbound mail with DKIM (RFC 6376): {@code rsa-sha256} and {@code ed25519-sha256} (RFC 8463),
 * {@code c=relaxed/relaxed}, {@code t=} from the injected clock, no {@code l=} (the whole body is signed),
 * the header fields of {@link SignedHeaders} ({@code From} oversigned). A domain with an active RSA and an
 * active Ed25519 key gets two signatures (RSA first).
 *
 * <p>Idempotent: a key is skipped when the message already carries a {@code DKIM-Signature} made with it, so
 * signing a message twice (a retry, a second pass through the processor) adds nothing. "Made with it" means a
 * signature with the key's {@code d=} and {@code s=} that verifies with the key's own public key (no DNS
 * lookup) over the message as it is: a client can write any {@code DKIM-Signature} with our {@code d=} and
 * {@code s=} into a submitted message, and such a field is never taken for ours (the message is signed; the
 * client's field stays and fails wherever it is checked). Our signature that no longer verifies (the message
 * changed after it was made) does not count either, so the message is signed again. At most
 * {@value #MAX_CHECKED_SIGNATURES} signatures are checked, those of the signing domain first.
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
    /** The most {@code DKIM-Signature} fields verified to tell whether the message is already signed. */
    static final int MAX_CHECKED_SIGNATURES = 50;

    /**
     * What signing a message did.
     *
     * @param signatures the new signatures to add, in order (empty: nothing to add)
     * @param alreadySigned the active keys skipped because the message already carries a signature made with
     *     them (their {@code d=} and {@code s=}, verifying with their public key), as {@code d/s}
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
        List<DkimSignatureResult> ours = verifiedWithOurKeys(raw, domain, active);
        List<DkimSignature> signatures = new ArrayList<>();
        List<String> alreadySigned = new ArrayList<>();
        byte[] bodyHash = null;
        for (DkimKey key : active) {
            if (ours.stream().anyMatch(result -> result.isPass() && sameKey(result.domain(), result.selector(), key))) {
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

    /**
     * The results of verifying the message's signatures with the public keys of {@code active} in place of DNS
     * (any other key name is NXDOMAIN); none when no signature has the {@code d=} and {@code s=} of an active key.
     */
    private List<DkimSignatureResult> verifiedWithOurKeys(HeaderFields raw, String domain, List<DkimKey> active) {
        List<HeaderFields.Field> fields = raw.fields(DkimSignature.HEADER);
        if (fields.stream().noneMatch(field -> claimsAnyOf(field, active))) {
            return List.of();
        }
        Map<Name, DkimKey> byKeyName = new HashMap<>();
        for (DkimKey key : active) {
            try {
                byKeyName.put(Name.fromString(key.selector() + "._domainkey." + key.domain(), Name.root), key);
            } catch (TextParseException e) {
                throw new IllegalStateException("the key " + key + " has no valid key name: " + e.getMessage(), e);
            }
        }
        DnsClient ourKeys = (name, type) -> {
            DkimKey key = type == Type.TXT ? byKeyName.get(name) : null;
            if (key == null) {
                return CompletableFuture.completedFuture(new DnsResult.NxDomain(name, type, Duration.ZERO, false));
            }
            return CompletableFuture.completedFuture(new DnsResult.Answer(name, type,
                List.of(new TXTRecord(name, DClass.IN, 0, key.keyRecord().txtStrings())), Duration.ZERO, false));
        };
        DkimVerifier verifier = new DkimVerifier(ourKeys, clock, new DkimVerifier.Settings(
            Math.min(fields.size(), MAX_CHECKED_SIGNATURES), DkimVerifier.Settings.DEFAULTS.maxKeyRecordBytes()));
        return verifier.verify(raw, domain).toCompletableFuture().join().signatures();
    }

    private static boolean claimsAnyOf(HeaderFields.Field field, List<DkimKey> active) {
        Map<String, String> tags;
        try {
            tags = DkimTags.parse(field.value());
        } catch (IllegalArgumentException e) {
            return false; // a malformed signature is nobody's signature
        }
        String d = tags.get("d");
        String s = tags.get("s");
        return d != null && s != null && active.stream().anyMatch(key -> sameKey(d, s, key));
    }

    private static boolean sameKey(String d, String s, DkimKey key) {
        return d.strip().equalsIgnoreCase(key.domain()) && s.strip().equalsIgnoreCase(key.selector());
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
