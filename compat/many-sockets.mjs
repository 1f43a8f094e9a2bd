// Many agents on one gateway: more connected AgentClients than the gateway's REST pool to delivery-service (64)
// all register their direct nodes, each receives a channel message, and REST calls to delivery-service are still
// answered while every socket is open (each proxied socket holds its own upstream connection).
// Usage: node --experimental-websocket many-sockets.mjs <base url> [agents, default 150]
// Prints "many-sockets: <name> ok" or "many-sockets: <name> FAILED: <reason>", then "N passed, M failed".
import { RelayCast } from '@relaycast/sdk';
import { check, report, until } from './harness.mjs';

const [baseUrl, count = '150'] = process.argv.slice(2);
const agents = Number(count);
const { scenario, finish } = report('many-sockets');
const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

await scenario(`${agents} AgentClients connect through one gateway, each hears a channel message, and REST to ` +
  'delivery-service still answers', async () => {
  const created = await RelayCast.createWorkspace(`many-${run}`, { baseUrl });
  const relay = new RelayCast({ apiKey: created.apiKey, baseUrl });
  const clients = [];
  try {
    for (let i = 0; i < agents; i += 1) {
      const client = relay.as((await relay.agents.register({ name: `agent-${i}` })).token);
      const state = { open: false, heard: new Set() };
      client.connect();
      client.on.connected(() => { state.open = true; });
      client.on.messageCreated((event) => state.heard.add(event.message?.id));
      clients.push({ client, state });
    }
    await until(() => clients.every((c) => c.state.open), `all ${agents} sockets to open ` +
      `(${clients.filter((c) => c.state.open).length} did)`, 30000, 100);
    const started = Date.now();
    const nodes = await fetch(`${baseUrl}/v1/nodes`, { headers: { Authorization: `Bearer ${created.apiKey}` },
      signal: AbortSignal.timeout(5000) });
    check(nodes.status === 200, `GET /v1/nodes answered ${nodes.status}`);
    const live = (await nodes.json()).data.filter((n) => n.status === 'online').length;
    check(Date.now() - started < 2000, `GET /v1/nodes took ${Date.now() - started} ms with every socket open`);
    check(live === agents, `${live} of ${agents} direct nodes are online`);
    const sender = relay.as((await relay.agents.register({ name: 'sender' })).token);
    const sent = await sender.send('#general', 'to everyone');
    await until(() => clients.every((c) => c.state.heard.has(sent.id)), `every agent to hear the message ` +
      `(${clients.filter((c) => c.state.heard.has(sent.id)).length} did)`, 20000, 100);
  } finally {
    await Promise.all(clients.map((c) => c.client.disconnect().catch(() => {})));
  }
});

finish();
