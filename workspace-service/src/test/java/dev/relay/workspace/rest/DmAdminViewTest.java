package dev.relay.workspace.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.workspace.rest.Fixtures.Member;
import dev.relay.workspace.rest.Fixtures.Ws;
import dev.relay.workspace.standin.PrincipalJwts;
import dev.relay.workspace.standin.StandInAuthService;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/**
 * The workspace-wide DM views (contract §3.1, §2.3): the workspace key sees every conversation; an observer needs
 * `dms:read` (403 without) and sees DMs only with `include_dms`, narrowed by `dm_conversation_ids`, `agent_ids` and
 * `created_after` (§7.2), hidden conversations answering 404 (§7.3); agents and nodes are refused (401). The same
 * rules hold for DM events in the event log.
 */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
class DmAdminViewTest {

    private static final List<String> DMS = List.of("stream:read", "dms:read");

    private Ws ws;
    private Member alice;
    private Member bob;
    private Member carol;
    private String direct;
    private String group;

    @BeforeEach
    void aDirectAndAGroupConversation() {
        ws = Fixtures.workspace();
        alice = Fixtures.agent(ws, "alice");
        bob = Fixtures.agent(ws, "bob");
        carol = Fixtures.agent(ws, "carol");
        direct = DmFixtures.dm(alice, "bob", "hello bob");
        DmFixtures.post(bob, direct, "hello alice");
        group = DmFixtures.groupOf(carol, "alice", "bob");
    }

    @Test
    void theWorkspaceKeySeesEveryConversationNewestFirst() {
        all(ws.key()).statusCode(200)
                .body("data.id", contains(group, direct))
                .body("data[0].channel_id", equalTo(group))
                .body("data[0].type", equalTo("group"))
                .body("data[0].participants", contains("alice", "bob", "carol"))
                .body("data[0].last_message", nullValue())
                .body("data[0].message_count", equalTo(0))
                .body("data[1].channel_id", equalTo("dmch_" + direct.substring("dm_".length())))
                .body("data[1].type", equalTo("1:1"))
                .body("data[1].participants", containsInAnyOrder("alice", "bob"))
                .body("data[1].last_message.text", equalTo("hello alice"))
                .body("data[1].last_message.agent_id", equalTo(bob.id()))
                .body("data[1].last_message.agent_name", equalTo("bob"))
                .body("data[1].last_message.created_at", matchesPattern(Fixtures.ISO_MILLIS))
                .body("data[1].message_count", equalTo(2));
        all(Fixtures.workspace().key()).statusCode(200).body("data", empty());
    }

    @Test
    void theWorkspaceKeyReadsAnyConversationsMessages() {
        String third = DmFixtures.post(alice, direct, "third");

        messages(ws.key(), direct).statusCode(200)
                .body("data.text", contains("third", "hello alice", "hello bob"))
                .body("data[0].id", equalTo(third))
                .body("data[0].agent_id", equalTo(alice.id()))
                .body("data[0].agent_name", equalTo("alice"))
                .body("data[0].injection_mode", equalTo("wait"))
                .body("data[0].attachments", empty())
                .body("data[0].created_at", matchesPattern(Fixtures.ISO_MILLIS));
        given().header("Authorization", ws.key())
                .queryParam("limit", 1)
                .queryParam("before", third)
                .get("/v1/dm/conversations/" + direct + "/messages")
                .then()
                .statusCode(200)
                .body("data.text", contains("hello alice"));
        messages(ws.key(), group).statusCode(200).body("data", empty());
        messages(ws.key(), "dm_000000000000000000000000").statusCode(404)
                .body("error.code", equalTo("dm_conversation_not_found"));
        messages(Fixtures.workspace().key(), direct).statusCode(404)
                .body("error.code", equalTo("dm_conversation_not_found"));
    }

    @Test
    void agentsAndNodesAreRefusedAndObserversNeedTheDmsScope() {
        for (String[] bearerAndCode : new String[][]{{alice.bearer(), "unauthorized"},
                {PrincipalJwts.node(ws.id()), "node_token_forbidden"}}) {
            all(bearerAndCode[0]).statusCode(401).body("error.code", equalTo(bearerAndCode[1]));
            messages(bearerAndCode[0], direct).statusCode(401).body("error.code", equalTo(bearerAndCode[1]));
        }
        String withoutScope = observer(List.of("stream:read", "messages:read"), Map.of("include_dms", true));
        all(withoutScope).statusCode(403).body("error.code", equalTo("insufficient_scope"));
        messages(withoutScope, direct).statusCode(403).body("error.code", equalTo("insufficient_scope"));
        given().get("/v1/dm/conversations/all").then().statusCode(401).body("error.code", equalTo("unauthorized"));
    }

