// A participant's phone: only the current exercise, answers saved one by one (the server acknowledges each
// after writing it), identity in an HttpOnly cookie the hub reads, full resync after every reconnect.
import { connect, el, itemLabel, keepConnected } from "./workshop-results.js";

const root = document.getElementById("workshop-join");
const T = JSON.parse(document.getElementById("workshop-text").textContent);
const workshopId = Number(root.dataset.workshopId);
const view = root.querySelector('[data-live="exercise"]');
const statusLine = root.querySelector('[data-live="status"]');
const conn = connect();

let state = null;
let answers = {};
/** The server's own answers as of the last resync: what a refused change falls back to. */
let stored = {};
let renderedKey = null;
let syncedExercise = null;
/**
 * What lives outside the DOM, so a redraw (a reconnect's resync rebuilds the view) loses none of it: the factor being
 * typed and its dimension, a factor waiting to be sent, and the last message of each item and of the factor form.
 */
const draft = { exerciseId: null, dimension: null, text: "" };
let pendingFactor = null;
let sendingFactor = false;
const notes = {};
const FACTOR_NOTE = "#factor";
/**
 * Factors that never reached the server because the exercise moved on first (sent while offline, refused as too late,
 * or typed and not yet added when the facilitator went on): shown apart from the exercise, to read out to the
 * facilitator or copy, until the participant dismisses them. Nothing typed disappears without a word.
 */
const unsent = [];
const unsentBox = el("section", { class: "alert alert-warning d-none", "aria-labelledby": "unsent-heading", tabindex: "-1", "data-testid": "unsent-factors" });
view.before(unsentBox);

const open = () => state?.exercise?.state === "Open";
const refusal = code => T.refusals[code] ?? T.refusals.error;

function key(s) {
  const ex = s?.exercise;
  if (!ex || s.status === "Closed") return `none|${s?.status}`;
  const factors = ex.type === "PESTLE" && ex.phase === "Score" ? ex.factors.map(f => f.id).join(",") : "";
  return `${ex.id}|${ex.state}|${ex.phase}|${factors}`;
}

function feedback(target, ok, text) {
  target.textContent = text;
  target.className = `answer-status small ${ok ? "text-success" : "text-danger"}`;
}

/** The status line of an item (or of the factor form) as drawn now: a resync may have replaced the one there was. */
function statusOf(itemKey) {
  for (const s of view.querySelectorAll("[data-note]")) if (s.dataset.note === itemKey) return s;
  return null;
}

/** Shows a message for an item and keeps it for the item's next redraw in the same exercise. */
function note(itemKey, exerciseId, ok, text) {
  notes[itemKey] = { exerciseId, ok, text };
  const target = statusOf(itemKey);
  if (target) feedback(target, ok, text);
}

function itemStatus(itemKey, exerciseId) {
  const p = el("p", { class: "answer-status small", role: "status", "data-note": itemKey });
  const n = notes[itemKey];
  if (n && n.exerciseId === exerciseId) feedback(p, n.ok, n.text);
  return p;
}

const BUSY = "database.unavailable";
const wait = ms => new Promise(resolve => setTimeout(resolve, ms));
/** The latest pick per item: a retry stops as soon as the participant picks something newer for the same item. */
const latest = {};

/**
 * Sends one score and keeps sending it until the server has written it or refused it for good: a busy database
 * (the hub answers code database.unavailable with retryAfterSeconds) or a lost connection only delays it. The
 * pick stays on screen meanwhile, marked "not saved yet".
 */
async function send(itemKey, value, value2) {
  const exerciseId = state.exercise.id;
  const mine = { exerciseId, picked: value2 ? [value, value2] : [value] };
  latest[itemKey] = mine;
  note(itemKey, exerciseId, true, T.text.saving);
  for (;;) {
    let delay;
    try {
      const ack = await conn.invoke("Score", exerciseId, itemKey, value, value2 ?? null);
      if (latest[itemKey] !== mine) return;
      if (ack.ok) {
        answers[itemKey] = stored[itemKey] = mine.picked;
        delete latest[itemKey];
        note(itemKey, exerciseId, true, `✓ ${T.text.saved}`);
        return;
      }
      if (ack.code !== BUSY) {
        // Refused for good (e.g. locked meanwhile): the server keeps its value, so the page shows it again and says why.
        delete latest[itemKey];
        note(itemKey, exerciseId, false, T.text.notAccepted.replace("{0}", refusal(ack.code)));
        if (state?.exercise?.id === exerciseId) {
          if (stored[itemKey]) answers[itemKey] = stored[itemKey]; else delete answers[itemKey];
          renderedKey = null;
          render();
        }
        return;
      }
      note(itemKey, exerciseId, false, refusal(ack.code));
      delay = (ack.retryAfterSeconds ?? 2) * 1000;
    } catch {
      if (latest[itemKey] !== mine) return;
      note(itemKey, exerciseId, false, T.text.offline);
      delay = 2000;
    }
    await wait(delay);
    if (latest[itemKey] !== mine) return;
  }
}

