// The projector view (大屏): one screen of the standings at a time. It turns to the next screen every data-every
// seconds, or at once with → / space / PageDown (← / PageUp go back), fetching the screen afresh each time so that
// scores published meanwhile show; a round that fits one screen is fetched again every data-refresh seconds.
// Without script the page's <noscript> refresh turns the screens the same way, one page load each.
(function () {
  "use strict";

  var board = document.querySelector("[data-screens]");
  if (!board) return;
  var STEPS = { ArrowRight: 1, " ": 1, PageDown: 1, ArrowLeft: -1, PageUp: -1 };
  var heading = Number(board.dataset.screen);   // the screen asked for last, shown or on its way
  var asked = 0;                                 // how many fetches were started: only the latest one is shown
  var shownAt = Date.now();
  var timer = null;

  function seconds(name) {
    return Number(board.dataset[name]) * 1000;
  }

  function after(step) {
    var count = Number(board.dataset.screens);
    return ((heading - 1 + step) % count + count) % count + 1;
  }

  function show(screen, turning) {
    var ticket = ++asked;
    var url = new URL(window.location.href);
    url.searchParams.set("screen", screen);
    heading = screen;
    clearTimeout(timer);
    fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.text();
    }).then(function (html) {
      if (ticket !== asked) return;
      var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-screens]");
      if (!fresh) throw new Error("no board in the page");
      board.replaceWith(fresh);
      board = fresh;
      heading = Number(board.dataset.screen);
      if (turning) shownAt = Date.now();
      window.history.replaceState(null, "", url);
    }).catch(function () {
      if (ticket === asked) heading = Number(board.dataset.screen);
      var offline = board.querySelector(".board-offline");
      if (offline) offline.hidden = false;
    }).then(function () {
      if (ticket === asked) schedule();
    });
  }

  function schedule() {
    clearTimeout(timer);
    if (Number(board.dataset.screens) < 2) {
      timer = setTimeout(function () { show(heading, false); }, seconds("refresh"));
      return;
    }
    var left = seconds("every") - (Date.now() - shownAt);
    timer = setTimeout(function () {
      if (Date.now() - shownAt >= seconds("every")) show(after(1), true);
      else show(heading, false);
    }, Math.max(0, Math.min(left, seconds("refresh"))));
  }

  document.addEventListener("keydown", function (event) {
    var step = STEPS[event.key];
    if (!step || event.altKey || event.ctrlKey || event.metaKey || Number(board.dataset.screens) < 2) return;
    event.preventDefault();
    show(after(step), true);
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-step]");
    if (!link) return;
    event.preventDefault();
    show(after(Number(link.dataset.step)), true);
  });

  schedule();
})();