    @Test
    void anObserverWithoutIncludeDmsSeesNoConversation() {
        String observer = observer(DMS, Map.of());

        all(observer).statusCode(200).body("data", empty());
        messages(observer, direct).statusCode(404).body("error.code", equalTo("dm_conversation_not_found"));
        all(observer(DMS, Map.of("include_dms", false))).statusCode(200).body("data", empty());
    }

    @Test
    void anObserverWithIncludeDmsSeesThemNarrowedByConversationIds() {
        all(observer(DMS, Map.of("include_dms", true))).statusCode(200).body("data.id", contains(group, direct));

        String onlyDirect = observer(DMS, Map.of("include_dms", true, "dm_conversation_ids", List.of(direct)));
        all(onlyDirect).statusCode(200).body("data.id", contains(direct));
        messages(onlyDirect, direct).statusCode(200).body("data", hasSize(2));
        messages(onlyDirect, group).statusCode(404).body("error.code", equalTo("dm_conversation_not_found"));
    }

    @Test
    void anObserversAgentAndTimeFiltersApplyToTheMessages() {
        String onlyAlice = observer(DMS, Map.of("include_dms", true, "agent_ids", List.of(alice.id())));

        messages(onlyAlice, direct).statusCode(200).body("data.text", contains("hello bob"));
        // The list shows a conversation only when its latest message passes the filters (as the engine does).
        all(onlyAlice).statusCode(200).body("data.id", contains(group));

        String future = Instant.now().plus(1, ChronoUnit.HOURS).toString();
        String later = observer(DMS, Map.of("include_dms", true, "created_after", future));
        messages(later, direct).statusCode(200).body("data", empty());
    }

    @Test
    void dmEventsInTheLogFollowTheSameRules() {
        DmFixtures.post(carol, group, "group hello");

        assertEquals(List.of("dm.received", "dm.received", "group_dm.received"), dmEventTypes(ws.key()));
        assertEquals(List.of("dm.received", "dm.received", "group_dm.received"),
                dmEventTypes(observer(DMS, Map.of("include_dms", true))));
        assertEquals(List.of("group_dm.received"),
                dmEventTypes(observer(DMS, Map.of("include_dms", true, "dm_conversation_ids", List.of(group)))));
        assertEquals(List.of(), dmEventTypes(observer(DMS, Map.of())));
        assertEquals(List.of(), dmEventTypes(observer(ConversationFixtures.ALL_SCOPES.stream()
                .filter(scope -> !scope.equals("dms:read"))
                .toList(), Map.of("include_dms", true))));
    }

    @Test
    void observersCannotReachDmContentThroughChannelPaths() {
        String channel = "dm-" + direct.substring("dm_".length());
        String observer = observer(ConversationFixtures.ALL_SCOPES, Map.of("include_dms", true));

        given().header("Authorization", observer)
                .get("/v1/channels/" + channel + "/messages")
                .then()
                .statusCode(404)
                .body("error.code", equalTo("channel_not_found"));
        given().header("Authorization", observer)
                .get("/v1/channels")
                .then()
                .statusCode(200)
                .body("data.name", contains("general"));
    }

    private List<String> dmEventTypes(String bearer) {
        List<String> types = ConversationFixtures.events(bearer, 0).getList("data.events.type");
        return types.stream().filter(type -> type.contains("dm.")).toList();
    }

    private String observer(List<String> scopes, Map<String, Object> filters) {
        return PrincipalJwts.observer(ws.id(), scopes, filters);
    }

    private static ValidatableResponse all(String bearer) {
        return given().header("Authorization", bearer).get("/v1/dm/conversations/all").then();
    }

    private static ValidatableResponse messages(String bearer, String conversation) {
        return given().header("Authorization", bearer)
                .get("/v1/dm/conversations/" + conversation + "/messages")
                .then();
    }
}
