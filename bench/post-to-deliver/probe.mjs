// A small latency probe (not the issue-6 load benchmark): one SDK agent posts N messages one at a time to #general,
// another receives them live over its direct node; prints post-to-deliver latency percentiles.
// Usage: node --experimental-websocket bench/post-to-deliver/probe.mjs [baseUrl] [count]
// Resolves @relaycast/sdk from compat/node_modules.
import { createRequire } from 'node:module';
const require = createRequire(new URL('../../compat/package.json', import.meta.url));
const { RelayCast } = await import(require.resolve('@relaycast/sdk'));

const baseUrl = process.argv[2] ?? 'http://127.0.0.1:8787';
const count = Number(process.argv[3] ?? 50);
const ws = await RelayCast.createWorkspace(`probe-${Date.now().toString(36)}`, { baseUrl });
const relay = new RelayCast({ apiKey: ws.apiKey, baseUrl });
const sender = relay.as((await relay.agents.register({ name: 'sender' })).token);
const receiver = relay.as((await relay.agents.register({ name: 'receiver' })).token);
const arrived = new Map();
receiver.connect();
let open = false;
receiver.on.connected(() => { open = true; });
receiver.on.messageCreated((e) => arrived.set(e.message.text, performance.now()));
while (!open) await new Promise((r) => setTimeout(r, 20));
await new Promise((r) => setTimeout(r, 500));
const latencies = [];
for (let i = 0; i < count; i++) {
  const text = `probe-${i}`;
  const sent = performance.now();
  await sender.send('#general', text);
  while (!arrived.has(text)) {
    if (performance.now() - sent > 10000) throw new Error(`${text} never arrived`);
    await new Promise((r) => setTimeout(r, 1));
  }
  latencies.push(arrived.get(text) - sent);
  await new Promise((r) => setTimeout(r, 37)); // do not align with any poll interval
}
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)].toFixed(1);
console.log(`post-to-deliver over ${count} sequential messages (ms, from send() to the receiver's event): ` +
  `p50 ${pct(50)} p90 ${pct(90)} p99 ${pct(99)} max ${latencies.at(-1).toFixed(1)}`);
await receiver.disconnect();
process.exit(0);
