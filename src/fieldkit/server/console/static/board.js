// The dispatch board redraws itself: every 2 s it asks for the change counter and, when it
// moved (or every 30 s, so the countdowns tick), fetches the live part of the board again.
// Nothing is redrawn while the keyboard focus is inside it (it would lose its place).
(function () {
  "use strict";
  var live = document.getElementById("board-live");
  if (!live) { return; }
  var version = live.getAttribute("data-version");
  var drawn = Date.now();
  var busy = false;

  function held() {
    return live.contains(document.activeElement) && document.activeElement !== live;
  }

  function redraw() {
    busy = true;
    fetch(live.getAttribute("data-live") + window.location.search, {
      credentials: "same-origin", headers: { "Accept": "text/html" }
    }).then(function (reply) {
      if (!reply.ok || reply.redirected) { return null; }
      var next = reply.headers.get("X-Board-Version");
      return reply.text().then(function (html) { return [next, html]; });
    }).then(function (got) {
      if (got) {
        live.innerHTML = got[1];
        version = got[0] || version;
        live.setAttribute("data-version", version);
        drawn = Date.now();
      }
    }).catch(function () { /* the center is unreachable: try again at the next tick */ })
      .then(function () { busy = false; });
  }

  function tick() {
    if (busy || document.hidden) { return; }
    fetch("/console/board/version", { credentials: "same-origin" })
      .then(function (reply) { return reply.ok && !reply.redirected ? reply.json() : null; })
      .then(function (body) {
        var moved = body && body.version !== version;
        if ((moved || Date.now() - drawn > 30000) && !held()) { redraw(); }
      })
      .catch(function () {});
  }

  window.setInterval(tick, 2000);
}());
