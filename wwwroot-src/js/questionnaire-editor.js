// Live preview of the questionnaire being authored: renders the textarea's SurveyJS JSON with survey-core and
// survey-js-ui (globals Survey and SurveyUI, loaded as files before this module — the CSP forbids inline script).
// It shows what saving would store, not the text as typed: the server's sanitizer (the one saving uses) cleans the
// definition's HTML (html questions, …Html texts) first, so no markup an author pastes runs or shows here either.
const source = document.getElementById("schema-json");
const preview = document.getElementById("survey-preview");
const status = document.getElementById("preview-status");
const locale = document.getElementById("preview-locale");

let shown = null; // the sanitized definition on screen, for a change of language
let latest = 0; // the newest text asked about: an older answer arriving late is dropped

function show(json) {
  try {
    const model = new Survey.Model(json);
    model.locale = locale.value;
    // A preview never completes or stores anything.
    model.showCompleteButton = false;
    SurveyUI.unmountComponentAtNode(preview);
    SurveyUI.renderSurvey(model, preview);
    shown = json;
    status.textContent = "";
  } catch (e) {
    status.textContent = `${status.dataset.invalid} ${e.message}`;
  }
}

async function render() {
  const ticket = ++latest;
  const text = source.value;
  try {
    JSON.parse(text);
  } catch (e) {
    status.textContent = `${status.dataset.invalid} ${e.message}`;
    return; // keep the last good preview on screen while the author types
  }
  const max = Number(source.dataset.maxLength);
  if (max && text.length > max) { status.textContent = source.dataset.tooLarge; return; }
  const token = source.form?.querySelector("input[name=__RequestVerificationToken]")?.value ?? "";
  let response;
  try {
    response = await fetch(preview.dataset.previewUrl, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "Accept": "application/json", "RequestVerificationToken": token },
      body: new URLSearchParams({ "Input.SchemaJson": text }),
    });
  } catch {
    if (ticket === latest) status.textContent = status.dataset.unavailable;
    return;
  }
  if (ticket !== latest) return;
  if (!response.ok) {
    // The server cannot read it (a property twice, …) and says why; anything else (signed out, an expired token,
    // offline): say the preview is behind.
    const problem = response.status === 400 ? await response.json().catch(() => null) : null;
    if (ticket !== latest) return;
    status.textContent = problem?.code === "questionnaire.preview_unreadable" && problem.title
      ? `${status.dataset.invalid} ${problem.title}` : status.dataset.unavailable;
    return;
  }
  let sanitized;
  try { sanitized = await response.json(); } catch { sanitized = null; }
  if (ticket !== latest) return;
  if (sanitized === null) { status.textContent = status.dataset.unavailable; return; }
  show(sanitized);
}

const bindingsArea = source?.form?.querySelector("textarea[name='Input.BindingsJson']");
keepUnsavedCopies(source?.form);

// Too large to save: say so here and keep the text, instead of sending a form the server can only refuse. The
// textareas' own maxlength (from the model's limit) would silently cut a pasted definition at the limit instead.
for (const area of [source, bindingsArea]) area?.removeAttribute("maxlength");
source?.form?.addEventListener("submit", e => {
  const max = Number(source.dataset.maxLength);
  if (!max || (source.value.length <= max && (bindingsArea?.value.length ?? 0) <= max)) return;
  e.preventDefault();
  const errors = document.getElementById("schema-errors");
  const item = document.createElement("li");
  item.textContent = source.dataset.tooLarge;
  errors?.replaceChildren(item);
  source.setAttribute("aria-invalid", "true");
  source.focus();
});

if (source && preview && window.Survey && window.SurveyUI) {
  let timer;
  source.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(render, 400);
  });
  locale?.addEventListener("change", () => { if (shown !== null) show(shown); });
  render();
} else if (status) {
  status.textContent = status.dataset.noscript;
}

