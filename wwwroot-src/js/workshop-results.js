// Live results of one exercise, shared by the projector screen and the control page.
// Plain bars (no canvas): readable from the back of a room, and testable by text.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
  return node;
}

const fmt = (x, digits = 2) => (x === null || x === undefined ? "—" : Number(x).toFixed(digits));

export function itemLabel(T, exercise, key) {
  if (key === "poll") return exercise?.question || T.types.POLL;
  if (key.startsWith("factor:")) return key;
  const slash = key.indexOf("/");
  if (slash > 0) return `${T.areas[key.slice(0, slash)] ?? key.slice(0, slash)} — ${T.indicators[key.slice(slash + 1)] ?? key.slice(slash + 1)}`;
  return T.areas[key] ?? key;
}

function histogram(T, counts, labels) {
  const max = Math.max(1, ...counts);
  return el("div", { class: "histogram" },
    counts.map((n, i) => el("div", { class: "bar-row" },
      el("span", { class: "bar-label", text: labels ? labels[i] : String(i + 1) }),
      (() => { const bar = el("span", { class: "bar" }); const fill = el("span", { class: "bar-fill" }); fill.style.width = `${(100 * n) / max}%`; bar.append(fill); return bar; })(),
      el("span", { class: "bar-count", text: String(n) }))));
}

/** Renders `results` (ResultsDto) for `exercise` (ExerciseDto) into `target`. */
export function renderResults(target, T, exercise, results) {
  target.replaceChildren();
  if (!exercise) { target.append(el("p", { class: "text-muted", text: T.text.noExercise })); return; }
  if (!results || results.exerciseId !== exercise.id) return;
  if (results.hidden && !results.result) { target.append(el("p", { class: "results-hidden", "data-testid": "results-hidden", text: T.text.hidden })); return; }
  const r = results.result;
  if (!r) return;
  if (exercise.type === "PESTLE") {
    if (r.factors.length === 0) { target.append(el("p", { class: "text-muted", text: T.text.noFactors })); return; }
    const board = el("div", { class: "pestle-board", "data-testid": "pestle-board" });
    for (const [code, name] of Object.entries(T.dimensions)) {
      const factors = r.factors.filter(f => f.dimension === code)
        .sort((a, b) => (a.dimensionRank ?? 1e9) - (b.dimensionRank ?? 1e9) || a.id - b.id);
      if (factors.length === 0) continue;
      board.append(el("section", { class: "pestle-dimension" },
        el("h3", { class: "h6", text: name }),
        el("ol", { class: "list-unstyled mb-0" }, factors.map(f => el("li", { class: "pestle-factor", "data-testid": "pestle-factor" },
          el("span", { class: "factor-text" }, f.rank ? el("span", { class: "factor-rank", text: `#${f.rank} ` }) : null, f.text),
          f.suppressed
            ? el("span", { class: "factor-score small", text: f.n > 0 ? `${T.text.suppressed} (${f.n})` : "" })
            : el("span", { class: "factor-score", title: T.text.score },
                el("strong", { text: fmt(f.score, 1) }), el("small", { class: "d-block", text: T.text.answers.replace("{0}", f.n) })))))));
    }
    target.append(board);
    return;
  }
  if (r.answered === 0) { target.append(el("p", { class: "text-muted", text: T.text.noResults })); }
  const choices = exercise.type === "POLL" && exercise.choices.length > 0 ? exercise.choices : null;
  const list = el("div", { class: "results-items" });
  for (const item of r.items) {
    const card = el("section", { class: "result-item", "data-testid": "result-item", "data-key": item.key },
      el("h3", { class: "h6 mb-1", text: itemLabel(T, exercise, item.key) }));
    if (item.suppressed) {
      card.append(el("p", { class: "small text-muted mb-0", text: `${T.text.suppressed} (${T.text.answers.replace("{0}", item.n)})` }));
    } else {
      card.append(histogram(T, item.histogram, choices));
      if (!choices) card.append(el("p", { class: "small mb-0 result-stats", text: `${T.text.mean} ${fmt(item.weightedMean)} · ${T.text.consensus} ${fmt(item.consensus)} · ${T.text.answers.replace("{0}", item.n)}` }));
      else card.append(el("p", { class: "small mb-0 result-stats", text: T.text.answers.replace("{0}", item.n) }));
    }
    list.append(card);
  }
  target.append(list);
}

/** A hub connection that never gives up: a workshop room outlives a server restart. */
export function connect() {
  return new signalR.HubConnectionBuilder()
    .withUrl("/hubs/workshop")
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: ctx => Math.min(500 + 1000 * ctx.previousRetryCount, 5000) })
    .build();
}

/** Starts `conn`, calls `onUp` after every (re)connect, keeps trying after a full close. */
export function keepConnected(conn, onUp, setStatus) {
  // The resync (onUp) is retried on its own while the connection is up: the server may be briefly busy
  // (database locked) right after a connect, and starting an already started connection would fail for ever.
  const resync = async () => {
    try {
      await onUp();
      setStatus(true);
    } catch (e) {
      setStatus(false);
      // When the connection is down, onreconnected or onclose → start resync again.
      if (conn.state === "Connected") setTimeout(resync, 2000);
    }
  };
  const start = async () => {
    try {
      await conn.start();
    } catch (e) {
      setStatus(false);
      setTimeout(start, 2000);
      return;
    }
    await resync();
  };
  conn.onreconnecting(() => setStatus(false));
  conn.onreconnected(() => resync());
  conn.onclose(() => { setStatus(false); setTimeout(start, 1000); });
  start();
}
