// Projector view: join code and QR are server-rendered; exercise and live results come from the hub.
import { connect, keepConnected, renderResults } from "./workshop-results.js";

const root = document.getElementById("workshop-screen");
const T = JSON.parse(document.getElementById("workshop-text").textContent);
const workshopId = Number(root.dataset.workshopId);
const live = name => root.querySelector(`[data-live="${name}"]`);
let state = null;
let results = null;

function render() {
  const ex = state?.exercise;
  if (state?.status === "Closed") live("exercise").textContent = T.text.ended;
  else if (!ex) live("exercise").textContent = T.text.waiting;
  else {
    const phase = ex.type === "PESTLE" ? ` · ${ex.phase === "Collect" ? T.text.phaseCollect : T.text.phaseScore}` : "";
    live("exercise").textContent = `${ex.title || T.types[ex.type]}${phase} · ${T.states[ex.state]}`;
  }
  live("question").textContent = ex?.type === "POLL" ? ex.question : "";
  if (results) {
    live("connected").textContent = results.connected;
    live("answered").textContent = results.answered;
  }
  renderResults(live("results"), T, ex, results);
}

const conn = connect();
conn.on("state", s => { state = s; render(); });
conn.on("results", r => { results = r; render(); });
keepConnected(conn, async () => {
  const sync = await conn.invoke("Watch", workshopId, false);
  state = sync.state;
  results = sync.results;
  render();
}, up => { live("status").textContent = up ? T.text.online : T.text.offline; });
