package org.tesjames.it.harness;

import java.util.function.Consumer;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.tesjames.testing.dns.TestDnsServer;

/**
 * JUnit 5 extension: a {@link TestDnsServer} and a {@link TesJamesServer} using it, started once per test class.
 *
 * <pre>{@code
 * @RegisterExtension
 * static TesJamesExtension james = new TesJamesExtension(conf -> conf.replaceInListener(...));
 * }</pre>
 */
public final class TesJamesExtension implements BeforeAllCallback, AfterAllCallback {
    private final Consumer<JamesConf> overlay;
    private TestDnsServer dns;
    private TesJamesServer james;

    public TesJamesExtension() {
        this(conf -> {
        });
    }

    public TesJamesExtension(Consumer<JamesConf> overlay) {
        this.overlay = overlay;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dns = TestDnsServer.start();
        james = TesJamesServer.start(dns, overlay);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (james != null) {
                james.close();
            }
        } finally {
            if (dns != null) {
                dns.close();
            }
        }
    }

    public TesJamesServer james() {
        return james;
    }

    public TestDnsServer dns() {
        return dns;
    }
}
