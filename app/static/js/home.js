// The candidate's home reloads itself when the next session opens, so its start button appears unasked.
(function () {
  "use strict";
  var seconds = Number(document.currentScript.dataset.reloadIn);
  // A few seconds' spread keeps a whole hall from reloading in the same instant.
  var spread = 1000 + Math.random() * 3000;
  setTimeout(function () { window.location.reload(); }, seconds * 1000 + spread);
})();
