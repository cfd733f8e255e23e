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
