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

  // Ask before a consequential button or form (data-confirm holds the question).
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest("button[data-confirm], input[type=submit][data-confirm]");
    if (b && !window.confirm(b.getAttribute("data-confirm"))) ev.preventDefault();
  });
  document.addEventListener("submit", function (ev) {
    var f = ev.target;
    if (f.hasAttribute("data-confirm") && !window.confirm(f.getAttribute("data-confirm"))) {
      ev.preventDefault();
      ev.stopImmediatePropagation();
    }
  }, true);

  // A 全选 box ticks or clears every checkbox of its name.
  document.addEventListener("change", function (ev) {
    var box = ev.target.closest("input[data-select-all]");
    if (!box) return;
    var name = box.getAttribute("data-select-all");
    document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (c) {
      c.checked = box.checked;
    });
  });

  // 打印 on a document preview.
  document.addEventListener("click", function (ev) {
    if (ev.target.closest("[data-print]")) window.print();
  });

  // Unit template editor: a placeholder button inserts itself at the cursor of the text,
  // then the preview refreshes.
  document.addEventListener("click", function (ev) {
    var button = ev.target.closest("[data-insert]");
    var text = document.getElementById("text");
    if (!button || !text || text.readOnly || text.closest("fieldset[disabled]")) return;
    text.setRangeText(button.getAttribute("data-insert"), text.selectionStart, text.selectionEnd, "end");
    text.focus();
    text.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
  });

  // 性别 and 出生日期 follow the ID number as it is typed (GB 11643: digits 7-14 are the
  // birth date, the 17th is odd for men). The server fills them the same way when left blank.
  document.addEventListener("input", function (ev) {
    var input = ev.target;
    if (!input || !input.id || !input.form) return;
    var birth = input.form.querySelector('[data-id-birth="' + input.id + '"]');
    var gender = input.form.querySelector('[data-id-gender="' + input.id + '"]');
    if (!birth && !gender) return;
    var number = input.value.replace(/[\uFF10-\uFF19]/g, function (d) {
      return String.fromCharCode(d.charCodeAt(0) - 0xFEE0);
    }).replace(/\s+/g, "").toUpperCase();
    if (!/^\d{17}[\dX]$/.test(number)) return;
    var y = +number.slice(6, 10), m = +number.slice(10, 12), d = +number.slice(12, 14);
    var day = new Date(Date.UTC(y, m - 1, d));
    var real = day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
    if (birth && real && y >= 1900) {
      birth.value = number.slice(6, 10) + "-" + number.slice(10, 12) + "-" + number.slice(12, 14);
      birth.dispatchEvent(new Event("change", { bubbles: true }));
    }
    if (gender) {
      gender.value = +number.charAt(16) % 2 ? "男" : "女";
      gender.dispatchEvent(new Event("change", { bubbles: true }));
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
