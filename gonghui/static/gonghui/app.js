/* Gonghui workspace: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  // Toggles: a button with data-toggle="<id>" shows/hides that element (account menu on phones).
  document.querySelectorAll("[data-toggle]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-toggle"));
    if (!target) return;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      target.classList.toggle("is-open", open);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        button.setAttribute("aria-expanded", "false");
        target.classList.remove("is-open");
        button.focus();
      }
    });
  });

  // Confirmation for destructive actions: data-confirm on a submit button, a form or a link.
  document.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-confirm]");
    if (link && !window.confirm(link.getAttribute("data-confirm"))) event.preventDefault();
  });

  // Dismissible alerts.
  document.addEventListener("click", function (event) {
    var close = event.target.closest && event.target.closest(".alert-close");
    if (!close) return;
    var alert = close.closest(".alert");
    if (alert) alert.remove();
  });

  // On phones the navigation is a horizontal strip: bring the current item into view.
  var current = document.querySelector(".sidenav [aria-current='page']");
  var strip = document.querySelector(".sidenav ul");
  if (current && strip && strip.scrollWidth > strip.clientWidth) {
    strip.scrollLeft = current.offsetLeft - (strip.clientWidth - current.offsetWidth) / 2;
  }
})();
