// Viewer links carry their token after '#': it is put into the form here, and taken out of the address bar.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  var field = document.getElementById("view-token");
  var token = decodeURIComponent(window.location.hash.slice(1));
  if (field && token) {
    field.value = token;
    history.replaceState(null, "", window.location.pathname);
  }
});
