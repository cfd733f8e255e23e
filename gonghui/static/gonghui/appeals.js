// The hotline operator's intake form: who is calling (as the number is typed), the
// classifier's category suggestion (as the description is typed), employer names to pick.
// Everything is fetched from the platform itself; the form works without it.
(function () {
  "use strict";
  function debounce(fn, ms) {
    var t = null;
    return function () { var args = arguments; window.clearTimeout(t); t = window.setTimeout(function () { fn.apply(null, args); }, ms); };
  }
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; });
  }
  function text(el, value) { if (el) el.textContent = value == null ? "" : String(value); }

  function start() {
    var form = document.getElementById("intake-form");
    if (!form) return;
    var phone = form.querySelector("[name=phone]");
    var name = form.querySelector("[name=worker_name]");
    var description = form.querySelector("[name=description]");
    var category = form.querySelector("[name=category]");
    var employer = form.querySelector("[name=employer_name]");
    var list = document.getElementById("employer-options");
    var callerPanel = document.getElementById("caller-panel");
    var suggestPanel = document.getElementById("suggest-panel");
    var suggested = null;

    phone.addEventListener("input", debounce(function () {
      var digits = phone.value.replace(/\D/g, "");
      if (digits.length !== 11) { callerPanel.hidden = true; return; }
      getJSON(form.dataset.callerUrl + "?phone=" + digits).then(function (data) {
        if (!data) return;
        callerPanel.hidden = false;
        text(document.getElementById("caller-member"), data.member ? data.member.name + " · " + data.member.unit : form.dataset.notMember || "—");
        if (data.member && !name.value) name.value = data.member.name;
        var ul = document.getElementById("caller-appeals");
        ul.textContent = "";
        data.appeals.forEach(function (a) {
          var li = document.createElement("li");
          var link = document.createElement("a");
          link.href = "../" + a.id + "/";
          link.textContent = a.ticket;
          li.appendChild(link);
          li.appendChild(document.createTextNode(" " + a.received + " " + a.category + " · " + a.status));
          ul.appendChild(li);
        });
      });
    }, 300));

    description.addEventListener("input", debounce(function () {
      if (description.value.trim().length < 5) return;
      getJSON(form.dataset.suggestUrl + "?text=" + encodeURIComponent(description.value.slice(0, 2000))).then(function (data) {
        if (!data || !data.category) return;
        suggested = data.category;
        suggestPanel.hidden = false;
        text(document.getElementById("suggest-category"), data.label);
        text(document.getElementById("suggest-confidence"), Math.round(data.confidence * 100) + "%");
        text(document.getElementById("suggest-keywords"), (data.keywords || []).join(" · "));
        text(document.getElementById("suggest-place"), [data.district, data.station].filter(Boolean).join(" · ") || "—");
      });
    }, 500));
    document.getElementById("suggest-apply").addEventListener("click", function () {
      if (suggested) category.value = suggested;
    });

    employer.addEventListener("input", debounce(function () {
      var q = employer.value.trim();
      if (q.length < 2) return;
      getJSON(form.dataset.employersUrl + "?q=" + encodeURIComponent(q)).then(function (data) {
        if (!data) return;
        list.textContent = "";
        data.results.forEach(function (e) { var o = document.createElement("option"); o.value = e.name; list.appendChild(o); });
      });
    }, 250));
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
