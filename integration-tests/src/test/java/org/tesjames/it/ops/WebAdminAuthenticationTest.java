package org.tesjames.it.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.tesjames.it.harness.JamesProcess;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.testing.dns.TestDnsServer;

/**
 * The TES routes are private WebAdmin routes: with James's JWT authentication on (the README's recipe), they need an
 * admin token, while James's public {@code /metrics} does not. The packaged distribution in its own process, with
 * the shipped {@code tes.properties} (DKIM signing off).
 */
class WebAdminAuthenticationTest {

    @Test
    void tesRoutesNeedAnAdminTokenOnceJwtIsOn() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair keys = generator.generateKeyPair();
        Path publicKey = Files.createTempFile("tes-jwt-", ".pem");
        try (TestDnsServer dns = TesJamesExtension.internetLikeDns()) {
            Files.writeString(publicKey, "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(keys.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n");
            try (JamesProcess james = JamesProcess.start(dns, conf -> conf.modify("webadmin.properties",
                    text -> text + "\njwt.enabled=true\njwt.publickeypem.url=file://" + publicKey + "\n"))) {
                assertThat(OperatingTest.request(james, "GET", "/tes/settings").statusCode()).isEqualTo(401);
                assertThat(OperatingTest.request(james, "GET", "/tes/settings", "Authorization",
                    "Bearer " + token(keys.getPrivate(), false)).statusCode()).isEqualTo(401);
                assertThat(OperatingTest.request(james, "DELETE", "/tes/dns/cache").statusCode()).isEqualTo(401);

                HttpResponse<String> admin = OperatingTest.request(james, "GET", "/tes/settings", "Authorization",
                    "Bearer " + token(keys.getPrivate(), true));
                assertThat(admin.statusCode()).as(admin.body()).isEqualTo(200);
                assertThat(OperatingTest.JSON.readTree(admin.body()).isArray()).isTrue();

                assertThat(OperatingTest.request(james, "GET", "/metrics").statusCode()).isEqualTo(200);

                // The shipped tes.properties signs nothing (dkim.keys=none): no keys, and nothing to reload.
                String bearer = "Bearer " + token(keys.getPrivate(), true);
                HttpResponse<String> keyList = OperatingTest.request(james, "GET", "/tes/dkim/keys", "Authorization",
                    bearer);
                assertThat(keyList.statusCode()).isEqualTo(200);
                assertThat(keyList.body()).isEqualTo("{\"enabled\":false,\"keys\":[],\"problems\":[]}");
                HttpResponse<String> reload = OperatingTest.request(james, "POST", "/tes/dkim/keys?action=reload",
                    "Authorization", bearer);
                assertThat(reload.statusCode()).isEqualTo(409);
                assertThat(OperatingTest.JSON.readTree(reload.body()).get("type").asText()).isEqualTo("WrongState");
            }
        } finally {
            Files.deleteIfExists(publicKey);
        }
    }

    /** An RS256 JSON Web Token for {@code admin@tes.test} with the {@code admin} claim James checks. */
    private static String token(PrivateKey key, boolean admin) throws Exception {
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        String header = base64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = base64.encodeToString(("{\"sub\":\"admin@tes.test\",\"admin\":" + admin + "}")
            .getBytes(StandardCharsets.UTF_8));
        Signature signature = Signature.getInstance("SHA256withRSA");
        signature.initSign(key);
        signature.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
        return header + "." + claims + "." + base64.encodeToString(signature.sign());
    }
}
