package dev.relay.workspace.rest;

import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.workspace.rest.Fixtures.Member;
import dev.relay.workspace.rest.Fixtures.Ws;
import dev.relay.workspace.standin.PrincipalJwts;
import dev.relay.workspace.standin.StandInAuthService;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.builder.ResponseSpecBuilder;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import io.restassured.specification.ResponseSpecification;

/** Channels and membership (contract §3.4), and who may call which channel route (§2.2, §2.3). */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
class ChannelRoutesTest {

    @Inject
    AgroalDataSource database;

    private Ws ws;
    private Member scout;
    private Member ada;

    @BeforeEach
    void twoAgents() {
        ws = Fixtures.workspace();
        scout = Fixtures.agent(ws, "scout");
        ada = Fixtures.agent(ws, "ada");
    }

    @Test
    void anAgentCreatesAChannelAndJoinsItAsOwner() {
        String id = as(scout.bearer()).contentType(JSON)
                .body(Map.of("name", "build", "topic", "Build talk", "metadata", Map.of("team", "infra")))
                .when()
                .post("/v1/channels")
                .then()
                .statusCode(201)
                .body("ok", equalTo(true))
                .body("data.id", matchesPattern("\\d+"))
                .body("data.name", equalTo("build"))
                .body("data.topic", equalTo("Build talk"))
                .body("data.metadata", equalTo(Map.of("team", "infra")))
                .body("data.created_by", equalTo(scout.id()))
                .body("data.created_at", matchesPattern(Fixtures.ISO_MILLIS))
                .body("data.member_count", equalTo(1))
                .extract()
                .path("data.id");

        as(ws.key()).get("/v1/channels/build")
                .then()
                .statusCode(200)
                .body("data.id", equalTo(id))
                .body("data.is_archived", equalTo(false))
                .body("data.member_count", equalTo(1))
                .body("data.members.agent_id", contains(scout.id()))
                .body("data.members[0].agent_name", equalTo("scout"))
                .body("data.members[0].role", equalTo("owner"))
                .body("data.members[0].joined_at", matchesPattern(Fixtures.ISO_MILLIS))
                .body("data.members[0].is_muted", equalTo(false));
    }

    @Test
    void theWorkspaceKeyCreatesAChannelWithoutMembers() {
        as(ws.key()).contentType(JSON)
                .body(Map.of("name", "ops"))
                .when()
                .post("/v1/channels")
                .then()
                .statusCode(201)
                .body("data.name", equalTo("ops"))
                .body("data.topic", nullValue())
                .body("data.metadata", anEmptyMap())
                .body("data.created_by", nullValue())
                .body("data", hasKey("created_by"))
                .body("data.member_count", equalTo(0));
    }

    @Test
    void aChannelNameIsLowerCaseLettersDigitsAndDashes() {
        for (String bad : List.of("Build", "-lead", "with space", "#build", "a_b", "dot.name", "é", "x".repeat(81))) {
            create(scout.bearer(), Map.of("name", bad)).statusCode(400)
                    .body("ok", equalTo(false))
                    .body("error.code", equalTo("invalid_channel_name"));
        }
        for (String good : List.of("9lives", "a", "release-2026", "x".repeat(80))) {
            create(scout.bearer(), Map.of("name", good)).statusCode(201).body("data.name", equalTo(good));
        }
    }

    @Test
    void aMissingOrEmptyNameIsAnInvalidRequest() {
        for (Map<String, Object> body : List.<Map<String, Object>>of(Map.of(), Map.of("name", ""), Map.of("name", 7),
                Map.of("name", List.of("build")))) {
            create(scout.bearer(), body).statusCode(400)
                    .body("error.code", equalTo("invalid_request"))
                    .body("error.message", equalTo("name is required"));
        }
    }