let uid = 0;
/** A 1..n choice as large toggle buttons (radio inputs with labels), keyboard-accessible. */
function scale(legend, name, count, selected, onPick, labels) {
  const fieldset = el("fieldset", { class: "scale mb-2" }, el("legend", { class: "fs-6 mb-1", text: legend }));
  const group = el("div", { class: labels ? "d-grid gap-1" : "btn-group w-100", role: labels ? null : "group" });
  for (let v = 1; v <= count; v++) {
    const id = `s${++uid}`;
    const input = el("input", { type: "radio", class: "btn-check", name, id, value: String(v), disabled: !open(), checked: selected === v });
    input.addEventListener("change", () => onPick(v));
    group.append(input, el("label", { class: "btn btn-outline-primary", for: id, text: labels ? labels[v - 1] : String(v) }));
  }
  fieldset.append(group);
  return fieldset;
}

function header(ex) {
  const parts = [el("h1", { class: "h4 mb-1", text: ex.title || T.types[ex.type] })];
  if (ex.type === "PESTLE") parts.push(el("p", { class: "mb-1 text-muted", text: ex.phase === "Collect" ? T.text.phaseCollect : T.text.phaseScore }));
  if (ex.state === "Locked") parts.push(el("p", { class: "alert alert-warning py-2", role: "status", text: T.text.lockedNote }));
  else if (ex.state !== "Open") parts.push(el("p", { class: "alert alert-secondary py-2", role: "status", text: refusal(ex.state === "Pending" ? "exercise.not_open" : "exercise.closed") }));
  return parts;
}

function factorList(ex) {
  const list = el("div", { "data-live": "factors" });
  if (ex.factors.length === 0) list.append(el("p", { class: "text-muted", text: T.text.noFactors }));
  for (const [code, name] of Object.entries(T.dimensions)) {
    const fs = ex.factors.filter(f => f.dimension === code);
    if (fs.length === 0) continue;
    list.append(el("h3", { class: "h6 mt-2 mb-1", text: name }), el("ul", { class: "mb-1" }, fs.map(f => el("li", { text: f.text }))));
  }
  return list;
}

/** Whether the factor form of this exercise is the one on screen: the exercise is current and collecting. */
const collecting = exerciseId => state?.status !== "Closed" && state?.exercise?.id === exerciseId && state.exercise.phase === "Collect";

function keepUnsent(p) {
  if (!p.text.trim() || unsent.some(u => u.exerciseId === p.exerciseId && sameFactor(u, p))) return;
  unsent.push({ exerciseId: p.exerciseId, dimension: p.dimension, text: p.text });
  showUnsent();
}

function showUnsent() {
  unsentBox.classList.toggle("d-none", unsent.length === 0);
  if (unsent.length === 0) { unsentBox.replaceChildren(); return; }
  const dismiss = el("button", { type: "button", class: "btn btn-sm btn-outline-secondary", text: T.text.unsentDismiss });
  dismiss.addEventListener("click", () => {
    unsent.length = 0;
    showUnsent();
    // The button is gone: the keyboard goes on from the exercise's heading, not from the top of the page.
    const heading = view.querySelector("h1") ?? view.querySelector("p");
    if (heading) { heading.tabIndex = -1; heading.focus(); }
  });
  unsentBox.replaceChildren(
    el("h2", { class: "h6", id: "unsent-heading", text: T.text.unsentTitle }),
    el("p", { class: "small mb-1", text: T.text.unsentHelp }),
    el("ul", { class: "mb-2" }, unsent.map(u => el("li", { text: `${T.dimensions[u.dimension] ?? u.dimension}: ${u.text.trim()}` }))),
    dismiss);
}

const factorInput = () => view.querySelector('input[name="text"]');
const factorButton = () => view.querySelector('form button[type="submit"]');
const sameFactor = (f, p) => f.dimension === p.dimension && f.text.trim() === p.text.trim();

