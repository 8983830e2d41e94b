package org.tesjames.core.dkim.sign;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.security.InvalidKeyException;
import java.security.InvalidParameterException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.apache.james.jdkim.DKIMCommon;
import org.apache.james.jdkim.DKIMVerifier;
import org.apache.james.jdkim.api.SignatureRecord;
import org.apache.james.jdkim.exceptions.PermFailException;
import org.apache.james.jdkim.impl.BodyHasherImpl;
import org.apache.james.jdkim.impl.Message;
import org.apache.james.jdkim.tagvalue.SignatureRecordImpl;

/**
 * Independent verification for the tests: RSA with jDKIM 0.3's {@link DKIMVerifier} (key records from a map,
 * no DNS); Ed25519 with jDKIM's header and body canonicalisation and the JDK's Ed25519 over the SHA-256 hash
 * of the header data (RFC 8463), since jDKIM 0.3 has no Ed25519.
 */
final class TestVerifiers extends DKIMCommon {
    private static final byte[] ED25519_SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private TestVerifiers() {
    }

    /** Key records by {@code <selector>._domainkey.<domain>}. */
    static final class Records {
        final Map<String, String> records = new HashMap<>();

        Records publish(DkimKey key) {
            records.put(key.selector() + "._domainkey." + key.domain(), key.keyRecord().text());
            return this;
        }
    }

    /** The {@code d/s} of the RSA signatures jDKIM verifies; empty when none verifies. */
    static List<String> jdkimVerifiedRsa(byte[] message, Records records) throws Exception {
        DKIMVerifier verifier = new DKIMVerifier((method, selector, domain) -> {
            String record = records.records.get(selector + "._domainkey." + domain);
            return record == null ? List.of() : List.of(record);
        });
        List<String> verified = new ArrayList<>();
        try {
            List<SignatureRecord> result = verifier.verify(new ByteArrayInputStream(message));
            if (result != null) {
                result.forEach(record -> verified.add(record.getDToken() + "/" + record.getSelector()));
            }
        } catch (PermFailException e) {
            return List.of();
        }
        return verified;
    }

    /** The {@code d/s} of the Ed25519 signatures that verify with the given raw public keys. */
    static List<String> verifiedEd25519(byte[] message, Map<String, byte[]> publicKeys) throws Exception {
        List<String> verified = new ArrayList<>();
        Message parsed = new Message(new ByteArrayInputStream(message));
        byte[] body = parsed.getBodyInputStream().readAllBytes();
        for (String field : parsed.getFields("DKIM-Signature")) {
            SignatureRecordImpl record = new SignatureRecordImpl(field.substring(field.indexOf(':') + 1));
            record.validate();
            if (!record.getHashKeyType().toString().equals("ed25519")) {
                continue;
            }
            String ds = record.getDToken() + "/" + record.getSelector();
            byte[] raw = publicKeys.get(ds);
            if (raw == null) {
                continue;
            }
            BodyHasherImpl bodyHasher = new BodyHasherImpl(record);
            try (OutputStream out = bodyHasher.getOutputStream()) {
                out.write(body);
            }
            if (!Arrays.equals(bodyHasher.getDigest(), record.getBodyHash())) {
                continue;
            }
            byte[] spki = new byte[ED25519_SPKI_PREFIX.length + raw.length];
            System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, ED25519_SPKI_PREFIX.length);
            System.arraycopy(raw, 0, spki, ED25519_SPKI_PREFIX.length, raw.length);
            PublicKey publicKey = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
            HashThenEd25519 signature = new HashThenEd25519();
            signature.initVerify(publicKey);
            signatureCheck(parsed, record, record.getHeaders(), signature);
            if (signature.verify(record.getSignature())) {
                verified.add(ds);
            }
        }
        parsed.dispose();
        return verified;
    }

    /** A {@link Signature} that hashes its input with SHA-256 and verifies Ed25519 over the hash. */
    private static final class HashThenEd25519 extends Signature {
        private final MessageDigest digest;
        private PublicKey key;

        HashThenEd25519() throws Exception {
            super("SHA256thenEd25519");
            digest = MessageDigest.getInstance("SHA-256");
        }

        @Override
        protected void engineInitVerify(PublicKey publicKey) {
            key = publicKey;
            digest.reset();
        }

        @Override
        protected void engineInitSign(PrivateKey privateKey) throws InvalidKeyException {
            throw new InvalidKeyException("verification only");
        }

        @Override
        protected void engineUpdate(byte b) {
            digest.update(b);
        }

        @Override
        protected void engineUpdate(byte[] b, int off, int len) {
            digest.update(b, off, len);
        }

        @Override
        protected byte[] engineSign() throws SignatureException {
            throw new SignatureException("verification only");
        }

        @Override
        protected boolean engineVerify(byte[] sigBytes) throws SignatureException {
            try {
                Signature ed25519 = Signature.getInstance("Ed25519");
                ed25519.initVerify(key);
                ed25519.update(digest.digest());
                return ed25519.verify(sigBytes);
            } catch (java.security.GeneralSecurityException e) {
                throw new SignatureException(e);
            }
        }

        @Override
        @Deprecated
        protected void engineSetParameter(String param, Object value) {
            throw new InvalidParameterException();
        }

        @Override
        @Deprecated
        protected Object engineGetParameter(String param) {
            throw new InvalidParameterException();
        }
    }
}
