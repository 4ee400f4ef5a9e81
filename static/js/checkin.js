// Check-in without page reloads: each tap posts its own form and updates only its own row,
// so several staff can work the same list at once. Without JavaScript the forms post normally.
(function () {
  "use strict";
  var root = document.querySelector("[data-check-in]");
  if (!root) { return; }
  var labels = root.querySelector("[data-labels]").dataset;
  var counter = root.querySelector("[data-attended]");

  function render(form, attended) {
    var button = form.querySelector("button");
    var hiddenName = button.querySelector(".visually-hidden");
    var undo = form.querySelector("input[name=undo]");
    button.textContent = attended ? "✓ " + labels.checkedInLabel : labels.checkInLabel;
    if (hiddenName) { button.appendChild(hiddenName); }
    button.classList.toggle("btn-success", attended);
    button.classList.toggle("btn-outline-primary", !attended);
    button.setAttribute("aria-pressed", attended ? "true" : "false");
    if (attended && !undo) {
      undo = document.createElement("input");
      undo.type = "hidden"; undo.name = "undo"; undo.value = "1";
      form.appendChild(undo);
    } else if (!attended && undo) {
      undo.remove();
    }
  }

  root.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-toggle]");
    if (!form) { return; }
    event.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (!result.ok) { throw new Error(result.data.error || labels.errorLabel); }
      render(form, result.data.status === "attended");
      counter.textContent = result.data.attended;
    }).catch(function (error) {
      window.alert(error.message || labels.errorLabel);
    }).finally(function () {
      button.disabled = false;
    });
  });
}());
