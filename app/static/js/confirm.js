// A confirmation dialog the server rendered open: made modal, so focus stays in it and Esc cancels.
(function () {
  "use strict";
  var dialog = document.querySelector("dialog[data-confirm][open]");
  if (!dialog || typeof dialog.showModal !== "function") return;
  var cancel = dialog.querySelector("[data-cancel]");
  dialog.close();
  dialog.showModal();
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    window.location.assign(cancel.href);
  });
})();
