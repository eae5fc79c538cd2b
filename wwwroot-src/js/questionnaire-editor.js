// Live preview of the questionnaire being authored: renders the textarea's SurveyJS JSON with survey-core and
// survey-js-ui (globals Survey and SurveyUI, loaded as files before this module — the CSP forbids inline script).
// It shows what saving would store, not the text as typed: the server's sanitizer (the one saving uses) cleans the
// definition's HTML (html questions, …Html texts) first, so no markup an author pastes runs or shows here either.
import { copyKeys, newCopyId, readCopy, readOnlyText, removeCopy, showApartPanel } from "./device-copies.js";

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
  } catch {
    // SurveyJS could not build the form from a definition the server read: say so in the page's language.
    status.textContent = status.dataset.unavailable;
  }
}

// Where text that JSON.parse refuses goes wrong: the offset of the first character that breaks the JSON grammar
// (the text's length when it ends too early). Only called on refused text, so it need not build anything.
function jsonErrorOffset(text) {
  let i = 0;
  const fail = () => { throw i; };
  const space = () => { while (i < text.length && " \t\n\r".includes(text[i])) i++; };
  const word = w => { if (text.startsWith(w, i)) i += w.length; else fail(); };
  const numberPattern = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
  const number = () => {
    numberPattern.lastIndex = i;
    const m = numberPattern.exec(text);
    if (!m) fail();
    i += m[0].length;
  };
  const string = () => {
    i++;
    while (i < text.length) {
      const c = text[i];
      if (c === '"') { i++; return; }
      if (c < " ") fail();
      if (c === "\\") {
        const next = text[i + 1];
        if (next === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else if (next !== undefined && next !== "u" && "\"\\/bfnrt".includes(next)) i += 2;
        else { i++; fail(); }
        continue;
      }
      i++;
    }
    fail();
  };
  const value = () => {
    space();
    const c = text[i];
    if (c === "{") {
      i++; space();
      if (text[i] === "}") { i++; return; }
      for (;;) {
        space();
        if (text[i] !== '"') fail();
        string(); space();
        if (text[i] !== ":") fail();
        i++; value(); space();
        if (text[i] === ",") { i++; continue; }
        if (text[i] === "}") { i++; return; }
        fail();
      }
    }
    if (c === "[") {
      i++; space();
      if (text[i] === "]") { i++; return; }
      for (;;) {
        value(); space();
        if (text[i] === ",") { i++; continue; }
        if (text[i] === "]") { i++; return; }
        fail();
      }
    }
    if (c === '"') return string();
    if (c === "t") return word("true");
    if (c === "f") return word("false");
    if (c === "n") return word("null");
    if (c === "-" || (c >= "0" && c <= "9")) return number();
    fail();
  };
  try {
    value(); space();
    return i < text.length ? i : text.length;
  } catch (at) {
    return typeof at === "number" ? at : 0; // nested past the stack: say the start
  }
}

async function render() {
  const ticket = ++latest;
  const text = source.value;
  try {
    JSON.parse(text);
  } catch {
    // JSON.parse's message is the browser's, in English: name the line and position in the page's language, as
    // the server's validator does.
    const at = jsonErrorOffset(text);
    const line = text.slice(0, at).split("\n").length;
    const position = at - text.lastIndexOf("\n", at - 1);
    status.textContent = `${status.dataset.invalid} ${status.dataset.notJson.replace("{0}", line).replace("{1}", position)}`;
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

  const read = k => readCopy(k, copy => typeof copy.schema === "string");
  const remove = removeCopy;
  function keep() {
    if (locked) return;
    const now = texts();
    if (stored && same(now, stored)) { remove(key); return; }
    const id = read(key)?.id ?? newCopyId();
    try {
      localStorage.setItem(key, JSON.stringify({ id, ...now, version: baseVersion, at: Date.now() }));
    } catch { /* storage full or disabled: the editor still works, without the safety net */ }
  }
  function say(text) { notice.textContent = text; notice.classList.remove("d-none"); }

  const apart = [];
  for (const k of copyKeys(prefix)) {
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
  const items = [];
  copies.forEach(([, copy], i) => {
    const parts = [["schema", copy.schema, strings.schemaLabel]];
    if (copy.bindings && copy.bindings !== stored?.bindings) parts.push(["bindings", copy.bindings, strings.bindingsLabel]);
    for (const [name, value, label] of parts) {
      const [caption, text] = readOnlyText(`editor-unsaved-${i}-${name}`, label.replace("{0}", copy.version ?? "?"), value,
        "form-control font-monospace small mb-2", 3, 16);
      text.spellcheck = false;
      items.push(caption, text);
    }
  });
  showApartPanel("editor-unsaved", "editor-unsaved-copies", "editor-unsaved-discard", items, discard);
}
