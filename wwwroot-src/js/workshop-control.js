// Control page: the actions are plain forms; this adds live counts and results, and refreshes the page
// when the exercise or its factors change (unless the facilitator is typing in a form).
import { connect, keepConnected, renderResults } from "./workshop-results.js";

const root = document.getElementById("workshop-control");
const T = JSON.parse(document.getElementById("workshop-text").textContent);
const workshopId = Number(root.dataset.workshopId);
const live = name => root.querySelector(`[data-live="${name}"]`);
let state = null;
let results = null;
let pendingReload = false;

function pageIsStale(s) {
  const ex = s.exercise;
  return String(ex?.id ?? "") !== (root.dataset.exerciseId ?? "")
    || (ex?.state ?? "") !== (root.dataset.state ?? "")
    || (ex?.phase ?? "") !== (root.dataset.phase ?? "")
    || (ex && ex.type === "PESTLE" && String(ex.factors.length) !== root.dataset.factors);
}

function editing() {
  const a = document.activeElement;
  return a && a.closest("form") && (a.tagName === "INPUT" || a.tagName === "SELECT" || a.tagName === "TEXTAREA");
}

let reloadTimer = null;
function maybeReload() {
  if (!pendingReload || reloadTimer) return;
  if (editing()) { const note = live("factors-note"); if (note) note.hidden = false; return; }
  // A room adding factors in a burst: one reload for the burst, not one per broadcast.
  reloadTimer = setTimeout(() => { reloadTimer = null; if (editing()) maybeReload(); else location.reload(); }, 800);
}
document.addEventListener("focusout", () => setTimeout(maybeReload, 300));

function render() {
  if (results) {
    live("connected").textContent = results.connected;
    // Everyone connected has joined: the total counted when the page loaded grows with late joiners.
    const joined = live("joined");
    if (joined) joined.textContent = Math.max(Number(joined.textContent) || 0, results.connected);
    live("answered").textContent = results.answered;
  }
  renderResults(live("results"), T, state?.exercise, results);
}

const conn = connect();
conn.on("state", s => {
  state = s;
  if (pageIsStale(s)) { pendingReload = true; maybeReload(); }
  render();
});
conn.on("results", r => { results = r; render(); });
keepConnected(conn, async () => {
  const sync = await conn.invoke("Watch", workshopId, true);
  state = sync.state;
  results = sync.results;
  // Changes made while this page was loading arrive only in the sync: compare it too.
  if (pageIsStale(state)) { pendingReload = true; maybeReload(); }
  render();
}, up => { live("status").textContent = up ? T.text.online : T.text.offline; });
