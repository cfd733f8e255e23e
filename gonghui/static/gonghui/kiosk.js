// 枫桥智能舱: the on-screen pads and the idle reset. A kiosk has no keyboard: the digit
// keypad and the surname pad type into the field the worker last touched. After
// data-idle-seconds without a touch, every field and shown result is cleared and the
// screen returns to the start page (which the server renders fresh; nothing is kept).
(function () {
  "use strict";

  function start() {
    var screen = document.getElementById("kiosk");
    if (!screen) return;
    var home = screen.getAttribute("data-home-url");
    var idleSeconds = parseInt(screen.getAttribute("data-idle-seconds"), 10) || 60;
    var fields = Array.prototype.slice.call(document.querySelectorAll("input[data-pad]"));
    var pads = document.querySelector(".kpads");
    var active = null;

    function padFor(field) {
      var kind = field.getAttribute("data-pad");
      return kind === "name" ? "name" : "digits";
    }

    function activate(field) {
      if (!field) return;
      fields.forEach(function (f) { f.classList.toggle("is-active", f === field); });
      active = field;
      if (!pads) return;
      var kind = padFor(field);
      pads.querySelectorAll("[data-pad-kind]").forEach(function (pad) {
        pad.hidden = pad.getAttribute("data-pad-kind") !== kind;
      });
      var point = pads.querySelector('[data-key="."]');
      if (point) point.disabled = field.getAttribute("data-pad") !== "decimal";
      var label = document.querySelector('label[for="' + field.id + '"]');
      var target = pads.querySelector("[data-pad-target]");
      if (target && label) target.textContent = label.firstChild.textContent.trim();
    }

    function type(key, isSuffix) {
      if (!active) return;
      var value = active.value;
      var max = parseInt(active.getAttribute("maxlength"), 10) || 40;
      if (key === "back") value = value.slice(0, -1);
      else if (key === "clear") value = "";
      else if (key === ".") { if (value.indexOf(".") < 0) value = (value || "0") + "."; }
      else if (isSuffix) value = value.replace(/(先生|女士)$/, "") + key;
      else value = value + key;
      active.value = value.slice(0, max);
      active.dispatchEvent(new Event("input", { bubbles: true }));
    }

    fields.forEach(function (f) {
      f.addEventListener("focus", function () { activate(f); });
      f.addEventListener("pointerdown", function () { activate(f); });
    });
    if (pads) {
      // Keep the field's focus (and the caret) while a key is pressed.
      pads.addEventListener("mousedown", function (e) { if (e.target.closest(".key")) e.preventDefault(); });
      pads.addEventListener("click", function (e) {
        var key = e.target.closest(".key");
        if (!key || key.disabled) return;
        type(key.getAttribute("data-key"), key.hasAttribute("data-suffix"));
      });
    }
    var firstEmpty = fields.filter(function (f) { return !f.value; })[0];
    var invalid = document.querySelector(".kfield--invalid input[data-pad]");
    activate(invalid || firstEmpty || fields[0]);

    // Idle reset.
    var timer = null;
    function reset() {
      document.querySelectorAll("form").forEach(function (form) { form.reset(); });
      fields.forEach(function (f) { f.value = ""; });
      document.querySelectorAll("[data-kiosk-result], .alert, .field-error").forEach(function (el) { el.remove(); });
      var atHome = window.location.pathname === home && !window.location.search;
      if (!atHome) window.location.replace(home);
    }
    function touched() {
      window.clearTimeout(timer);
      timer = window.setTimeout(reset, idleSeconds * 1000);
    }
    ["pointerdown", "touchstart", "keydown", "input", "scroll"].forEach(function (name) {
      document.addEventListener(name, touched, { passive: true, capture: true });
    });
    touched();
    // Never show a page restored from the back/forward cache with someone's entries.
    window.addEventListener("pageshow", function (e) { if (e.persisted) window.location.replace(home); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
