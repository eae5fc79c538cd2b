// Small progressive enhancements for every page (loaded as a module file: the CSP forbids inline script).
for (const form of document.querySelectorAll("form[data-autosubmit]")) {
  for (const el of form.querySelectorAll(".js-hide")) el.hidden = true;
  form.querySelector("select")?.addEventListener("change", () => form.requestSubmit());
}
