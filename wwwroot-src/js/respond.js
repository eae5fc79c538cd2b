// The respondent's form: renders the published SurveyJS questionnaire (globals Survey and SurveyUI, loaded as
// files before this module — the CSP forbids inline script) and makes sure nothing typed is lost:
// - every change goes to localStorage at once, and to the server debounced (and on page change);
// - a failed save is retried with backoff ("Not saved — retrying") until it goes through; a 503 (database
//   locked or disk full) says when to try again (Retry-After), and a submission refused that way is sent
//   again with the same idempotency key;
// - a save against a stale revision (another tab or device saved meanwhile) opens a comparison where the
//   respondent keeps theirs, takes the other, or picks per question; the losing copy stays in localStorage
//   until they choose;
// - on load, an unsaved local copy newer than the server's is restored (or compared, if both changed);
// - the device keeps only answers the server has not acknowledged (on a shared computer the next person must not
//   read what is safely on the server; site.js removes older copies marked saved at sign-out). When the form can
//   no longer change (the round closed), such a copy is shown apart for the respondent to copy, until they discard it.
const root = document.getElementById("respond-app");

if (root && window.Survey && window.SurveyUI) start();

function start() {
  const strings = JSON.parse(root.dataset.strings);
  const state = JSON.parse(root.dataset.state);
  const storageKey = root.dataset.storageKey;
  const saveUrl = root.dataset.saveUrl;
  const submitUrl = root.dataset.submitUrl;
  const token = document.querySelector("#antiforgery input[name=__RequestVerificationToken]")?.value ?? "";
  const saveStatus = document.getElementById("save-status");
  const notice = document.getElementById("respond-notice");
  const errorsBox = document.getElementById("respond-errors");
  const conflictBox = document.getElementById("conflict");
  const confirmation = document.getElementById("submitted-confirmation");
  const localeSelect = document.getElementById("survey-locale");
  const unsavedBox = document.getElementById("unsaved-copy");
  // A closed round the respondent never saved anything to shows no form, only a copy this device may hold.
  const formShown = !root.hidden;

  const DEBOUNCE_MS = 1500;
  const MAX_WAIT_MS = 6000;

  let revision = state.revision;
  let readOnly = state.readOnly;
  let saving = false;
  let saveAgain = false;
  let debounceTimer = 0;
  let maxWaitTimer = 0;
  let retryTimer = 0;
  let retryDelay = 0;
  let failing = false; // the last save did not reach the database: keep saying so until one does
  let submitRetryTimer = 0;
  let submitting = false; // a submission carries the answers: no autosave may race it for the revision
  let conflictOpen = false;
  let submitted = false;
  let leaving = false; // signing out: the pending changes were saved first (or could not be)
  // The answers as the server last acknowledged them: what is on this device beyond these is not saved anywhere else.
  let serverData = copyOf(state.data);

  // survey-core ships no Albanian and no Cyrillic Serbian: for the page's own language the server gives the
  // words of SurveyJS's buttons and messages (survey-core's Latin Serbian and Macedonian are used as they are).
  const uiLocale = localeSelect?.value ?? "";
  if (uiLocale && !Survey.surveyLocalization.locales[uiLocale]) {
    Survey.surveyLocalization.setupLocale({
      localeCode: uiLocale,
      strings: {
        pagePrevText: strings.previous, pageNextText: strings.next, completeText: strings.complete,
        requiredError: strings.required, addPanel: strings.addPanel, removePanel: strings.remove,
      },
      nativeName: localeSelect.selectedOptions[0]?.textContent ?? uiLocale,
    });
  }

  const survey = new Survey.Model(JSON.parse(root.dataset.schema));
  survey.locale = localeSelect?.value ?? root.dataset.surveyLocale ?? "";
  // Values reach the model (and the autosave) while typing, not only when a field loses focus.
  survey.textUpdateMode = "onTyping";
  survey.completeText = strings.complete;
  survey.completedHtml = `<p>${escapeHtml(strings.completed)}</p>`;
  survey.data = state.data ?? {};
  if (readOnly) survey.readOnly = true;
  const startPage = Math.min(state.currentPage ?? 0, Math.max(0, survey.visiblePageCount - 1));
  survey.currentPageNo = startPage;

  localeSelect?.addEventListener("change", () => {
    survey.locale = localeSelect.value;
    if (unsavedShown) showUnsaved(...unsavedShown); // its question titles as the form now shows them
  });

  // ---- local copy ----
  // Only changes the server has not acknowledged are kept ("saved": false, the only kind written): once a save is
  // acknowledged the copy goes, so a shared computer keeps nothing the server already holds.
  function readLocal() {
    try { return JSON.parse(localStorage.getItem(storageKey) ?? "null"); } catch { return null; }
  }
  function keepLocal(data = survey.data) {
    try {
      localStorage.setItem(storageKey, JSON.stringify({ data, page: survey.currentPageNo, baseRevision: revision, saved: false, at: Date.now() }));
    } catch { /* storage full or disabled: the server copy still works */ }
  }
  function clearLocal() {
    try { localStorage.removeItem(storageKey); } catch { /* ignore */ }
  }
  // The server now holds `held`: the copy goes, unless it holds something else (typed in another tab meanwhile).
  function forgetLocal(held) {
    const local = readLocal();
    if (local && !local.saved && local.data && !sameJson(local.data, held)) return;
    clearLocal();
  }

  // ---- status line ----
  function setStatus(text, kind) {
    if (!saveStatus) return;
    saveStatus.textContent = text;
    saveStatus.className = "small mb-0" + (kind === "error" ? " text-danger fw-bold" : kind === "ok" ? " text-success" : "");
  }
  function timeNow() {
    const d = new Date();
    return [d.getHours(), d.getMinutes(), d.getSeconds()].map(n => String(n).padStart(2, "0")).join(":");
  }
  function showErrors(title, items) {
    document.getElementById("respond-errors-title").textContent = title;
    const list = document.getElementById("respond-errors-list");
    list.replaceChildren(...items.map(text => { const li = document.createElement("li"); li.textContent = text; return li; }));
    errorsBox.classList.remove("d-none");
  }
  function hideErrors() { errorsBox.classList.add("d-none"); }
  function showNotice(text) { notice.textContent = text; notice.classList.remove("d-none"); }

  // ---- saving ----
  function scheduleSave() {
    if (readOnly || conflictOpen || submitted) return;
    clearTimeout(debounceTimer);
    debounceTimer = setTimeout(save, DEBOUNCE_MS);
    // Someone typing without pause still gets saved every few seconds.
    if (!maxWaitTimer) maxWaitTimer = setTimeout(save, MAX_WAIT_MS);
  }

  function retryLater(response) {
    retryDelay = Math.min(retryDelay ? retryDelay * 2 : 2000, 60000);
    clearTimeout(retryTimer);
    retryTimer = setTimeout(save, retryAfter(response) ?? retryDelay);
  }

  // The server's Retry-After (seconds) on a 503, within reason; null when it gave none.
  function retryAfter(response) {
    const seconds = Number.parseInt(response?.headers?.get("Retry-After") ?? "", 10);
    return Number.isFinite(seconds) && seconds >= 0 ? Math.min(Math.max(seconds, 1), 60) * 1000 : null;
  }

  function notSaved(detail) {
    failing = true;
    setStatus(detail ? `${strings.retrying} · ${detail}` : strings.retrying, "error");
  }

  async function post(url, body) {
    const json = JSON.stringify(body);
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      // keepalive lets a save started as the tab closes finish; browsers allow it for small bodies only.
      keepalive: json.length < 60000,
      headers: { "Content-Type": "application/json", "RequestVerificationToken": token, "Accept": "application/json" },
      body: json,
    });
  }

  async function save() {
    clearTimeout(debounceTimer); clearTimeout(maxWaitTimer); clearTimeout(retryTimer);
    debounceTimer = maxWaitTimer = retryTimer = 0;
    if (readOnly || conflictOpen || submitted || submitting) return;
    if (saving) { saveAgain = true; return; }
    saving = true;
    const data = survey.data;
    const sent = JSON.stringify(data);
    if (!failing) setStatus(strings.saving);
    try {
      const response = await post(saveUrl, { data, currentPage: survey.currentPageNo, revision });
      if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
        setStatus(strings.signedOut, "error");
        retryLater();
        return;
      }
      if (response.ok) {
        const body = await response.json();
        revision = body.revision;
        retryDelay = 0;
        failing = false;
        serverData = JSON.parse(sent);
        // "Saved at" only when what is on screen is what the server has; otherwise the next save is on its way, and
        // until it is acknowledged the device keeps the newer answers.
        if (JSON.stringify(survey.data) === sent) {
          forgetLocal(serverData);
          setStatus(strings.savedAt.replace("{0}", timeNow()), "ok");
        } else {
          keepLocal();
          scheduleSave();
        }
        return;
      }
      if (response.status >= 500) {
        // 503: the database is locked or full for a moment; the answers stay in localStorage meanwhile.
        const problem = response.status === 503 ? await readProblem(response) : null;
        notSaved(problem?.title);
        retryLater(response);
        return;
      }
      const problem = await readProblem(response);
      if (problem.code === "response.revision_conflict") { openConflict(survey.data, problem); return; }
      // 409: the round closed. 404: no longer open to the organisation (a closed round it never saved anything to).
      if (response.status === 409 || response.status === 404) { closeForm(problem.title); return; }
      if (problem.code === "request.antiforgery") { expired(); return; }
      if (response.status === 413) { tooLarge(problem); return; }
      showErrors(problem.title ?? strings.badRequest, []);
      setStatus(strings.badRequest, "error");
    } catch {
      // Offline or the server is unreachable: the local copy holds everything; try again later.
      notSaved();
      retryLater();
    } finally {
      saving = false;
      if (saveAgain) { saveAgain = false; scheduleSave(); }
    }
  }

  // Too large to save: the server knows only the total, the form knows which answer it is. Name the question with
  // the longest answer as the form titles it, and its size. The answers stay in localStorage (keepLocal on every
  // change); the next change saves again.
  function tooLarge(problem) {
    const title = problem.title ?? strings.badRequest;
    const longest = longestAnswer();
    showErrors(title, longest ? [longest] : []);
    setStatus(longest ? `${title} ${longest}` : title, "error");
  }

  function longestAnswer() {
    const encoder = new TextEncoder();
    const questions = survey.getAllQuestions();
    let longest = null;
    let bytes = 0;
    for (const q of questions) {
      if (q.isEmpty()) continue;
      // As sent: the value's JSON in UTF-8 (a Cyrillic letter is two bytes).
      const size = encoder.encode(JSON.stringify(q.value)).length;
      if (size > bytes) { longest = q; bytes = size; }
    }
    if (!longest) return "";
    const title = titleOf(longest);
    const kb = Math.max(1, Math.round(bytes / 1024)).toLocaleString(document.documentElement.lang || undefined);
    // The templates repeat a title on every page ("Comment (optional)"): then the page says which one.
    const page = longest.page?.processedTitle ?? "";
    const repeated = questions.some(q => q !== longest && titleOf(q) === title);
    return repeated && page ? format(strings.longestAnswerOnPage, title, page, kb) : format(strings.longestAnswer, title, kb);
  }

  function titleOf(q) { return q.processedTitle || q.name; }

  function format(text, ...args) { return text.replace(/\{(\d)\}/g, (m, i) => args[i] ?? m); }

  async function readProblem(response) {
    try { return await response.json(); } catch { return { title: strings.badRequest }; }
  }

  // The page's security token no longer matches (signed in again in another tab), or the questionnaire was updated
  // since the page loaded (a draft moves to the new version when the form is opened): the answers are on this device
  // (keepLocal on every change), and a reload restores them and saves them with a fresh token.
  function expired(message = strings.reloadToSave) {
    keepLocal();
    failing = true;
    setStatus(message, "error");
    showErrors(message, []);
    const reload = document.createElement("a");
    reload.href = location.pathname;
    reload.textContent = strings.reloadPage;
    document.getElementById("respond-errors-title").append(" ", reload);
  }

  // The round no longer accepts changes. What was typed after the last acknowledged save reached no one: say so
  // (the server's message speaks of the saved answers), keep it on the device, and show it apart from the form, which
  // shows the saved answers — as it will after a reload.
  let closedMessage = null;
  function closeForm(message) {
    readOnly = true;
    survey.readOnly = true;
    setStatus("");
    const mine = survey.data;
    if (differingNames(mine, serverData).length === 0) { showErrors(message, []); return; }
    closedMessage = message;
    keepLocal(mine);
    survey.data = copyOf(serverData);
    showErrors(strings.closedUnsaved, []);
    showUnsaved(mine, serverData);
    unsavedBox.focus();
  }

  window.addEventListener("online", () => { if (retryTimer) save(); });
  // Leaving the tab (switching apps on a phone, closing it): do not wait for the debounce.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden" && (debounceTimer || maxWaitTimer)) save();
  });

  survey.onValueChanged.add(() => {
    if (readOnly) return;
    // Editing after a submission: a draft again on top of it (saved as usual), until the next submission.
    if (submitted) { submitted = false; confirmation.classList.add("d-none"); }
    hideErrors();
    keepLocal();
    // A change while a submission waits to be retried: the respondent is editing again, so save instead.
    if (submitRetryTimer) { clearTimeout(submitRetryTimer); submitRetryTimer = 0; }
    if (!retryTimer && !conflictOpen && !failing) setStatus(strings.saving);
    scheduleSave();
  });
  survey.onCurrentPageChanged.add(() => {
    if (readOnly) return;
    keepLocal();
    save();
  });

  // Signing out with changes not saved yet (typed a moment ago): save them first, for a few seconds at most, so the
  // device is left holding no copy of them. If they cannot be saved, the copy stays (site.js keeps unsaved copies).
  for (const form of document.querySelectorAll("form[data-sign-out]")) {
    form.addEventListener("submit", event => {
      if (leaving || !(debounceTimer || maxWaitTimer || retryTimer || saving) || readOnly || conflictOpen) return;
      event.preventDefault();
      leaving = true;
      saveBeforeLeaving(Date.now() + 5000).finally(() => form.requestSubmit());
    });
  }

  async function saveBeforeLeaving(deadline) {
    while (Date.now() < deadline && !readOnly && !conflictOpen) {
      if (saving || submitting) { await new Promise(r => setTimeout(r, 50)); continue; }
      if (!(debounceTimer || maxWaitTimer || retryTimer)) return;
      await save();
      if (failing || retryTimer) return; // still not saved: the copy stays on the device
    }
  }

  // ---- conflicts ----
  // JSON with object keys in order: equal answers compare equal whatever order their keys were stored in.
  function canonical(value) {
    if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
    if (value && typeof value === "object") {
      return `{${Object.keys(value).sort().filter(k => value[k] !== undefined).map(k => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
    }
    return JSON.stringify(value) ?? "null";
  }
  function sameJson(a, b) { return canonical(a) === canonical(b); }
  function differingNames(mine, theirs) {
    return [...new Set([...Object.keys(mine ?? {}), ...Object.keys(theirs ?? {})])]
      .filter(name => !sameJson(mine?.[name] ?? null, theirs?.[name] ?? null));
  }

  function display(value) {
    if (value === undefined || value === null || value === "") return strings.noAnswer;
    if (Array.isArray(value)) return value.map(display).join("; ");
    if (typeof value === "object") return Object.entries(value).map(([k, v]) => `${k}: ${display(v)}`).join(", ");
    return String(value);
  }

  function openConflict(mine, problem, message) {
    conflictOpen = true;
    // Until the respondent decides, nothing more can be typed into a copy that is about to be replaced.
    survey.readOnly = true;
    keepLocal(mine); // the losing copy must survive a reload until the respondent decides
    const theirs = problem.serverData ?? {};
    const serverRevision = problem.serverRevision ?? 0;
    serverData = copyOf(theirs);
    const names = [...new Set([...Object.keys(mine), ...Object.keys(theirs)])]
      .filter(name => JSON.stringify(mine[name]) !== JSON.stringify(theirs[name]));
    const rows = document.getElementById("conflict-rows");
    rows.replaceChildren(...names.map((name, i) => {
      const tr = document.createElement("tr");
      const q = survey.getQuestionByName(name);
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = q?.title ?? name;
      tr.append(th);
      for (const [side, value] of [["mine", mine[name]], ["theirs", theirs[name]]]) {
        const td = document.createElement("td");
        const id = `conflict-${i}-${side}`;
        const input = document.createElement("input");
        Object.assign(input, { type: "radio", name: `conflict-${i}`, id, value: side, className: "form-check-input me-1", checked: side === "mine" });
        input.dataset.question = name;
        const label = document.createElement("label");
        label.htmlFor = id;
        label.className = "form-check-label";
        label.textContent = display(q && value !== undefined ? q.getDisplayValue(true, value) : value);
        td.append(input, label);
        tr.append(td);
      }
      return tr;
    }));
    if (message) document.getElementById("conflict-text").textContent = message;
    conflictBox.classList.remove("d-none");
    conflictBox.focus();
    setStatus("");

    const finish = (data, saveIt) => {
      conflictOpen = false;
      survey.readOnly = readOnly;
      conflictBox.classList.add("d-none");
      revision = serverRevision;
      survey.data = data;
      // Taking the saved answers discards this device's: nothing is left that the server does not hold.
      if (saveIt) { keepLocal(); save(); } else { clearLocal(); setStatus(""); }
    };
    document.getElementById("conflict-keep-mine").onclick = () => finish(mine, true);
    document.getElementById("conflict-take-theirs").onclick = () => finish(theirs, false);
    document.getElementById("conflict-merge").onclick = () => {
      const merged = { ...theirs };
      for (const input of rows.querySelectorAll("input[type=radio]:checked")) {
        if (input.value !== "mine") continue;
        const name = input.dataset.question;
        if (name in mine) merged[name] = mine[name]; else delete merged[name];
      }
      finish(merged, true);
    };
  }

  // ---- submitting ----
  // The form never completes (SurveyJS's own "completed" page would hide it): a submission is confirmed above it,
  // and the respondent may go on amending.
  survey.onCompleting.add(async (_, options) => {
    options.allow = false;
    if (conflictOpen) { conflictBox.focus(); return; }
    if (submitted) { confirmation.focus(); return; } // nothing changed since it was submitted
    await submit();
  });

  async function submit() {
    if (submitting) return;
    submitting = true;
    try { await submitOnce(); } finally { submitting = false; }
  }

  async function submitOnce() {
    clearTimeout(submitRetryTimer); submitRetryTimer = 0;
    clearTimeout(debounceTimer); clearTimeout(maxWaitTimer); clearTimeout(retryTimer);
    debounceTimer = maxWaitTimer = retryTimer = 0;
    while (saving) await new Promise(r => setTimeout(r, 100));
    if (submitted) return;
    hideErrors();
    setStatus(strings.submitting);
    const key = submitKey();
    const data = survey.data;
    let response;
    try {
      response = await post(submitUrl, { data, currentPage: survey.currentPageNo, revision, idempotencyKey: key });
    } catch {
      setStatus(strings.submitFailed, "error");
      retryLater(); // the answers keep going to the server as a draft meanwhile
      return;
    }
    if (response.type === "opaqueredirect") { setStatus(strings.signedOut, "error"); return; }
    if (response.ok) {
      const body = await response.json();
      submitted = true;
      revision = body.revision;
      serverData = copyOf(data);
      failing = false;
      clearTimeout(retryTimer); retryTimer = 0;
      clearLocal();
      sessionStorage.removeItem(storageKey + ":submit");
      setStatus("");
      confirmation.textContent = body.message + " ";
      const back = document.createElement("a");
      back.href = location.pathname;
      back.textContent = strings.backToAnswers;
      confirmation.append(back);
      confirmation.classList.remove("d-none");
      survey.completeText = strings.amend;
      const badge = document.getElementById("response-status");
      if (badge) { badge.textContent = body.badge; badge.dataset.progress = body.status; }
      for (const note of document.querySelectorAll("main .alert[role=note]")) note.remove();
      confirmation.focus();
      return;
    }
    const problem = await readProblem(response);
    if (response.status === 422 && Array.isArray(problem.errors)) { showAnswerErrors(problem); setStatus(""); return; }
    if (problem.code === "response.revision_conflict") { openConflict(survey.data, problem); return; }
    if (problem.code === "response.version_changed") { expired(problem.title); return; }
    if (response.status === 409 || response.status === 404) { closeForm(problem.title); return; }
    if (problem.code === "request.antiforgery") { expired(); return; }
    if (response.status === 413) { tooLarge(problem); return; }
    if (response.status === 503) {
      // Nothing was stored; the same content goes again with the same key, so a lost reply cannot count twice.
      setStatus(strings.submitRetrying, "error");
      submitRetryTimer = setTimeout(submit, retryAfter(response) ?? 5000);
      return;
    }
    setStatus(response.status >= 500 ? strings.submitFailed : problem.title ?? strings.badRequest, "error");
  }

  // One key per attempt to submit this content: a retry after a lost reply reuses it, new content gets a new one.
  // The tab's storage keeps a digest of the content, not the answers (it outlives a sign-out in the same tab).
  function submitKey() {
    const content = digest(JSON.stringify(survey.data) + "|" + revision);
    try {
      const saved = JSON.parse(sessionStorage.getItem(storageKey + ":submit") ?? "null");
      if (saved && saved.content === content) return saved.key;
    } catch { /* ignore */ }
    const key = crypto.randomUUID ? crypto.randomUUID() : Array.from(crypto.getRandomValues(new Uint8Array(16)), b => b.toString(16).padStart(2, "0")).join("");
    try { sessionStorage.setItem(storageKey + ":submit", JSON.stringify({ content, key })); } catch { /* ignore */ }
    return key;
  }

  // A 53-bit digest (cyrb53): told apart from another content's by chance once in 2^53, enough to recognise a retry.
  function digest(text) {
    let h1 = 0xdeadbeef, h2 = 0x41c6ce57;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 2654435761);
      h2 = Math.imul(h2 ^ c, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36) + ":" + text.length;
  }

  function showAnswerErrors(problem) {
    // Each error at its question, and all of them in the summary so a screen reader hears them at once.
    const summary = [];
    let first = null;
    for (const error of problem.errors) {
      const q = error.question ? survey.getQuestionByName(error.question) : null;
      if (q) {
        q.addError(error.message);
        first ??= q;
        summary.push(`${q.title}: ${error.message}`);
      } else {
        summary.push(error.path ? `${error.path}: ${error.message}` : error.message);
      }
    }
    showErrors(problem.title, summary);
    if (first) {
      survey.currentPage = first.page;
      // addError is cleared by page navigation; add again once the page shows.
      for (const error of problem.errors) {
        const q = survey.getQuestionByName(error.question ?? "");
        if (q && q.page === first.page && !q.errors.some(e => e.text === error.message)) q.addError(error.message);
      }
      first.focus(true);
    } else {
      errorsBox.focus();
    }
  }

  // ---- answers that can no longer be saved ----
  // The form is read-only (the round closed) and this device holds changes the server never acknowledged: shown as
  // text to select and copy, by page and question as the form titles them, until the respondent discards them.
  let unsavedShown = null;
  function showUnsaved(mine, theirs) {
    unsavedShown = [mine, theirs];
    const names = differingNames(mine, theirs);
    const order = new Map(survey.getAllQuestions().map((q, i) => [q.name, i]));
    names.sort((a, b) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity));
    const list = document.getElementById("unsaved-answers");
    const items = [];
    let lastPage;
    names.forEach((name, i) => {
      const q = survey.getQuestionByName(name);
      const page = q?.page;
      if (page && page !== lastPage && page.processedTitle) {
        const h = document.createElement("h3");
        h.className = "h6 fw-bold mt-3";
        h.textContent = page.processedTitle;
        items.push(h);
      }
      lastPage = page;
      const value = mine[name];
      const id = `unsaved-${i}`;
      const label = document.createElement("label");
      label.htmlFor = id;
      label.className = "form-label mb-1";
      label.textContent = q ? titleOf(q) : name;
      const text = document.createElement("textarea");
      text.id = id;
      text.readOnly = true;
      text.className = "form-control mb-2";
      text.value = display(q && value !== undefined ? q.getDisplayValue(true, value) : value);
      text.rows = Math.min(12, Math.max(2, text.value.split("\n").length + Math.floor(text.value.length / 90)));
      items.push(label, text);
    });
    list.replaceChildren(...items);
    unsavedBox.classList.remove("d-none");
  }
  document.getElementById("unsaved-discard")?.addEventListener("click", () => {
    clearLocal();
    unsavedShown = null;
    unsavedBox.classList.add("d-none");
    document.getElementById("unsaved-answers").replaceChildren();
    if (closedMessage) showErrors(closedMessage, []); else hideErrors();
    showNotice(strings.unsavedDiscarded);
  });

  // ---- a local copy from an earlier visit ----
  const local = readLocal();
  if (local && !local.saved && local.data && !sameJson(local.data, state.data ?? {})) {
    if (readOnly) {
      showUnsaved(local.data, state.data ?? {});
    } else if (local.baseRevision === revision) {
      survey.data = local.data;
      survey.currentPageNo = Math.min(local.page ?? startPage, Math.max(0, survey.visiblePageCount - 1));
      showNotice(strings.restored);
      save();
    } else {
      openConflict(local.data, { serverData: state.data, serverRevision: revision }, strings.conflictLocal);
    }
  } else if (local) {
    // Marked saved (kept by an earlier version of this script), or the same as the server's: the server holds it.
    clearLocal();
  }

  if (formShown) SurveyUI.renderSurvey(survey, root);
}

// A detached copy of answers (SurveyJS may change nested values in place).
function copyOf(data) {
  return JSON.parse(JSON.stringify(data ?? {}));
}

function escapeHtml(text) {
  const div = document.createElement("div");
  div.textContent = text;
  return div.innerHTML;
}