/**
 * Sends the factor waiting in `pendingFactor` until the server has stored or refused it. A lost connection keeps it
 * waiting (and in the field) and the resync after the reconnect sends it again; that resync first looks whether the
 * server already has it (the connection may have dropped after the write, before the acknowledgement), so it is stored once.
 */
async function sendFactor() {
  if (sendingFactor || !pendingFactor) return;
  const p = pendingFactor;
  sendingFactor = true;
  note(FACTOR_NOTE, p.exerciseId, true, T.text.saving);
  try {
    for (;;) {
      try {
        const ack = await conn.invoke("AddFactor", p.exerciseId, p.dimension, p.text);
        if (ack.ok) factorStored(p);
        else if (ack.code === BUSY) { note(FACTOR_NOTE, p.exerciseId, false, refusal(ack.code)); await wait((ack.retryAfterSeconds ?? 2) * 1000); continue; }
        else refused(p, ack.code);
      } catch {
        // Still connected: the hub itself failed, so saying so beats waiting for a reconnect that will not come.
        if (conn.state === "Connected") refused(p, "error");
        else note(FACTOR_NOTE, p.exerciseId, false, T.text.factorWaiting);
      }
      break;
    }
  } finally {
    sendingFactor = false;
    const button = factorButton();
    if (button) button.disabled = !open() || pendingFactor !== null;
  }
}

/** Refused for good: said under the form while it is on screen (the text stays in the field), else kept apart. */
function refused(p, code) {
  pendingFactor = null;
  if (collecting(p.exerciseId)) note(FACTOR_NOTE, p.exerciseId, false, refusal(code));
  else keepUnsent(p);
}

function factorStored(p) {
  pendingFactor = null;
  // Stored after all (the answer came after the exercise moved on): not "not sent".
  const i = unsent.findIndex(u => u.exerciseId === p.exerciseId && sameFactor(u, p));
  if (i >= 0) { unsent.splice(i, 1); showUnsent(); }
  // Only what was sent is cleared: anything typed since stays.
  if (draft.exerciseId === p.exerciseId && draft.text === p.text) draft.text = "";
  const input = factorInput();
  if (input && input.value === p.text) { input.value = ""; input.focus(); }
  note(FACTOR_NOTE, p.exerciseId, true, `✓ ${T.text.saved}`);
}

function collectForm(ex) {
  const form = el("form", { class: "mb-3", novalidate: true });
  const dimId = `dim${++uid}`, textId = `txt${++uid}`;
  const select = el("select", { class: "form-select", id: dimId, name: "dimension" },
    Object.entries(T.dimensions).map(([code, name]) => el("option", { value: code, text: name })));
  const input = el("input", { class: "form-control", id: textId, name: "text", maxlength: "200", autocomplete: "off", required: true });
  if (draft.exerciseId !== ex.id) Object.assign(draft, { exerciseId: ex.id, dimension: select.value, text: "" });
  select.value = draft.dimension ?? select.value;
  input.value = draft.text;
  select.addEventListener("change", () => { draft.dimension = select.value; });
  input.addEventListener("input", () => { draft.text = input.value; });
  const status = itemStatus(FACTOR_NOTE, ex.id);
  const button = el("button", { type: "submit", class: "btn btn-primary w-100", disabled: !open() || pendingFactor !== null, text: T.text.addFactor });
  form.append(
    el("div", { class: "mb-2" }, el("label", { class: "form-label", for: dimId, text: T.text.dimension }), select),
    el("div", { class: "mb-2" }, el("label", { class: "form-label", for: textId, text: T.text.factor }), input),
    button, status);
  form.addEventListener("submit", e => {
    e.preventDefault();
    if (pendingFactor) return;
    // An empty factor is refused here with the server's own words (the previous "saved" must not stay).
    if (!input.value.trim()) { note(FACTOR_NOTE, ex.id, false, refusal("factor.text")); input.focus(); return; }
    button.disabled = true;
    // The typed factor stays in the field until the server has stored it; a busy database or a lost connection only delays it.
    pendingFactor = { exerciseId: ex.id, dimension: select.value, text: input.value };
    sendFactor();
  });
  return form;
}

function render() {
  // A redraw must not take the keyboard away from someone typing a factor.
  const typing = document.activeElement?.name === "text" && view.contains(document.activeElement);
  draw();
  if (typing && !view.contains(document.activeElement)) factorInput()?.focus();
}

