import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
const nc = await connect({ servers: process.argv[2] });
const jsm = await jetstreamManager(nc); const js = jetstream(nc);
const scheme = process.argv[3];
let fails = 0;
for (let round = 0; round < 200; round++) {
  const name = 'Q' + Math.random().toString(36).slice(2,8);
  await jsm.streams.add({ name, subjects: [`${name}.>`] });
  const mods = round%2 ? ['hook'] : ['a','hook'];
  const live = new Map();
  let n = 0;
  for (let i = 0; i < 6; i++) {
    const m = mods[Math.floor(Math.random()*mods.length)];
    const subj = scheme === 'per' ? `${name}.ca.${m}.e${n++}` : `${name}.ca.${m}`;
    const seq = (await js.publish(subj, 'x')).seq; live.set(seq, m);
    }
  for (let j=0;j<4;j++) { if (live.size) { const ks=[...live.keys()].sort((a,b)=>a-b); const k = Math.random()<0.7 ? (j%2==0 ? ks[ks.length-1] : ks[0]) : ks[Math.floor(Math.random()*ks.length)]; await jsm.streams.deleteMessage(name, k, false); live.delete(k); }
  }
  for (const m of mods) {
    const filt = scheme === 'per' ? `${name}.ca.${m}.*` : `${name}.ca.${m}`;
    const got = []; let seq = 1;
    for (;;) { const r = await jsm.streams.getMessage(name, { seq, next_by_subj: filt }); if (!r) break; got.push(r.seq); seq = r.seq + 1; }
    const want = [...live.entries()].filter(([,v]) => v===m).map(([k])=>k).sort((a,b)=>a-b);
    if (JSON.stringify(got)!==JSON.stringify(want)) { fails++; console.log('MISMATCH', scheme, m, got, want); }
  }
  { const got = []; let seq = 1;
    for (;;) { const r = await jsm.streams.getMessage(name, { seq, next_by_subj: `${name}.ca.>` }); if (!r) break; got.push(r.seq); seq = r.seq + 1; }
    const want = [...live.keys()].sort((a,b)=>a-b);
    if (JSON.stringify(got)!==JSON.stringify(want)) { fails++; console.log('MISMATCH all', scheme, got, want); } }
  await jsm.streams.delete(name);
}
console.log(scheme, 'fails', fails);
await nc.close();
