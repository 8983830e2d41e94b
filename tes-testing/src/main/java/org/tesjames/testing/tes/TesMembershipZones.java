package org.tesjames.testing.tes;

import org.tesjames.testing.dns.TestDnsServer;

/**
 * Declares TES membership chains in a {@link TestDnsServer}: for a domain D with master M under the registry
 * root R, the records {@code tes-master.D CNAME M}, {@code D.tes-member.M TXT} and {@code M.tes-member.R TXT}.
 * Each record lives in its own zone (D, M and R), so a test can break one step without touching the others.
 */
public final class TesMembershipZones {
    public static final String REGISTRY_ROOT = "trusted-email-services.com";

    private final TestDnsServer dns;
    private final String registryRoot;

    public TesMembershipZones(TestDnsServer dns) {
        this(dns, REGISTRY_ROOT);
    }

    public TesMembershipZones(TestDnsServer dns, String registryRoot) {
        this.dns = dns;
        this.registryRoot = registryRoot;
    }

    /** Makes {@code domain} a member whose master is {@code master}; returns the three record names. */
    public Chain member(String domain, String master) {
        dns.zone(domain).cname("tes-master", master + ".");
        dns.zone(master).txt(domain + ".tes-member", "v=TES1");
        dns.zone(registryRoot).txt(master + ".tes-member", "v=TES1");
        return chain(domain, master);
    }

    /** The names of the chain of {@code domain} with {@code master}, whether declared or not. */
    public Chain chain(String domain, String master) {
        return new Chain("tes-master." + domain + ".", domain + ".tes-member." + master + ".",
            master + ".tes-member." + registryRoot + ".");
    }

    /** The owner names of the three steps, absolute. */
    public record Chain(String tesMaster, String memberOfMaster, String masterInRegistry) {
    }
}
