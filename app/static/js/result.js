// A result page shown while the paper is still being marked (a moment after 交卷) reloads itself until the score
// is there; the page says so without script too.
(function () {
  "use strict";
  // A few seconds' spread keeps a hall that submitted at the deadline from reloading in step.
  setTimeout(function () { window.location.reload(); }, 2000 + Math.random() * 2000);
})();
