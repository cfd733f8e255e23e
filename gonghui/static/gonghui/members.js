// Member pages: reveal a protected number in place, and find the union to transfer to.
(function () {
  "use strict";
  function csrf(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  document.querySelectorAll("form.reveal-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var field = form.querySelector("input[name=field]").value;
      fetch(form.action, {
        method: "POST",
        headers: { "Accept": "application/json", "X-CSRFToken": csrf(form) },
        body: new FormData(form),
        credentials: "same-origin",
      })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r); })
        .then(function (data) {
          var target = document.querySelector('[data-pii="' + field + '"]');
          if (target) { target.textContent = data.value; target.classList.add("revealed"); }
          form.remove();
        })
        .catch(function () { form.submit(); });
    });
  });

  var search = document.getElementById("unit-search");
  if (search) {
    var results = document.getElementById("unit-results");
    var chosen = document.getElementById("unit-chosen");
    var hidden = document.querySelector("input[name=to_unit]");
    var timer = null;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = search.value.trim();
        if (q.length < 2) { results.innerHTML = ""; return; }
        fetch(search.dataset.directory + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (data) {
            results.innerHTML = "";
            data.results.forEach(function (unit) {
              var li = document.createElement("li");
              var button = document.createElement("button");
              button.type = "button";
              button.className = "choice";
              button.textContent = unit.name;
              button.dataset.id = unit.id;
              button.addEventListener("click", function () {
                hidden.value = unit.id;
                chosen.textContent = unit.name;
                results.innerHTML = "";
                search.value = unit.name;
              });
              li.appendChild(button);
              results.appendChild(li);
            });
          });
      }, 200);
    });
  }
})();
