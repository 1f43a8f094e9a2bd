import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The workspace the benchmark drives, set up through the gateway like any client: {@code agents} agents in channels
 * of {@code channelSize} members ({@code pd-000} holds agents 0 to size-1, {@code pd-001} the next ones, and so on;
 * every agent is also in {@code general}, where nobody posts), and each agent's implicit direct node as the SDK's
 * {@code AgentClient.connect()} gets it: {@code POST /v1/agent/node-token} with the agent token.
 */
final class Fleet {

    /** One agent: its name, agent token and direct node (id, name, {@code nt_live_} token). */
    record Agent(String name, String token, String nodeId, String nodeName, String nodeToken) {
    }

    final String workspaceId;
    final List<Agent> agents;
    final int channelSize;
    final double seconds;

    private Fleet(String workspaceId, List<Agent> agents, int channelSize, double seconds) {
        this.workspaceId = workspaceId;
        this.agents = agents;
        this.channelSize = channelSize;
        this.seconds = seconds;
    }

    static Fleet create(JsonApi api, String name, int agentCount, int channelSize)
            throws IOException, InterruptedException {
        long start = System.nanoTime();
        Map<String, String> ws = JsonApi.fields(api.call("POST", "/v1/workspaces", null,
                "{\"name\":\"" + name + "\"}", 201));
        String key = ws.get("api_key");
        int channels = (agentCount + channelSize - 1) / channelSize;
        for (int c = 0; c < channels; c++) {
            api.call("POST", "/v1/channels", key, "{\"name\":\"" + channelName(c) + "\",\"topic\":\"bench\"}", 201);
        }
        List<Agent> agents = new ArrayList<>(agentCount);
        for (int a = 0; a < agentCount; a++) {
            String agentName = agentName(a);
            String token = JsonApi.fields(api.call("POST", "/v1/agents", key, "{\"name\":\"" + agentName + "\"}",
                    201)).get("token");
            api.call("POST", "/v1/channels/" + channelName(a / channelSize) + "/join", token, null, 200);
            agents.add(new Agent(agentName, token, null, null, null));
            agents.set(a, withNodeToken(api, agents.get(a)));
        }
        Fleet fleet = new Fleet(ws.get("workspace_id"), agents, channelSize, 0);
        for (int c = 0; c < channels; c++) {
            String members = api.call("GET", "/v1/channels/" + channelName(c) + "/members", key, null, 200);
            long count = Pattern.compile("\"agent_name\"\\s*:\\s*\"bench-\\d+\"").matcher(members).results().count();
            if (count != fleet.members(c)) {
                throw new IOException(channelName(c) + " should have " + fleet.members(c) + " members: " + members);
            }
        }
        return new Fleet(fleet.workspaceId, agents, channelSize, (System.nanoTime() - start) / 1e9);
    }

    /**
     * Agent {@code a} with a fresh direct-node token, as the SDK fetches one before every connect and reconnect (each
     * call rotates the token).
     */
    void refreshNodeToken(JsonApi api, int a) throws IOException, InterruptedException {
        agents.set(a, withNodeToken(api, agents.get(a)));
    }

    private static Agent withNodeToken(JsonApi api, Agent agent) throws IOException, InterruptedException {
        Map<String, String> node = JsonApi.fields(api.call("POST", "/v1/agent/node-token", agent.token(), null, 200));
        if (node.get("token") == null || !node.get("token").startsWith("nt_live_")) {
            throw new IOException("POST /v1/agent/node-token answered without an nt_live_ token: " + node.keySet());
        }
        return new Agent(agent.name(), agent.token(), node.get("node_id"), node.get("node_name"), node.get("token"));
    }

    static String agentName(int a) {
        return String.format(Locale.ROOT, "bench-%03d", a);
    }

    static String channelName(int c) {
        return String.format(Locale.ROOT, "pd-%03d", c);
    }

    int size() {
        return agents.size();
    }

    int channelOf(int agent) {
        return agent / channelSize;
    }

    int members(int channel) {
        return Math.min(agents.size(), (channel + 1) * channelSize) - channel * channelSize;
    }

    /** Who posts message {@code i} of a phase: the agents take turns. */
    int sender(int i) {
        return i % agents.size();
    }

    /** How many deliveries message {@code i} makes: one per other member of its sender's channel. */
    int recipients(int i) {
        return members(channelOf(sender(i))) - 1;
    }

    /**
     * Where agent {@code recipient}'s delivery of message {@code i} counts among the message's recipients (0 to
     * {@link #recipients}-1), or -1 when that agent should not get it (another channel, or the sender itself).
     */
    int recipientSlot(int i, int recipient) {
        int sender = sender(i);
        int base = channelOf(sender) * channelSize;
        int pos = recipient - base;
        if (recipient == sender || pos < 0 || pos >= members(channelOf(sender))) {
            return -1;
        }
        return recipient < sender ? pos : pos - 1;
    }

    /** The agent whose delivery of message {@code i} counts in {@code slot}: the inverse of {@link #recipientSlot}. */
    int recipientOf(int i, int slot) {
        int sender = sender(i);
        int base = channelOf(sender) * channelSize;
        return base + slot < sender ? base + slot : base + slot + 1;
    }

    /** The request target of agent {@code a}'s node socket, with the query parameters the SDK adds. */
    String nodeSocketTarget(int a) {
        return "/v1/node/ws?token=" + URLEncoder.encode(agents.get(a).nodeToken(), StandardCharsets.UTF_8)
                + "&origin_client=%40relaycast%2Fsdk&origin_version=6.0.2";
    }

    /** The SDK's direct-node registration frame ({@code AgentClient}, contract §5.2.1), sent right after open. */
    String registration(int a) {
        Agent agent = agents.get(a);
        return "{\"v\":1,\"id\":\"sdk-direct-" + System.currentTimeMillis() + "\",\"type\":\"node.register\","
                + "\"node_id\":\"" + agent.nodeId() + "\",\"name\":\"" + agent.nodeName() + "\",\"capabilities\":[],"
                + "\"max_agents\":1,\"tags\":[\"implicit\",\"direct\",\"sdk\"],\"version\":\"sdk-typescript/6.0.2\"}";
    }

    /** The SDK's node heartbeat, every 30 s ({@code ws.js} {@code startPing}). */
    String heartbeat(int a) {
        return "{\"v\":1,\"type\":\"node.heartbeat\",\"node_id\":\"" + agents.get(a).nodeId()
                + "\",\"load\":0,\"active_agents\":1,\"handlers_live\":false}";
    }
}
