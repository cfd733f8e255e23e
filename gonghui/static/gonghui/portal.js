// The member's card QR code: a token signed for a minute, so the page fetches a fresh one
// every 30 seconds, and at once when the phone wakes the page up again.
(function () {
  "use strict";
  function start() {
    var box = document.querySelector("[data-qr-url]");
    if (!box) return;
    var img = box.querySelector("img");
    function refresh() {
      fetch(box.getAttribute("data-qr-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) {
          if (!r.ok || r.redirected) { window.location.reload(); return null; }
          return r.json();
        })
        .then(function (data) { if (data && data.svg) img.src = data.svg; })
        .catch(function () { /* offline: keep the last code; the next tick tries again */ });
    }
    window.setInterval(refresh, 30000);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") refresh();
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

// The employer field of the application forms: names matching what was typed so far,
// offered in the field's own list (a <datalist>), fetched from the portal itself.
(function () {
  "use strict";
  function start() {
    var input = document.querySelector("input[data-suggest-url]");
    if (!input) return;
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null, last = "";
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var q = input.value.trim();
        if (q.length < 2 || q === last) return;
        last = q;
        fetch(input.getAttribute("data-suggest-url") + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) {
            list.textContent = "";
            data.results.forEach(function (e) {
              var option = document.createElement("option");
              option.value = e.name;
              list.appendChild(option);
            });
          })
          .catch(function () {});
      }, 250);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
