package org.tesjames.it.harness;

import java.util.function.Consumer;
import java.util.function.Supplier;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.dns.UnknownNamePolicy;

/**
 * JUnit 5 extension: a {@link TestDnsServer} and a {@link TesJamesServer} using it, started once per test class.
 *
 * <pre>{@code
 * @RegisterExtension
 * static TesJamesExtension james = new TesJamesExtension(conf -> conf.replaceInListener(...));
 * }</pre>
 */
public final class TesJamesExtension implements BeforeAllCallback, AfterAllCallback {
    private final Supplier<JamesConf> base;
    private final Consumer<JamesConf> overlay;
    private TestDnsServer dns;
    private TesJamesServer james;
    private Class<?> owner;

    public TesJamesExtension() {
        this(conf -> {
        });
    }

    public TesJamesExtension(Consumer<JamesConf> overlay) {
        this(JamesConf::shipped, overlay);
    }

    private TesJamesExtension(Supplier<JamesConf> base, Consumer<JamesConf> overlay) {
        this.base = base;
        this.overlay = overlay;
    }

    /** James with a shipped configuration variant (e.g. {@code chain}), changed by {@code overlay}. */
    public static TesJamesExtension variant(String name, Consumer<JamesConf> overlay) {
        return new TesJamesExtension(() -> JamesConf.shippedVariant(name), overlay);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (james != null) {
            return; // @Nested classes share the server of the class that registered the extension
        }
        owner = context.getRequiredTestClass();
        dns = internetLikeDns();
        james = TesJamesServer.start(dns, base.get(), overlay);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (!context.getRequiredTestClass().equals(owner)) {
            return;
        }
        try {
            if (james != null) {
                james.close();
            }
        } finally {
            if (dns != null) {
                dns.close();
            }
            james = null;
            dns = null;
        }
    }

    /**
     * A test DNS server that answers NXDOMAIN, as the Internet would, for every name outside the zones a test
     * declares (the server's own default is REFUSED, a temporary failure for TES).
     */
    public static TestDnsServer internetLikeDns() {
        return TestDnsServer.builder().unknownNames(UnknownNamePolicy.NXDOMAIN).start();
    }

    public TesJamesServer james() {
        return james;
    }

    public TestDnsServer dns() {
        return dns;
    }
}
