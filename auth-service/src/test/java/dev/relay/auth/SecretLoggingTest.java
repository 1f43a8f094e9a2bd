package dev.relay.auth;

import static dev.relay.auth.rest.CredentialApi.mint;
import static dev.relay.auth.rest.CredentialApi.verify;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.relay.auth.rest.CredentialApi;
import dev.relay.auth.rest.CredentialApi.Minted;
import dev.relay.auth.rest.ServiceJwts;
import dev.relay.common.token.TokenKind;
import dev.relay.common.token.Tokens;
import io.quarkus.test.junit.QuarkusTest;

/** No raw secret reaches a log line, whatever happens to it: mint, verify, rotate, revoke, every refusal. */
@QuarkusTest
class SecretLoggingTest {

    @Test
    void noRawTokenAppearsInAnyCapturedLogRecord() {
        List<String> secrets = new ArrayList<>();
        String revokedPrefix;
        List<String> lines;
        try (LogCapture capture = LogCapture.start()) {
            for (TokenKind kind : TokenKind.values()) {
                Minted minted = mint(kind.wireName());
                secrets.add(minted.token());
                secrets.add(verify(minted.token()).statusCode(200).extract().path("data.jwt"));
            }
            Minted graced = mint("observer_token");
            Minted rotated = CredentialApi.rotate(graced.id(), 60L);
            Minted rotatedOut = CredentialApi.rotate(rotated.id(), null);
            Minted revoked = mint("agent_token");
            CredentialApi.revoke(revoked.id()).statusCode(200);
            String unknown = Tokens.generate(TokenKind.NODE_TOKEN);
            secrets.addAll(List.of(graced.token(), rotated.token(), rotatedOut.token(), revoked.token(), unknown,
                    "sk_live_" + "5e".repeat(16), "at_live_0123456789abcdef"));
            secrets.forEach(token -> verify(token, "agent_token", "observer_token").statusCode(200));
            String principalJwt = secrets.get(1);
            ServiceJwts.bearer(principalJwt)
                    .when()
                    .get("/internal/credentials/" + revoked.id())
                    .then()
                    .statusCode(
                            401);
            revokedPrefix = revoked.hashPrefix();
            lines = capture.lines();
        }

        assertTrue(lines.size() > 10, "the capture saw the service's log lines: " + lines);
        for (String secret : secrets) {
            String secretPart = secret.contains("_live_") ? secret.substring(secret.indexOf("_live_") + 6) : secret;
            for (String line : lines) {
                assertFalse(line.contains(secretPart), "a log record carries a secret: " + line);
            }
        }
        assertTrue(lines.stream()
                .anyMatch(line -> line.contains("auth.verify_refused reason=revoked")
                        && line.contains("hash=" + revokedPrefix)),
                "the refusal line names the hash prefix: " + lines);
    }
}
