package org.tesjames.it.harness;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.tes.TesMembershipZones;
import org.tesjames.testing.tes.TesMembershipZones.Chain;

/**
 * TES member domains that DKIM-sign their mail, as members must: each one's membership chain declared in the
 * test DNS server ({@link TesMembershipZones#member}) and a key of its own published there
 * ({@link TestDkimSigner#publish}).
 */
public final class SigningMembers {
    private final TestDnsServer dns;
    private final TesMembershipZones zones;
    private final Map<String, TestDkimSigner> signers = new ConcurrentHashMap<>();

    public SigningMembers(TestDnsServer dns) {
        this.dns = dns;
        this.zones = new TesMembershipZones(dns);
    }

    /** Makes the domain a member with this master that signs its mail; returns the names of its chain. */
    public Chain add(String domain, String master) {
        Chain chain = zones.member(domain, master);
        signers.put(domain.toLowerCase(Locale.ROOT), TestDkimSigner.publish(dns, domain));
        return chain;
    }

    /** The signer of a domain made a member by {@link #add}. */
    public TestDkimSigner signer(String domain) {
        TestDkimSigner signer = signers.get(domain.toLowerCase(Locale.ROOT));
        if (signer == null) {
            throw new IllegalArgumentException("not a signing member: " + domain);
        }
        return signer;
    }

    /**
     * The message signed as the envelope sender's domain would sign it, when that domain (in any case) is a
     * signing member; otherwise the message unchanged.
     */
    public String sign(String sender, String message) {
        TestDkimSigner signer = signers.get(sender.substring(sender.indexOf('@') + 1).toLowerCase(Locale.ROOT));
        return signer == null ? message : signer.sign(message);
    }
}