// A coordinator's session can end while they type (signed out in another tab, the 8-hour limit): "Save" then lands
// on the sign-in page and the post is gone, and after signing in the editor shows the stored version. So while the text
// differs from what the server stored, this browser keeps a copy of it, under the user, the questionnaire and the
// version it was typed to (the form's BaseVersion/BaseSavedAt). A save hands the copy's id to the server, and the page
// after a successful save names it: then it is removed. On load, a copy typed to the version shown goes back into the
// editor; one typed to an earlier version (saved again since, in another tab or by someone else) does not overwrite
// anything: it is shown apart, read-only, to copy from, until the coordinator removes it. Copies survive a sign-out
// (that is when they are needed); site.js removes ones left untouched for long.
function keepUnsavedCopies(form) {
  const prefix = form?.dataset.copyPrefix;
  if (!form || !prefix) return;
  const field = name => form.querySelector(`input[name='${name}']`);
  const baseVersion = field("Input.BaseVersion")?.value ?? "";
  const key = `${prefix}${baseVersion}:${field("Input.BaseSavedAt")?.value ?? ""}`;
  const deviceCopy = field("Input.DeviceCopy");
  const locked = source.readOnly;
  const texts = () => ({ schema: source.value, bindings: bindingsArea?.value ?? "" });
  const same = (a, b) => a.schema === b.schema && a.bindings === b.bindings;
  // What the server stored, when the page shows it (a GET); a refused post shows the author's text, not saved anywhere.
  const stored = form.dataset.showsStored === "true" ? texts() : null;
  const notice = document.getElementById("editor-notice");

  function read(k) {
    try {
      const copy = JSON.parse(localStorage.getItem(k) ?? "null");
      return copy && typeof copy.schema === "string" ? copy : null;
    } catch { return null; }
  }
  function remove(k) { try { localStorage.removeItem(k); } catch { /* storage disabled: nothing was kept */ } }
  function keep() {
    if (locked) return;
    const now = texts();
    if (stored && same(now, stored)) { remove(key); return; }
    const id = read(key)?.id ?? newId();
    try {
      localStorage.setItem(key, JSON.stringify({ id, ...now, version: baseVersion, at: Date.now() }));
    } catch { /* storage full or disabled: the editor still works, without the safety net */ }
  }
  function say(text) { notice.textContent = text; notice.classList.remove("d-none"); }

  let keys = [];
  try { keys = Object.keys(localStorage).filter(k => k.startsWith(prefix)); } catch { /* storage disabled */ }
  const apart = [];
  for (const k of keys) {
    const copy = read(k);
    if (!copy) continue;
    // Stored by the save that led here, or the same as what the server holds: the server has it.
    if ((form.dataset.savedCopy && copy.id?.toLowerCase() === form.dataset.savedCopy.toLowerCase()) || (stored && same(copy, stored))) { remove(k); continue; }
    if (k === key && !locked) {
      if (stored) {
        source.value = copy.schema;
        if (bindingsArea) {
          bindingsArea.value = copy.bindings;
          if (copy.bindings !== stored.bindings) bindingsArea.closest("details")?.setAttribute("open", "");
        }
        say(form.dataset.restored);
      }
      // Otherwise the refused post's text on screen is the newer one: keep() below puts it in this copy's place.
      continue;
    }
    apart.push([k, copy]);
  }
  if (!stored) keep();
  if (apart.length) showApart(apart, stored, form.dataset, () => { for (const [k] of apart) remove(k); say(form.dataset.removed); });

  for (const area of [source, bindingsArea]) area?.addEventListener("input", keep);
  // Also when the too-large check holds the form back: the text is kept either way.
  form.addEventListener("submit", () => {
    keep();
    if (deviceCopy) deviceCopy.value = read(key)?.id ?? "";
  });
}

function showApart(copies, stored, strings, discard) {
  const box = document.getElementById("editor-unsaved");
  const list = document.getElementById("editor-unsaved-copies");
  if (!box || !list) return;
  const items = [];
  copies.forEach(([, copy], i) => {
    const parts = [["schema", copy.schema, strings.schemaLabel]];
    if (copy.bindings && copy.bindings !== stored?.bindings) parts.push(["bindings", copy.bindings, strings.bindingsLabel]);
    for (const [name, value, label] of parts) {
      const id = `editor-unsaved-${i}-${name}`;
      const caption = document.createElement("label");
      caption.htmlFor = id;
      caption.className = "form-label mb-1";
      caption.textContent = label.replace("{0}", copy.version ?? "?");
      const text = document.createElement("textarea");
      text.id = id;
      text.readOnly = true;
      text.spellcheck = false;
      text.className = "form-control font-monospace small mb-2";
      text.rows = Math.min(16, Math.max(3, value.split("\n").length));
      text.value = value;
      items.push(caption, text);
    }
  });
  list.replaceChildren(...items);
  box.classList.remove("d-none");
  document.getElementById("editor-unsaved-discard")?.addEventListener("click", () => {
    discard();
    list.replaceChildren();
    box.classList.add("d-none");
  }, { once: true });
}

// A UUID (the server hands back only that shape); crypto.randomUUID exists only on secure origins.
function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const hex = Array.from(crypto.getRandomValues(new Uint8Array(16)), b => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}
