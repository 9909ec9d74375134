// The little JavaScript we write; everything here degrades: forms work without it.
(function () {
  "use strict";

  // Enter in a single-line field of a repeating row never submits the whole page.
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    if (ev.key !== "Enter" || !t || t.tagName !== "INPUT") return;
    if (t.closest("[data-rows]") || t.closest("[data-no-enter-submit]")) {
      ev.preventDefault();
    }
  });

  // One-click 「无」 for a field the notice says may not be left blank.
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest("[data-fill-none]");
    if (!b) return;
    ev.preventDefault();
    var input = document.getElementById(b.getAttribute("data-fill-none"));
    if (input) {
      input.value = "无";
      input.dispatchEvent(new Event("change", { bubbles: true }));
      input.focus();
    }
  });

  // Warn before leaving a form with unsaved changes.
  var dirty = new WeakSet();
  document.addEventListener("input", function (ev) {
    var f = ev.target.form;
    if (f && f.hasAttribute("data-guard")) dirty.add(f);
  });
  document.addEventListener("submit", function (ev) { dirty.delete(ev.target); });
  window.addEventListener("beforeunload", function (ev) {
    var forms = document.querySelectorAll("form[data-guard]");
    for (var i = 0; i < forms.length; i++) {
      if (dirty.has(forms[i])) { ev.preventDefault(); ev.returnValue = ""; return; }
    }
  });
})();