    @Test
    void wrongTypesForTopicOrMetadataAreInvalidRequests() {
        create(scout.bearer(), Map.of("name", "build", "topic", 5)).statusCode(400)
                .body("error.code", equalTo("invalid_request"))
                .body("error.message", equalTo("topic must be a string or null"));
        create(scout.bearer(), Map.of("name", "build", "metadata", "x")).statusCode(400)
                .body("error.code", equalTo("invalid_request"))
                .body("error.message", equalTo("metadata must be an object"));
        as(scout.bearer()).get("/v1/channels/build").then().statusCode(404);
    }

    @Test
    void malformedJsonIsInvalidJsonAndANonObjectBodyAnInvalidRequest() {
        as(scout.bearer()).contentType(JSON)
                .body("{\"name\": \"build\"")
                .post("/v1/channels")
                .then()
                .statusCode(400)
                .body("ok", equalTo(false))
                .body("error.code", equalTo("invalid_json"))
                .body("error.message", equalTo("Malformed JSON in request body"));
        as(scout.bearer()).contentType(JSON)
                .body("[\"build\"]")
                .post("/v1/channels")
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_request"));
    }

    @Test
    void aTakenNameIsAConflict() {
        ConversationFixtures.channel(scout.bearer(), "build");

        for (String taken : List.of("build", "general")) {
            create(ada.bearer(), Map.of("name", taken)).statusCode(409)
                    .body("error.code", equalTo("channel_already_exists"))
                    .body("error.message", equalTo("Channel '" + taken + "' already exists"));
        }
    }

    @Test
    void theSameNameInAnotherWorkspaceIsFree() {
        ConversationFixtures.channel(scout.bearer(), "build");
        Ws other = Fixtures.workspace();

        create(other.key(), Map.of("name", "build")).statusCode(201);
        as(other.key()).get("/v1/channels").then().statusCode(200).body("data.name", contains("general", "build"));
        as(other.key()).get("/v1/channels/build").then().statusCode(200).body("data.members", empty());
    }

    @Test
    void theListHidesArchivedChannelsUnlessAskedFor() {
        ConversationFixtures.channel(scout.bearer(), "build");
        ConversationFixtures.channel(scout.bearer(), "old");
        as(scout.bearer()).delete("/v1/channels/old").then().statusCode(204);

        as(ada.bearer()).get("/v1/channels")
                .then()
                .statusCode(200)
                .body("data.name", contains("general", "build"))
                .body("data[0].topic", equalTo("General discussion"))
                .body("data[0].member_count", equalTo(2))
                .body("data[0].is_archived", equalTo(false))
                .body("data[0].metadata", anEmptyMap())
                .body("data[0].created_at", matchesPattern(Fixtures.ISO_MILLIS))
                .body("data[1].member_count", equalTo(1))
                .body("data[0]", not(hasKey("members")));
        as(ada.bearer()).queryParam("include_archived", "true")
                .get("/v1/channels")
                .then()
                .statusCode(200)
                .body("data.name", contains("general", "build", "old"))
                .body("data.is_archived", contains(false, false, true));
    }

    @Test
    void anUnknownChannelIsChannelNotFoundOnEveryRoute() {
        as(ws.key()).get("/v1/channels/nope").then().spec(notFound("nope"));
        as(ws.key()).get("/v1/channels/nope/members").then().spec(notFound("nope"));
        as(ws.key()).get("/v1/channels/nope/read-status").then().spec(notFound("nope"));
        as(ws.key()).contentType(JSON)
                .body(Map.of("topic", "t"))
                .patch("/v1/channels/nope")
                .then()
                .spec(notFound("nope"));
        as(ws.key()).contentType(JSON)
                .body(Map.of("topic", "t"))
                .patch("/v1/channels/nope/topic")
                .then()
                .spec(notFound("nope"));
        as(ws.key()).delete("/v1/channels/nope").then().spec(notFound("nope"));
        for (String action : List.of("join", "leave", "mute", "unmute")) {
            as(scout.bearer()).post("/v1/channels/nope/" + action).then().spec(notFound("nope"));
        }
        as(scout.bearer()).contentType(JSON)
                .body(Map.of("agent_name", "ada"))
                .post("/v1/channels/nope/invite")
                .then()
                .spec(notFound("nope"));
    }