function draw() {
  const ex = state?.exercise;
  const k = key(state);
  if (k === renderedKey) {
    // Same exercise and phase: only the list of collected factors may have changed; keep what is being typed.
    const list = view.querySelector('[data-live="factors"]');
    if (list && ex) list.replaceWith(factorList(ex));
    return;
  }
  renderedKey = k;
  // A factor typed but not added when the facilitator moved on: kept apart (one being sent waits for its answer).
  if (draft.text.trim() && !collecting(draft.exerciseId) && !(pendingFactor && pendingFactor.exerciseId === draft.exerciseId && pendingFactor.text === draft.text)) {
    keepUnsent({ exerciseId: draft.exerciseId, dimension: draft.dimension, text: draft.text });
    draft.text = "";
  }
  view.replaceChildren();
  if (!state || state.status === "Closed") { view.append(el("p", { class: "lead", text: T.text.ended })); return; }
  if (!ex) { view.append(el("p", { class: "lead", text: T.text.waiting })); return; }
  view.append(...header(ex));

  if (ex.type === "PESTLE" && ex.phase === "Collect") {
    view.append(collectForm(ex), el("h2", { class: "h5", text: T.text.factorsSoFar }), factorList(ex));
    return;
  }
  if (ex.type === "PESTLE") {
    for (const f of ex.factors) {
      const itemKey = `factor:${f.id}`;
      const [impact, likelihood] = answers[itemKey] ?? [];
      const pick = { impact, likelihood };
      const status = itemStatus(itemKey, ex.id);
      const maybeSend = () => { if (pick.impact && pick.likelihood) send(itemKey, pick.impact, pick.likelihood); };
      view.append(el("section", { class: "card card-body mb-3 p-2", "data-testid": "score-item", "data-key": itemKey },
        el("h2", { class: "h6", text: `${f.text} (${T.dimensions[f.dimension]})` }),
        scale(T.text.impact, `${itemKey}-i`, 5, impact, v => { pick.impact = v; maybeSend(); }),
        scale(T.text.likelihood, `${itemKey}-l`, 5, likelihood, v => { pick.likelihood = v; maybeSend(); }),
        status));
    }
    if (ex.factors.length === 0) view.append(el("p", { text: T.text.noFactors }));
    return;
  }
  if (ex.type === "POLL") view.append(el("p", { class: "lead", text: ex.question }));
  else view.append(el("p", { class: "small text-muted", text: T.text.scale }));
  for (const itemKey of ex.items) {
    const status = itemStatus(itemKey, ex.id);
    const choices = ex.type === "POLL" && ex.choices.length > 0 ? ex.choices : null;
    view.append(el("section", { class: "card card-body mb-3 p-2", "data-testid": "score-item", "data-key": itemKey },
      scale(ex.type === "POLL" ? T.types.POLL : itemLabel(T, ex, itemKey), itemKey, choices ? choices.length : 5, answers[itemKey]?.[0],
        v => send(itemKey, v, null), choices),
      status));
  }
}

async function sync() {
  const r = await conn.invoke("Join", workshopId);
  state = r.state;
  stored = { ...(r.answers ?? {}) };
  answers = r.answers ?? {};
  // Picks still being sent stay on screen as picked, not as the server's older answer.
  for (const [k, pending] of Object.entries(latest)) if (pending.exerciseId === state.exercise?.id) answers[k] = pending.picked;
  syncedExercise = key(state);
  renderedKey = null;
  const p = pendingFactor;
  const ex = state.exercise;
  if (p && ex?.id === p.exerciseId && ex.factors?.some(f => sameFactor(f, p))) factorStored(p);
  else if (p && !collecting(p.exerciseId)) { pendingFactor = null; keepUnsent(p); }
  render();
  // A factor that waited for the connection goes now (once: the check above found it missing on the server).
  if (pendingFactor && !sendingFactor) sendFactor();
}

conn.on("state", async s => {
  const changed = key(s) !== key(state);
  state = s;
  // A new exercise or phase: fetch this participant's answers to it (after a reconnect they may exist).
  if (changed && key(s) !== syncedExercise) { try { await sync(); return; } catch { /* render what we have */ } }
  render();
});
keepConnected(conn, sync, up => {
  statusLine.textContent = up ? T.text.online : T.text.offline;
  statusLine.className = `small mb-2 ${up ? "text-success" : "text-danger"}`;
});
