package org.tesjames.testing.dns;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.DSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.RRset;

/**
 * The single signing key of a zone (a "combined signing key": zone key with the SEP flag, flags 257),
 * ECDSA P-256 with SHA-256, DNSSEC algorithm 13, made with the JDK's own provider.
 */
final class ZoneKey {

    static final int ALGORITHM = DNSSEC.Algorithm.ECDSAP256SHA256;
    static final long DNSKEY_TTL = 3600;

    private final KeyPair keyPair;
    private final DNSKEYRecord dnskey;

    private ZoneKey(KeyPair keyPair, DNSKEYRecord dnskey) {
        this.keyPair = keyPair;
        this.dnskey = dnskey;
    }

    static ZoneKey generate(Name origin) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keyPair = generator.generateKeyPair();
            DNSKEYRecord dnskey = new DNSKEYRecord(origin, DClass.IN, DNSKEY_TTL,
                    DNSKEYRecord.Flags.ZONE_KEY | DNSKEYRecord.Flags.SEP_KEY, DNSKEYRecord.Protocol.DNSSEC,
                    ALGORITHM, keyPair.getPublic());
            return new ZoneKey(keyPair, dnskey);
        } catch (GeneralSecurityException | DNSSEC.DNSSECException e) {
            throw new IllegalStateException("Cannot generate a DNSSEC key for " + origin, e);
        }
    }

    DNSKEYRecord dnskey() {
        return dnskey;
    }

    /** The DS of this key (SHA-256 digest), owned by the zone's origin, as the parent publishes it. */
    DSRecord ds(long ttl) {
        return new DSRecord(dnskey.getName(), DClass.IN, ttl, DNSSEC.Digest.SHA256, dnskey);
    }

    /** A DS with the right key tag and algorithm but a digest that matches no key. */
    DSRecord wrongDs(long ttl) {
        DSRecord good = ds(ttl);
        byte[] digest = good.getDigest().clone();
        digest[0] ^= (byte) 0xFF;
        return new DSRecord(good.getName(), DClass.IN, ttl, good.getFootprint(), good.getAlgorithm(),
                good.getDigestID(), digest);
    }

    RRSIGRecord sign(RRset rrset, Instant inception, Instant expiration) {
        try {
            return DNSSEC.sign(rrset, dnskey, keyPair.getPrivate(), inception, expiration);
        } catch (DNSSEC.DNSSECException e) {
            throw new IllegalStateException("Cannot sign " + rrset.getName() + "/" + rrset.getType(), e);
        }
    }
}