    @Test
    void anotherWorkspacesChannelIsNotFound() {
        ConversationFixtures.channel(scout.bearer(), "build");
        Ws other = Fixtures.workspace();

        as(other.key()).get("/v1/channels/build").then().spec(notFound("build"));
        as(other.key()).delete("/v1/channels/build").then().spec(notFound("build"));
        as(ws.key()).get("/v1/channels/build").then().statusCode(200).body("data.is_archived", equalTo(false));
    }

    @Test
    void joiningTwiceSaysAlreadyMemberAndLeavingIsNoContent() {
        ConversationFixtures.channel(scout.bearer(), "build");

        as(ada.bearer()).post("/v1/channels/build/join")
                .then()
                .statusCode(200)
                .body("data.channel", equalTo("build"))
                .body("data.agent_id", equalTo(ada.id()))
                .body("data.already_member", equalTo(false));
        as(ada.bearer()).post("/v1/channels/build/join")
                .then()
                .statusCode(200)
                .body("data.already_member",
                        equalTo(true));
        members("build").body("agent_name", contains("scout", "ada")).body("role", contains("owner", "member"));

        as(ada.bearer()).post("/v1/channels/build/leave").then().statusCode(204).body(emptyString());
        members("build").body("agent_name", contains("scout"));
        as(ada.bearer()).post("/v1/channels/build/leave").then().statusCode(204);
        as(ws.key()).get("/v1/channels/build").then().body("data.member_count", equalTo(1));
    }

    @Test
    void memberEventsNameTheChannelsMembersAsRecipientsForTheirNodes() {
        Member carol = Fixtures.agent(ws, "carol");
        ConversationFixtures.channel(scout.bearer(), "build");
        as(ada.bearer()).post("/v1/channels/build/join").then().statusCode(200);
        as(ada.bearer()).post("/v1/channels/build/leave").then().statusCode(204);

        DmFixtures.LoggedEvent joined = DmFixtures.logged(database, ws.id(), "member.joined")
                .stream()
                .filter(event -> "build".equals(event.data().get("channel")))
                .findFirst()
                .orElseThrow();
        assertEquals(List.of(recipient(scout), recipient(ada)), joined.recipients());
        assertEquals("build", joined.data().get("channel_name"));
        DmFixtures.LoggedEvent left = DmFixtures.logged(database, ws.id(), "member.left").getFirst();
        // The leaver hears of its own leaving; carol, never a member, hears of neither.
        assertEquals(List.of(recipient(scout), recipient(ada)), left.recipients());
        assertFalse(left.recipients().contains(recipient(carol)));
        assertNull(DmFixtures.logged(database, ws.id(), "channel.created").getFirst().recipients());
    }

    private static Map<String, Object> recipient(Member member) {
        return Map.of("agent_id", member.id(), "agent_name", member.name(), "reason", "member");
    }

    @Test
    void aMemberInvitesAnotherAgent() {
        ConversationFixtures.channel(scout.bearer(), "build");

        as(scout.bearer()).contentType(JSON)
                .body(Map.of("agent_name", "ada"))
                .post("/v1/channels/build/invite")
                .then()
                .statusCode(200)
                .body("data.channel", equalTo("build"))
                .body("data.agent", equalTo("ada"));
        members("build").body("agent_name", contains("scout", "ada"));
        as(scout.bearer()).contentType(JSON)
                .body(Map.of("agent_name", "ada"))
                .post("/v1/channels/build/invite")
                .then()
                .statusCode(200);
        members("build").body("agent_name", contains("scout", "ada"));
    }

