// The drill page: sends an answer to the JSON API and shows right or wrong, the key and the explanation in
// place. Without this script the same form posts to the server, which answers with the verdict page.
(function () {
  "use strict";

  var root = document.getElementById("drill");
  var form = document.getElementById("answer-form");
  if (!root || !form || !document.getElementById("submit")) return;

  var TOKEN = document.querySelector('meta[name="csrf-token"]').content;
  var question = document.getElementById("question");
  var INPUT = question.dataset.input;   // the response's shape, as the question type names it
  var submit = document.getElementById("submit");
  var problem = document.getElementById("problem");
  var verdict = document.getElementById("verdict");
  var next = document.getElementById("next");
  var busy = false;

  function inputs(box, name) {
    return Array.prototype.slice.call(box.querySelectorAll('input[name="' + name + '"]'));
  }

  function selects(box, name) {
    return Array.prototype.slice.call(box.querySelectorAll('select[name="' + name + '"]'));
  }

  // One widget's response in the API's shape (DESIGN §3.4), or null when nothing is chosen or filled in: the inputs
  // named `name` inside `box`, asked as `input` (a question's, or one part's of a material).
  function read(box, input, name) {
    if (input === "order") {   // one select per place, each a letter shown
      var placed = selects(box, name).map(function (select) { return select.value; });
      return placed.some(function (letter) { return letter; }) ? placed : null;
    }
    if (input === "pairs") {   // one select per left item: its letter, or null while unpaired
      var letters = selects(box, name).map(function (select) { return select.value || null; });
      return letters.some(function (letter) { return letter; }) ? letters : null;
    }
    if (input === "blanks" || input === "numbers") {   // one text box per blank or step
      var texts = inputs(box, name).map(function (field) { return field.value; });
      return texts.some(function (text) { return text.trim(); }) ? texts : null;
    }
    var chosen = inputs(box, name).filter(function (field) { return field.checked; })
      .map(function (field) { return field.value; });
    if (!chosen.length) return null;
    if (input === "letters") return chosen.sort();
    if (input === "truth") return chosen[0] === "true";
    return chosen[0];
  }

  function parts() { return Array.prototype.slice.call(form.querySelectorAll(".part")); }

  // Matching: a letter taken by one left item is released from the item's other selects, as on the exam page.
  form.addEventListener("change", function (event) {
    var row = event.target.closest(".pair-row");
    if (!row) return;
    var box = event.target.closest(".part") || form;
    selects(box, event.target.name).forEach(function (s) {
      if (s !== event.target && s.value === event.target.value) s.value = "";
    });
  });

  // A material's response is one entry per part (null for a part not answered), and null when none is.
  function response() {
    if (INPUT !== "parts") return read(form, INPUT, "response");
    var given = parts().map(function (part) { return read(part, part.dataset.input, part.dataset.name); });
    return given.some(function (value) { return value !== null; }) ? given : null;
  }

  function say(message) {
    problem.textContent = message;
    problem.hidden = !message;
  }

  function entry(list, term, text, html) {
    var dt = document.createElement("dt");
    var dd = document.createElement("dd");
    dt.textContent = term;
    if (html === undefined) dd.textContent = text; else dd.innerHTML = html;   // sanitised by the server
    list.appendChild(dt);
    list.appendChild(dd);
  }

  function markChoices(box, input, name, key) {
    if (input === "pairs") selects(box, name).forEach(function (select, n) {
      var row = select.closest(".pair-row");
      row.classList.toggle("correct", select.value === key[n]);
      row.classList.toggle("wrong", select.value !== key[n]);
    });
    if (input === "order" || input === "pairs") return;
    inputs(box, name).forEach(function (field) {
      if (input === "blanks" || input === "numbers") return;
      var value = input === "truth" ? field.value === "true" : field.value;
      var inKey = input === "letters" ? key.indexOf(value) >= 0 : value === key;
      var label = field.closest(".choice");
      label.classList.toggle("correct", inKey);
      label.classList.toggle("wrong", field.checked && !inKey);
    });
  }

  function markAll(key) {
    if (INPUT !== "parts") return markChoices(form, INPUT, "response", key);
    parts().forEach(function (part, n) { markChoices(part, part.dataset.input, part.dataset.name, key[n]); });
  }

  function show(data) {
    markAll(data.answer);
    form.querySelector("fieldset").disabled = true;
    submit.hidden = true;
    say("");
    verdict.className = "verdict " + (data.correct ? "ok" : "bad");
    verdict.textContent = "";
    var head = document.createElement("p");
    head.className = "head";
    head.textContent = data.correct ? "✓ 回答正确" : "✗ 回答错误";
    var list = document.createElement("dl");
    list.className = "meta";
    entry(list, "您的答案", data.response_text);
    entry(list, "正确答案", data.answer_text);
    if (data.explanation_html) entry(list, "解析", null, data.explanation_html);
    if (data.source) entry(list, "出处", data.source);
    verdict.appendChild(head);
    verdict.appendChild(list);
    verdict.hidden = false;
    next.textContent = data.finished ? "查看本次结果" : "下一题";
    next.hidden = false;
    var meter = root.querySelector(".meter");
    if (meter) meter.value = data.next;
    verdict.scrollIntoView({block: "nearest", behavior: "smooth"});
  }

  function done() {
    busy = false;
    submit.disabled = false;
    submit.textContent = "提交答案";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) return;
    var given = response();
    if (given === null) {
      say("请先作答。");
      return;
    }
    if (INPUT === "order" && (given.indexOf("") >= 0 || given.some(function (l, n) { return given.indexOf(l) !== n; }))) {
      say("请为每个位置各选一项，每项只能用一次。");
      return;
    }
    busy = true;
    submit.disabled = true;
    submit.textContent = "正在提交…";
    fetch(root.dataset.api, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": TOKEN},
      body: JSON.stringify({question_id: Number(form.elements.question_id.value), response: given}),
    }).then(function (reply) {
      return reply.json().catch(function () { return {}; }).then(function (data) {
        if (reply.status === 200) return show(data);
        if (reply.status === 409) return form.submit();   // already kept: the server shows that first answer
        done();
        say(data.message || "服务器出错，请稍后重试。");
      });
    }, function () {
      done();
      say("网络不通，答案没有提交。请检查网络后再点“提交答案”。");
    });
  });
})();
