// Sources: a secret is fetched only when its Reveal button is pressed (POST with the CSRF token), and hidden again.
"use strict";

document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-reveal]");
  if (!button) { return; }
  var target = document.getElementById(button.getAttribute("data-target"));
  var copy = button.parentElement.querySelector("button[data-copy]");
  if (button.getAttribute("aria-expanded") === "true") {
    target.textContent = target.getAttribute("data-masked");
    button.setAttribute("aria-expanded", "false");
    button.textContent = "Reveal";
    if (copy) { copy.hidden = true; }
    return;
  }
  button.disabled = true;
  window.tagway.post(button.getAttribute("data-reveal")).then(function (body) {
    target.textContent = body.value;
    button.setAttribute("aria-expanded", "true");
    button.textContent = "Hide";
    if (copy) { copy.hidden = false; }
  }).catch(function (error) {
    target.textContent = target.getAttribute("data-masked") + " (" + error.message + ")";
  }).then(function () { button.disabled = false; });
});