    @Test
    void inviteNeedsAMemberAnAgentTokenAndAKnownAgent() {
        ConversationFixtures.channel(scout.bearer(), "build");
        Member bob = Fixtures.agent(ws, "bob");

        invite(ada.bearer(), Map.of("agent_name", "bob")).statusCode(403)
                .body("error.code", equalTo("not_a_member"))
                .body("error.message", equalTo("Not a member of #build"));
        invite(ws.key(), Map.of("agent_name", "bob")).statusCode(403)
                .body("error.code",
                        equalTo("agent_token_required"));
        invite(scout.bearer(), Map.of("agent_name", "nobody")).statusCode(404)
                .body("error.code", equalTo("agent_not_found"))
                .body("error.message", equalTo("Agent 'nobody' not found"));
        for (Map<String, Object> body : List.<Map<String, Object>>of(Map.of(), Map.of("agent_name", ""),
                Map.of("agent_name", 3))) {
            invite(scout.bearer(), body).statusCode(400)
                    .body("error.code", equalTo("invalid_request"))
                    .body("error.message", equalTo("agent_name is required"));
        }
        members("build").body("agent_id", contains(scout.id()));
        as(bob.bearer()).post("/v1/channels/build/mute").then().statusCode(403);
    }

    @Test
    void theTopicRouteSetsTheTopic() {
        ConversationFixtures.channel(scout.bearer(), "build");

        as(ada.bearer()).contentType(JSON)
                .body(Map.of("topic", "Ship it"))
                .patch("/v1/channels/build/topic")
                .then()
                .statusCode(200)
                .body("data.name", equalTo("build"))
                .body("data.topic", equalTo("Ship it"))
                .body("data.member_count", equalTo(1))
                .body("data.is_archived", equalTo(false))
                .body("data", not(hasKey("members")));
        as(ws.key()).get("/v1/channels/build").then().body("data.topic", equalTo("Ship it"));

        Map<String, Object> nullTopic = new HashMap<>();
        nullTopic.put("topic", null);
        for (Map<String, Object> body : List.<Map<String, Object>>of(Map.of(), Map.of("topic", 5), nullTopic)) {
            as(ada.bearer()).contentType(JSON)
                    .body(body)
                    .patch("/v1/channels/build/topic")
                    .then()
                    .statusCode(400)
                    .body("error.code", equalTo("invalid_request"))
                    .body("error.message", equalTo("topic is required (a string)"));
        }
        as(ws.key()).get("/v1/channels/build").then().body("data.topic", equalTo("Ship it"));
    }

    @Test
    void patchChangesTopicAndMetadata() {
        create(scout.bearer(), Map.of("name", "build", "topic", "old", "metadata", Map.of("a", 1))).statusCode(201);

        Map<String, Object> patch = new HashMap<>();
        patch.put("topic", null);
        patch.put("metadata", Map.of("b", List.of(1, 2)));
        as(ws.key()).contentType(JSON)
                .body(patch)
                .patch("/v1/channels/build")
                .then()
                .statusCode(200)
                .body("data.topic", nullValue())
                .body("data.metadata", equalTo(Map.of("b", List.of(1, 2))));
        as(ws.key()).contentType(JSON)
                .body(Map.of("topic", "new"))
                .patch("/v1/channels/build")
                .then()
                .statusCode(200)
                .body("data.topic", equalTo("new"))
                .body("data.metadata", equalTo(Map.of("b", List.of(1, 2))));

        as(ws.key()).contentType(JSON)
                .body(Map.of("metadata", "x"))
                .patch("/v1/channels/build")
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_request"));
        as(ws.key()).contentType(JSON)
                .body(Map.of("topic", List.of()))
                .patch("/v1/channels/build")
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_request"));
        as(ws.key()).get("/v1/channels/build").then().body("data.topic", equalTo("new"));
    }

    @Test
    void archivingIsASoftDeleteThatFreezesTheChannel() {
        ConversationFixtures.channel(scout.bearer(), "build");

        as(scout.bearer()).delete("/v1/channels/build").then().statusCode(204).body(emptyString());

        as(ws.key()).get("/v1/channels/build").then().statusCode(200).body("data.is_archived", equalTo(true));
        as(ada.bearer()).post("/v1/channels/build/join").then().spec(archived());
        as(ws.key()).contentType(JSON).body(Map.of("topic", "t")).patch("/v1/channels/build").then().spec(archived());
        as(ws.key()).contentType(JSON)
                .body(Map.of("topic", "t"))
                .patch("/v1/channels/build/topic")
                .then()
                .spec(archived());
        invite(scout.bearer(), Map.of("agent_name", "ada")).spec(archived());
        as(scout.bearer()).contentType(JSON)
                .body(Map.of("text", "anyone?"))
                .post("/v1/channels/build/messages")
                .then()
                .spec(archived());
        as(ws.key()).get("/v1/channels/build/messages").then().statusCode(200).body("data", empty());
        create(ada.bearer(), Map.of("name", "build")).statusCode(409);
    }

