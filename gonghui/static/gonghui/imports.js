/* Import job page: follow a job's progress while it is checked or written (the text comes
   translated from the server). Without this file the page still works: a refresh link
   shows the current state. */
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box || !window.fetch) return;
  var url = box.getAttribute("data-progress-url");
  var status = box.getAttribute("data-status");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        if (data.status !== status) {
          // Checked, written, failed or cancelled: the page shows the outcome.
          window.location.reload();
          return;
        }
        if (bar) bar.value = data.percent;
        if (text) text.textContent = data.text;
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, 1000);
})();
