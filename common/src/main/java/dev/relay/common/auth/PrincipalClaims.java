package dev.relay.common.auth;

/** Names of the claims in JWTs signed by auth-service, shared by the signer and every verifier. */
public final class PrincipalClaims {

    /** Issuer of every JWT in the system. */
    public static final String ISSUER = "relay-auth";
    /** Audience of principal JWTs (a caller's identity, forwarded by the gateway). */
    public static final String PRINCIPAL_AUDIENCE = "relay-principal";
    /** Audience of service JWTs (one service calling another's `/internal` API). */
    public static final String SERVICE_AUDIENCE = "relay-internal";

    public static final String KIND = "kind";
    public static final String WORKSPACE_ID = "wid";
    public static final String SUBJECT_NAME = "name";
    public static final String SCOPES = "scopes";
    public static final String FILTERS = "filters";
    public static final String CAPABILITIES = "caps";
    public static final String CREDENTIAL_ID = "cid";
    public static final String HASH_PREFIX = "hp";
    public static final String DISPLAY_PREFIX = "dp";
    /** MicroProfile JWT's role claim: `principal` + `kind:<kind>` for principals, `service:<name>` for services. */
    public static final String GROUPS = "groups";

    private PrincipalClaims() {
    }

    public static String kindRole(String kindWireName) {
        return "kind:" + kindWireName;
    }

    public static String serviceRole(String serviceName) {
        return "service:" + serviceName;
    }
}