    @Test
    void generalCannotBeArchived() {
        as(ws.key()).delete("/v1/channels/general")
                .then()
                .statusCode(400)
                .body("error.code", equalTo("cannot_archive_general"))
                .body("error.message", equalTo("The general channel cannot be archived"));
        as(ws.key()).get("/v1/channels/general").then().body("data.is_archived", equalTo(false));
    }

    @Test
    void aMemberMutesAndUnmutes() {
        as(ada.bearer()).post("/v1/channels/general/mute")
                .then()
                .statusCode(200)
                .body("data.channel", equalTo("general"))
                .body("data.agent_id", equalTo(ada.id()))
                .body("data.muted", equalTo(true));
        members("general").body("agent_name", contains("scout", "ada")).body("is_muted", contains(false, true));

        as(ada.bearer()).post("/v1/channels/general/unmute")
                .then()
                .statusCode(200)
                .body("data.muted", equalTo(false));
        members("general").body("is_muted", contains(false, false));
    }

    @Test
    void aNonMemberCannotMute() {
        ConversationFixtures.channel(scout.bearer(), "build");

        for (String action : List.of("mute", "unmute")) {
            as(ada.bearer()).post("/v1/channels/build/" + action)
                    .then()
                    .statusCode(403)
                    .body("error.code", equalTo("not_a_member"));
        }
    }

    @Test
    void readStatusListsEveryMember() {
        as(ws.key()).get("/v1/channels/general/read-status")
                .then()
                .statusCode(200)
                .body("data.agent_name", containsInAnyOrder("scout", "ada"))
                .body("data[0]", hasKey("last_read_id"))
                .body("data[0]", hasKey("last_read_at"));
        as(scout.bearer()).get("/v1/channels/general/read-status").then().statusCode(200);
    }

    @Test
    void withoutABearerEveryChannelRouteIsUnauthorized() {
        for (ValidatableResponse response : List.of(
                given().get("/v1/channels").then(),
                given().get("/v1/channels/general").then(),
                given().get("/v1/channels/general/members").then(),
                given().get("/v1/channels/general/read-status").then(),
                given().contentType(JSON).body(Map.of("name", "build")).post("/v1/channels").then(),
                given().contentType(JSON).body(Map.of("topic", "t")).patch("/v1/channels/general").then(),
                given().delete("/v1/channels/general").then(),
                given().post("/v1/channels/general/join").then(),
                given().post("/v1/channels/general/leave").then())) {
            response.statusCode(401)
                    .body("ok", equalTo(false))
                    .body("error.code", equalTo("unauthorized"))
                    .body("error.message", equalTo("Missing or invalid Authorization header"));
        }
    }

    @Test
    void observersAndNodesCannotWriteChannels() {
        String observer = ConversationFixtures.observer(ws, ConversationFixtures.ALL_SCOPES, Map.of());
        String node = PrincipalJwts.node(ws.id());

        create(observer, Map.of("name", "build")).statusCode(401)
                .body("error.code",
                        equalTo("observer_token_forbidden"));
        create(node, Map.of("name", "build")).statusCode(401).body("error.code", equalTo("node_token_forbidden"));
        as(observer).delete("/v1/channels/general")
                .then()
                .statusCode(401)
                .body("error.code",
                        equalTo("observer_token_forbidden"));
        as(observer).post("/v1/channels/general/join")
                .then()
                .statusCode(401)
                .body("error.code",
                        equalTo("observer_token_forbidden"));
        as(observer).get("/v1/channels/general/read-status")
                .then()
                .statusCode(401)
                .body("error.code",
                        equalTo("observer_token_forbidden"));
        as(node).get("/v1/channels").then().statusCode(401).body("error.code", equalTo("node_token_forbidden"));
        as(ws.key()).get("/v1/channels").then().body("data.name", contains("general"));
    }

