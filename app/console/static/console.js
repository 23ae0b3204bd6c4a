// tagway console: shared helpers (times in the reader's time zone, copy buttons, CSRF-protected POSTs).
"use strict";

window.tagway = (function () {
  function csrfHeaders() {
    var name = document.querySelector('meta[name="csrf-header"]').content;
    var headers = {};
    headers[name] = document.querySelector('meta[name="csrf-token"]').content;
    return headers;
  }

  // POST to the console with the session's CSRF token; resolves to the JSON answer, rejects with a message.
  function post(url) {
    return fetch(url, {method: "POST", headers: csrfHeaders(), credentials: "same-origin"}).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) {
          throw new Error(body.detail || body.title || ("The gateway answered " + response.status));
        }
        return body;
      });
    });
  }

  function formatTime(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) { return iso; }
    // The reader's own time zone, named (CET, GMT+9), so that nobody takes it for the shop's or UTC.
    return date.toLocaleString(undefined, {year: "numeric", month: "short", day: "numeric",
                                           hour: "2-digit", minute: "2-digit", second: "2-digit",
                                           timeZoneName: "short"});
  }

  function relative(iso) {
    var seconds = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
    if (isNaN(seconds)) { return ""; }
    if (seconds < 60) { return "just now"; }
    if (seconds < 3600) { return Math.round(seconds / 60) + " min ago"; }
    if (seconds < 86400) { return Math.round(seconds / 3600) + " h ago"; }
    return Math.round(seconds / 86400) + " days ago";
  }

  function localizeTimes(root) {
    root.querySelectorAll("time[datetime]").forEach(function (element) {
      var iso = element.getAttribute("datetime");
      element.title = iso + " (UTC)";
      element.textContent = formatTime(iso) + (element.hasAttribute("data-relative") ? " (" + relative(iso) + ")" : "");
    });
  }

  function copyText(text, button) {
    var done = function () {
      var label = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = label; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () {});
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) { return; }
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target) { return; }
    if (target.select) { target.select(); }  // selected, so that Ctrl+C works where the clipboard API does not
    copyText(target.value !== undefined ? target.value : target.textContent, button);
  });

  document.addEventListener("DOMContentLoaded", function () {
    localizeTimes(document);
    // On a phone the page links scroll sideways in one row: bring the current page's link into view.
    var current = document.querySelector('.nav [aria-current="page"]');
    if (current && current.parentElement.parentElement.scrollWidth > current.parentElement.parentElement.clientWidth) {
      current.scrollIntoView({block: "nearest", inline: "nearest"});
    }
  });

  return {post: post, formatTime: formatTime, localizeTimes: localizeTimes};
})();
