package dev.relay.common.auth;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.eclipse.microprofile.jwt.JsonWebToken;

import com.fasterxml.jackson.core.type.TypeReference;

import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import dev.relay.common.json.RelayJson;
import dev.relay.common.token.TokenKind;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;

/**
 * Verifies JWTs signed by auth-service: RS256 signature by a key the resolver knows (chosen by `kid`), issuer pinned,
 * audience and expiry checked. Services use it for the principal JWT the gateway forwards and for service JWTs.
 */
public final class JwtVerifier {

    private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() {
    };
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };

    /** Clock skew tolerated on `exp` and `iat`, in seconds: principal JWTs live only 60 s. */
    static final int CLOCK_SKEW_SECONDS = 5;

    private final DefaultJWTParser parser = new DefaultJWTParser(strictTiming());
    private final VerifiedJwts verified = new VerifiedJwts();
    private final Function<String, Optional<PublicKey>> keys;

    /** @param keys resolves a key id to the public key that may have signed it */
    public JwtVerifier(Function<String, Optional<PublicKey>> keys) {
        this.keys = keys;
    }

    /** smallrye-jwt tolerates 60 s of expiry by default, as long as a principal JWT lives; tolerate only skew. */
    @SuppressWarnings("deprecation") // the expiry grace is still honoured next to the clock skew
    static JWTAuthContextInfo strictTiming() {
        JWTAuthContextInfo info = new JWTAuthContextInfo();
        info.setClockSkew(CLOCK_SKEW_SECONDS);
        info.setExpGracePeriodSecs(CLOCK_SKEW_SECONDS);
        return info;
    }

    /** The verified token, or a 401 {@link RelayException} saying what was wrong with it. */
    public JsonWebToken verify(String jwt, String audience) {
        if (jwt == null || jwt.isBlank()) {
            throw unauthorized("missing JWT");
        }
        PublicKey key = keyId(jwt).flatMap(keys).orElseThrow(() -> unauthorized("JWT signed by an unknown key"));
        JsonWebToken token = verified.get(jwt, key);
        if (token == null) {
            try {
                token = parser.verify(jwt, key);
            } catch (ParseException e) {
                throw unauthorized("invalid JWT (" + e.getMessage() + ")");
            }
            verified.put(jwt, token, key);
        }
        if (!PrincipalClaims.ISSUER.equals(token.getIssuer()) || token.getAudience() == null
                || !token.getAudience().contains(audience)) {
            throw unauthorized("JWT not issued by auth-service for " + audience);
        }
        return token;
    }

    /** The principal a verified principal JWT carries. */
    public Principal principal(String jwt) {
        JsonWebToken token = verify(jwt, PrincipalClaims.PRINCIPAL_AUDIENCE);
        TokenKind kind = TokenKind.fromWireName(token.getClaim(PrincipalClaims.KIND))
                .orElseThrow(() -> unauthorized("principal JWT without a token kind"));
        return new Principal(kind, token.getClaim(PrincipalClaims.WORKSPACE_ID), token.getSubject(),
                token.getClaim(PrincipalClaims.SUBJECT_NAME), strings(token, PrincipalClaims.SCOPES),
                object(token, PrincipalClaims.FILTERS), strings(token, PrincipalClaims.CAPABILITIES),
                token.getClaim(PrincipalClaims.CREDENTIAL_ID), token.getClaim(PrincipalClaims.HASH_PREFIX),
                token.getClaim(PrincipalClaims.DISPLAY_PREFIX));
    }

    // Array and object claims come back as JSON-P values, whose toString is their JSON text.
    private static List<String> strings(JsonWebToken token, String claim) {
        return read(token, claim, STRINGS, List.of());
    }

    private static Map<String, Object> object(JsonWebToken token, String claim) {
        return read(token, claim, JSON_OBJECT, Map.of());
    }

    private static <T> T read(JsonWebToken token, String claim, TypeReference<T> type, T absent) {
        Object value = token.getClaim(claim);
        if (value == null) {
            return absent;
        }
        try {
            return RelayJson.mapper().readValue(value.toString(), type);
        } catch (Exception e) {
            throw unauthorized("principal JWT with an unreadable " + claim + " claim");
        }
    }

    /** The `kid` of a JWT's header, read without verifying anything. */
    public static Optional<String> keyId(String jwt) {
        int dot = jwt.indexOf('.');
        if (dot <= 0) {
            return Optional.empty();
        }
        try {
            byte[] header = Base64.getUrlDecoder().decode(jwt.substring(0, dot));
            Map<String, Object> fields = RelayJson.mapper()
                    .readValue(new String(header, StandardCharsets.UTF_8),
                            JSON_OBJECT);
            return Optional.ofNullable(fields.get("kid")).map(Object::toString);
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private static RelayException unauthorized(String why) {
        return new RelayException(ErrorCode.UNAUTHORIZED, "Unauthorized: " + why);
    }
}
