// Contest pages. On a judge's score sheet each row saves on its own without reloading the page (the plain
// form POST still works without script). The projector view has its own script (projector.js).
(function () {
  "use strict";

  function countScored(section) {
    var counter = section && section.querySelector("[data-scored-count]");
    if (counter) counter.textContent = section.querySelectorAll("[data-row][data-scored]").length;
  }

  function showState(row, text) {
    var note = row.querySelector(".row-message");
    note.className = "row-message field-error";
    note.setAttribute("role", "alert");
    note.textContent = text;
  }

  function bindRow(row) {
    var form = row.querySelector("form.score-form");
    if (!form) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      button.textContent = "保存中…";
      fetch(form.action, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
      }).then(function (response) {
        return response.json().catch(function () {
          // Not the row's JSON: the login has lapsed (redirected to the login page) or the page is stale.
          var message = response.redirected ? "登录已过期，请刷新页面、重新登录后再保存。"
            : "保存失败（" + response.status + "），请刷新页面后重试。";
          return { ok: false, message: message };
        });
      }).then(function (data) {
        if (!data.html) {
          button.disabled = false;
          button.textContent = "保存";
          showState(row, data.message);
          return;
        }
        var holder = document.createElement("div");
        holder.innerHTML = data.html.trim();
        var fresh = holder.firstElementChild;
        var section = row.closest("[data-group]");
        row.replaceWith(fresh);
        bindRow(fresh);
        countScored(section);
      }).catch(function () {
        button.disabled = false;
        button.textContent = "保存";
        showState(row, "网络中断，分数没有保存，请重试。");
      });
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-row]"), bindRow);
})();