    @Test
    void membershipRoutesTakeOnlyAgentTokens() {
        for (String action : List.of("join", "leave", "mute", "unmute")) {
            as(ws.key()).post("/v1/channels/general/" + action)
                    .then()
                    .statusCode(401)
                    .body("error.code", equalTo("unauthorized"))
                    .body("error.message", equalTo("This route takes agent token (at_live_...)"));
        }
    }

    @Test
    void observersReadChannelsAndMembers() {
        String observer = ConversationFixtures.observer(ws, List.of("channels:read"), Map.of());

        as(observer).get("/v1/channels").then().statusCode(200).body("data.name", contains("general"));
        as(observer).get("/v1/channels/general")
                .then()
                .statusCode(200)
                .body("data.members.agent_name", contains("scout", "ada"));
        as(observer).get("/v1/channels/general/members")
                .then()
                .statusCode(200)
                .body("data.agent_name", contains("scout", "ada"));
    }

    @Test
    void oddBodiesAndQueriesAreClientErrorsNever500() {
        for (String body : List.of("null", "\"build\"", "42", "[]")) {
            as(scout.bearer()).contentType(JSON)
                    .body(body)
                    .post("/v1/channels")
                    .then()
                    .statusCode(400)
                    .body("error.code", equalTo("invalid_request"));
        }
        as(scout.bearer()).contentType(JSON)
                .body("{\"name\":\"deep\",\"metadata\":" + "{\"a\":".repeat(100) + "1" + "}".repeat(101))
                .post("/v1/channels")
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_request"));
        as(scout.bearer()).contentType("text/plain")
                .body("name=build")
                .post("/v1/channels")
                .then()
                .statusCode(415)
                .body("error.code", equalTo("unsupported_media_type"));
        as(ws.key()).contentType(JSON)
                .body("{\"topic\": }")
                .patch("/v1/channels/general")
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_json"));
        as(ws.key()).queryParam("limit", "99999999999")
                .get("/v1/channels/general/messages")
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_request"));
        as(ws.key()).queryParam("since", "99999999999999999999")
                .get("/v1/workspace/events")
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_request"));
        as(ws.key()).get("/v1/channels/" + "x".repeat(300))
                .then()
                .statusCode(404)
                .body("error.code",
                        equalTo("channel_not_found"));
        as(ws.key()).get("/v1/channels").then().statusCode(200).body("data.name", contains("general"));
    }

    private static RequestSpecification as(String bearer) {
        return given().header("Authorization", bearer);
    }

    private static ValidatableResponse create(String bearer, Map<String, Object> body) {
        return as(bearer).contentType(JSON).body(body).when().post("/v1/channels").then();
    }

    private static ValidatableResponse invite(String bearer, Map<String, Object> body) {
        return as(bearer).contentType(JSON).body(body).when().post("/v1/channels/build/invite").then();
    }

    private ValidatableResponse members(String channel) {
        return as(ws.key()).get("/v1/channels/" + channel + "/members").then().statusCode(200).rootPath("data");
    }

    private static ResponseSpecification notFound(String name) {
        return new ResponseSpecBuilder().expectStatusCode(404)
                .expectBody("ok", equalTo(false))
                .expectBody("error.code", equalTo("channel_not_found"))
                .expectBody("error.message", equalTo("Channel '" + name + "' not found"))
                .build();
    }

    private static ResponseSpecification archived() {
        return new ResponseSpecBuilder().expectStatusCode(400)
                .expectBody("error.code", equalTo("channel_archived"))
                .expectBody("error.message", equalTo("Channel 'build' is archived"))
                .build();
    }
}
