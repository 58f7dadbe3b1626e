// Password forms: a "显示密码" switch, and on the change-password form a live count against the rules. The server
// applies the rules (and the list of common passwords) and has the last word; this only helps while typing.
(function () {
  "use strict";
  var form = document.querySelector("form[data-password-form]");
  if (!form) return;
  var fields = form.querySelectorAll("input[type=password]");

  var reveal = document.createElement("label");
  var box = document.createElement("input");
  box.type = "checkbox";
  reveal.appendChild(box);
  reveal.appendChild(document.createTextNode(" 显示密码"));
  fields[fields.length - 1].insertAdjacentElement("afterend", reveal);
  box.addEventListener("change", function () {
    fields.forEach(function (field) { field.type = box.checked ? "text" : "password"; });
  });

  var input = form.querySelector("input[data-minimum]");
  var meter = form.querySelector("[data-password-meter]");
  if (!input || !meter) return;
  var minimum = Number(input.dataset.minimum);
  var personal = input.dataset.personal.split("\n").filter(Boolean);   // as the server compares them

  // As the server counts: a run of spaces is one character; words are compared without case or spaces.
  function squeeze(text) { return text.replace(/\s+/g, "").toLowerCase(); }

  function hint(password) {
    var length = Array.from(password.trim().replace(/\s+/g, " ")).length;
    if (length < minimum) return "还差 " + (minimum - length) + " 个字符（已输入 " + length + " 个）。";
    var squeezed = squeeze(password);
    if (personal.some(function (word) { return squeezed.indexOf(word) >= 0; })) return "不能包含用户名或姓名。";
    if (length < minimum + 4) return "长度够了；再长一些会更安全。保存时还会检查是否为常见密码。";
    return "长度很好。保存时还会检查是否为常见密码。";
  }

  input.addEventListener("input", function () {
    meter.hidden = input.value === "";
    meter.textContent = hint(input.value);
  });
})();
