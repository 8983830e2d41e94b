package org.tesjames.mailets.webadmin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TesRoutesTest {
    @Test
    void settingsNamingASecretAreRedactedValueAndDefault() {
        assertThat(TesRoutes.setting("smtp.relay.password", "hunter2", ""))
            .isEqualTo(new TesViews.Setting("smtp.relay.password", "***", "***", false));
        assertThat(TesRoutes.setting("api.Token", "abc", "abc").value()).isEqualTo("***");
        assertThat(TesRoutes.setting("ldap.credentials", "x", "y").value()).isEqualTo("***");
    }

    @Test
    void otherSettingsAreShownWithTheirDefault() {
        assertThat(TesRoutes.setting("dns.resolvers", "127.0.0.1:53", "system"))
            .isEqualTo(new TesViews.Setting("dns.resolvers", "127.0.0.1:53", "system", false));
        assertThat(TesRoutes.setting("registry.root", "trusted-email-services.com", "trusted-email-services.com")
            .isDefault()).isTrue();
    }
}
