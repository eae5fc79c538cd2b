// Small progressive enhancements for every page (loaded as a module file: the CSP forbids inline script).
// A select in a form[data-autosubmit] sends its form when picked with the mouse or a finger. From the keyboard the
// arrows only move the choice (a menu that reloads the page at the first arrow cannot be browsed): Enter sends it,
// and the form's own button comes back meanwhile.
for (const form of document.querySelectorAll("form[data-autosubmit]")) {
  const select = form.querySelector("select");
  const buttons = [...form.querySelectorAll(".js-hide")];
  for (const el of buttons) el.hidden = true;
  if (!select) continue;
  let byPointer = false;
  select.addEventListener("pointerdown", () => { byPointer = true; });
  select.addEventListener("keydown", e => {
    byPointer = false;
    if (e.key === "Enter") { e.preventDefault(); form.requestSubmit(); }
  });
  select.addEventListener("change", () => {
    if (byPointer) form.requestSubmit();
    else for (const el of buttons) el.hidden = false;
  });
}

// Shared computers: a respondent's form keeps in this browser only answers the server has not acknowledged
// (respond.js). Copies marked saved, which an earlier version of that script left, are removed when someone signs
// out here and whenever a page is shown signed out; unsaved ones stay, being the only place those answers exist,
// until they are saved or discarded on the form.
const RESPONSE_COPY = "consultation:response:";
// The questionnaire editor's and the round form's copies (questionnaire-editor.js, form-copy.js) hold only text not saved anywhere else and must outlive a
// sign-out (an ended session is when they are needed); but not for ever on a computer others use: one left untouched
// for 30 days goes at the next sign-out or page shown signed out.
const EDITOR_COPIES = ["consultation:questionnaire:", "consultation:form:"];
const EDITOR_COPY_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

function forgetSavedAnswers() {
  try {
    for (let i = localStorage.length - 1; i >= 0; i--) {
      const key = localStorage.key(i);
      const editor = EDITOR_COPIES.some(prefix => key?.startsWith(prefix));
      if (!editor && !key?.startsWith(RESPONSE_COPY)) continue;
      let copy = null;
      try { copy = JSON.parse(localStorage.getItem(key) ?? "null"); } catch { /* not ours to judge: kept */ }
      if (editor ? typeof copy?.at === "number" && Date.now() - copy.at > EDITOR_COPY_MAX_AGE_MS : copy?.saved === true) localStorage.removeItem(key);
    }
  } catch { /* storage disabled: nothing is kept either */ }
}

// On the document, so a form's own handler runs first: the respondent's form may hold the sign-out back to save.
document.addEventListener("submit", event => {
  if (!event.defaultPrevented && event.target instanceof HTMLFormElement && event.target.matches("form[data-sign-out]")) forgetSavedAnswers();
});
if (document.body.dataset.signedOut !== undefined) forgetSavedAnswers();

// A form's copy of unsaved values (form-copy.js) that the save which led to this page stored: the server has it now.
const FORM_COPY = "consultation:form:";
const savedCopy = document.body.dataset.savedCopy?.toLowerCase();
if (savedCopy) {
  try {
    for (let i = localStorage.length - 1; i >= 0; i--) {
      const key = localStorage.key(i);
      if (!key?.startsWith(FORM_COPY)) continue;
      let copy = null;
      try { copy = JSON.parse(localStorage.getItem(key) ?? "null"); } catch { /* not ours to judge: kept */ }
      if (typeof copy?.id === "string" && copy.id.toLowerCase() === savedCopy) localStorage.removeItem(key);
    }
  } catch { /* storage disabled: nothing was kept */ }
}

// A form that creates something carries a one-time key (input[data-form-key]) so that posting it again finds what the
// first post created. Pages with forms are not cached (antiforgery), so Back fetches the page anew with a new key, and
// the browser restores what was typed but not a hidden field the server wrote. The key is kept with the history entry
// instead: the page shown again by Back (or a reload) posts the key it was first rendered with; a new visit has none.
const formKeys = { ...(history.state?.formKeys ?? {}) };
for (const input of document.querySelectorAll("input[type=hidden][data-form-key]")) {
  if (formKeys[input.name]) input.value = formKeys[input.name];
  else formKeys[input.name] = input.value;
}
if (Object.keys(formKeys).length > 0) history.replaceState({ ...(history.state ?? {}), formKeys }, "");
