// Live events: the newest rows, then each new one as it arrives (server-sent events, resumed with Last-Event-ID).
"use strict";

(function () {
  var MAX_ROWS = 300;
  var list, status, empty, shown = {};

  function filterQuery() {
    var params = new URLSearchParams();
    ["source", "name", "user"].forEach(function (key) {
      var value = document.getElementById("filter-" + key).value.trim();
      if (value) { params.set(key, value); }
    });
    return params;
  }

  function setStatus(state, text) {
    status.setAttribute("data-state", state);
    status.textContent = text;
  }

  function part(tag, className, text) {
    var element = document.createElement(tag);
    element.className = className;
    element.textContent = text;  // never innerHTML: every value here came from outside
    return element;
  }

  function render(row, fresh) {
    var link = document.createElement("a");
    link.href = row.href;
    link.className = "row row-" + row.kind + (fresh ? " row-new" : "");
    var meta = part("span", "row-meta", "");
    var time = document.createElement("time");
    time.setAttribute("datetime", row.time);
    time.textContent = window.tagway.formatTime(row.time);
    meta.appendChild(time);
    meta.appendChild(document.createTextNode(" · " + (row.source || "no source")));
    var title = part("span", "row-title", "");
    title.appendChild(part("span", "row-kind", row.kind === "event" ? "Event" : "Rejected"));
    title.appendChild(document.createTextNode(row.kind === "event" ? row.name
      : (row.name ? row.name + ": " : "") + row.reasonText));
    link.appendChild(meta);
    link.appendChild(title);
    var details = [row.user, row.summary].filter(Boolean).join(" · ");
    if (details) { link.appendChild(part("span", "row-summary", details)); }
    var item = document.createElement("li");
    item.id = "row-" + row.key;
    item.appendChild(link);
    return item;
  }

  function add(row, fresh) {
    if (shown[row.key]) { return; }  // the first rows and the stream may overlap by a row
    shown[row.key] = true;
    list.insertBefore(render(row, fresh), list.firstChild);
    while (list.children.length > MAX_ROWS) {
      delete shown[list.lastChild.id.slice(4)];
      list.removeChild(list.lastChild);
    }
    empty.hidden = list.children.length > 0;
  }

  function connect(cursor) {
    var params = filterQuery();
    params.set("after", cursor);
    var source = new EventSource("/console/api/live/stream?" + params.toString());
    var planned = false;  // the gateway ends each stream after a while; the browser then reconnects by itself
    source.onopen = function () {
      planned = false;
      setStatus("live", "Live: new events appear at the top as they arrive.");
    };
    source.onmessage = function (message) { add(JSON.parse(message.data), true); };
    source.addEventListener("reconnect", function () { planned = true; });
    source.onerror = function () {
      if (planned && source.readyState === EventSource.CONNECTING) { return; }
      if (source.readyState === EventSource.CLOSED) {
        setStatus("lost", "Disconnected. Reload the page to try again (you may need to sign in again).");
      } else {
        setStatus("connecting", "Reconnecting…");
      }
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    list = document.getElementById("live-rows");
    status = document.getElementById("live-status");
    empty = document.getElementById("live-empty");
    fetch("/console/api/live/recent?" + filterQuery().toString(), {credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) { throw new Error("The gateway answered " + response.status); }
        return response.json();
      })
      .then(function (body) {
        body.rows.slice().reverse().forEach(function (row) { add(row, false); });
        empty.hidden = list.children.length > 0;
        connect(body.cursor);
      })
      .catch(function (error) {
        setStatus("lost", "Could not load the events: " + error.message + ". Reload the page (you may need to sign in again).");
      });
  });
})();
