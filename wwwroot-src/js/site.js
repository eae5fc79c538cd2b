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
