// The exam page: draws the paper from the JSON API, counts down on the server's clock, saves each response
// as it is given (kept in localStorage until the server has it), records each time the page is left (切屏)
// and submits when the time is up.
(function () {
  "use strict";

  var root = document.getElementById("exam");
  var API = root.dataset.api;
  var RESULT_URL = root.dataset.resultUrl;
  var ZONE = root.dataset.timezone;
  var TOKEN = document.querySelector('meta[name="csrf-token"]').content;
  var STORE = "exam." + root.dataset.attempt + ".";
  var TEXT_DELAY = 800;
  var LOW_TIME = 5 * 60 * 1000;
  var MAX_BACKOFF = 30000;
  var NETWORK_DOWN = "网络断开，恢复后自动重试";
  var AWAY_BATCH = 50;     // the most periods the server takes in one request
  var RELOAD_TIME = 10000; // a page gone for less than this was reloaded, not left

  var $ = function (id) { return document.getElementById(id); };
  var paper = $("paper"), clock = $("clock"), clockBox = $("clock-box"), saveState = $("save-state");
  var notice = $("notice"), navigator_ = $("navigator"), navToggle = $("nav-toggle"), submitButton = $("submit");
  var awayState = $("away-state");
  var dialog = $("confirm");

  var state = {
    offset: 0,             // server time minus Date.now(), in ms
    deadline: 0,           // server time, ms since the epoch
    startedAt: 0,
    items: [],             // in paper order: {key, card, navLink, flagButton, read, write}
    byKey: {},
    values: {},            // what the page shows for each item
    queue: load("queue", {}),   // key -> {value, seq}: given on this device, not yet confirmed by the server
    flags: load("flags", []),
    seq: load("seq", 0),
    away: load("away", {}),     // number -> {number, left_at, back_at}: times the page was left, not yet confirmed
    awayNumber: load("awayNumber", 0),   // the last number given to a period, here or (as counted) on the server
    awayCount: 0,          // how many periods the server holds, as it last said
    awayOpen: null,        // the number of the period under way while the page is hidden or unfocused
    going: false,          // the page is being closed, reloaded or navigated away from
    flight: null,          // the save request under way, if any
    failures: 0,
    problem: null,         // why saving is stuck, shown in the save state
    oneByOne: false,       // after a 422 on a batch: send items singly so one bad item can't hold up the rest
    textTimer: null,
    retryTimer: null,
    loadFailures: 0,
    submitting: false,
    timeIsUp: false,
    finished: false,
  };

  // -- storage and time ---------------------------------------------------------------------------------

  function load(name, fallback) {
    try {
      var raw = localStorage.getItem(STORE + name);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (e) {
      return fallback;
    }
  }

  function keep(name, value) {
    try { localStorage.setItem(STORE + name, JSON.stringify(value)); } catch (e) { /* storage full or off */ }
  }

  function forget() {
    ["queue", "flags", "seq", "away", "awayNumber", "goneAt"].forEach(unkeep);
  }

  function unkeep(name) {
    try { localStorage.removeItem(STORE + name); } catch (e) { /* storage off */ }
  }

  function parseTime(iso) {
    // Python's isoformat gives microseconds; not every browser parses more than milliseconds.
    return Date.parse(iso.replace(/(\.\d{3})\d+/, "$1"));
  }

  function serverNow() { return Date.now() + state.offset; }

  function serverIso() { return new Date(serverNow()).toISOString(); }

  function sync(data, sentAt) {
    // The server read its clock somewhere in the round trip; the middle is the best guess.
    state.offset = parseTime(data.server_time) - (sentAt + Date.now()) / 2;
    state.deadline = parseTime(data.deadline);
    $("deadline").textContent = new Date(state.deadline).toLocaleTimeString("zh-CN", {timeZone: ZONE, hour12: false});
    tick();
  }

  function nextSeq() {
    // Server milliseconds since the start: rises across reloads and devices, so the latest response wins.
    state.seq = Math.max(state.seq + 1, Math.floor(serverNow() - state.startedAt));
    keep("seq", state.seq);
    return state.seq;
  }

  // -- talking to the server ----------------------------------------------------------------------------

  function request(method, url, body, extra) {
    var sentAt = Date.now();
    var options = {
      method: method, credentials: "same-origin", cache: "no-store",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": TOKEN},
      body: body === undefined ? undefined : JSON.stringify(body),
    };
    return fetch(url, Object.assign(options, extra || {})).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return {status: response.status, data: data, sentAt: sentAt};
      });
    });
  }

  // Each item carries its own seq, so an old answer from this device never beats a newer one from another;
  // "seq" (the highest) is for servers that predate "seqs".
  function batch(keys) {
    var responses = {}, seqs = {}, seq = 0;
    keys.forEach(function (key) {
      responses[key] = state.queue[key].value;
      seqs[key] = state.queue[key].seq;
      seq = Math.max(seq, seqs[key]);
    });
    return {responses: responses, seqs: seqs, seq: seq};
  }

  // Sends what is queued, answers first, then the times the page was left; resolves once both queues are
  // empty or sending has failed for now (never rejects).
  function flush() {
    clearTimeout(state.textTimer);
    if (state.flight) return state.flight;
    var keys = Object.keys(state.queue), numbers = awayToSend();
    if (state.finished || !keys.length && !numbers.length) {
      showState();
      return Promise.resolve();
    }
    if (keys.length) return sendAnswers(state.oneByOne ? keys.slice(0, 1) : keys);
    return sendAway(state.oneByOne ? numbers.slice(0, 1) : numbers);
  }

  function sendAnswers(keys) {
    var sent = {};
    keys.forEach(function (key) { sent[key] = state.queue[key].seq; });
    showState("saving");
    return inFlight(request("PUT", API + "/responses", batch(keys)), function (reply) {
      return settle(reply, function (data) { saved(data, reply.sentAt, keys, sent); }, function (data) {
        say(data.message || "答案格式不对，未能保存。");
        drop(state.queue, "queue", keys);
        keys.forEach(paintNav);
      });
    });
  }

  function sendAway(numbers) {
    var records = numbers.map(function (number) { return state.away[number]; });
    return inFlight(request("POST", API + "/away", {records: records}), function (reply) {
      // A period the server refuses (the device's clock jumped?) is dropped rather than retried for ever.
      return settle(reply, awayRecorded, function () { drop(state.away, "away", numbers); });
    });
  }

  function inFlight(sending, replied) {
    state.flight = sending.then(function (reply) {
      state.flight = null;
      return replied(reply);
    }, function () {
      state.flight = null;
      return retryLater(NETWORK_DOWN);
    });
    return state.flight;
  }

  // What a reply to a write means: stored, the attempt is over, a bad entry, busy, or stuck until a reload.
  function settle(reply, stored, refused) {
    if (reply.status === 200) {
      state.failures = 0;
      state.problem = null;
      stored(reply.data);
      if (!Object.keys(state.queue).length && !awayToSend().length) state.oneByOne = false;
      return flush();
    }
    if (reply.status === 409) return finish(closedMessage(reply.data));
    if (reply.status === 422) {
      refused(reply.data);
      return flush();
    }
    if (reply.status >= 500) return retryLater("服务器繁忙，稍后自动重试");
    return stuck(reply.status, reply.data);
  }

  function saved(data, sentAt, keys, sent) {
    sync(data, sentAt);
    keys.forEach(function (key) {
      if (state.queue[key] && state.queue[key].seq <= sent[key]) delete state.queue[key];
    });
    keep("queue", state.queue);
    keys.forEach(paintNav);
    if (data.stale && data.stale.length) refresh(data.stale);
  }

  // A refused batch is sent again one entry at a time, so one bad entry can't hold up the rest; a single one goes.
  function drop(queue, name, keys) {
    if (keys.length > 1) {
      state.oneByOne = true;
      return;
    }
    delete queue[keys[0]];
    keep(name, queue);
  }

  function stuck(status, data) {
    // Logged out or the page's token expired: retrying won't help, but the queue stays for after a reload.
    var help = status === 401 ? "登录已失效，请重新登录后回到本页" : "请刷新本页";
    state.problem = help;
    say((data.message || "保存失败。") + "未保存的答案保留在本机，" + help + "，之后会自动补交。");
    showState();
    return Promise.resolve();
  }

  function retryLater(problem) {
    state.failures += 1;
    state.problem = problem;
    showState();
    clearTimeout(state.retryTimer);
    state.retryTimer = setTimeout(flush, Math.min(MAX_BACKOFF, 1000 * Math.pow(2, state.failures - 1)));
    return Promise.resolve();
  }

  function retryNow() {
    if (state.finished) return;
    state.failures = 0;
    clearTimeout(state.retryTimer);
    flush();
  }

  function closedMessage(data) {
    if (data.error === "deadline_passed") return "考试时间已到，答卷已由系统收取。";
    if (data.error === "attempt_closed") return "这份答卷已经交卷（可能是在另一个窗口或设备上）。";
    return data.message || "这份答卷已经结束。";
  }

  // Rereads the attempt: the clock, a deadline an organiser extended, responses given on another device.
  function refresh(onlyKeys) {
    return request("GET", API).then(function (reply) {
      if (reply.status !== 200 || state.finished) return;
      if (reply.data.status !== "in_progress") return finish("这份答卷已经交卷。");
      sync(reply.data, reply.sentAt);
      state.items.forEach(function (item) {
        if (item.key in state.queue || (onlyKeys && onlyKeys.indexOf(item.key) < 0)) return;
        show(item, reply.data.responses[item.key]);
      });
    }, function () { /* offline: the next save or return to the tab tries again */ });
  }

  // -- giving responses ---------------------------------------------------------------------------------

  function give(key, delay) {
    var item = state.byKey[key];
    var value = item.read();
    state.values[item.key] = value;
    state.queue[item.key] = {value: value, seq: nextSeq()};
    keep("queue", state.queue);
    paintNav(item.key);
    showState();
    clearTimeout(state.textTimer);
    if (delay) state.textTimer = setTimeout(flush, delay);
    else flush();
  }

  function show(item, value) {
    state.values[item.key] = value;
    item.write(value);
    paintNav(item.key);
  }

  function given(value) {
    if (value === undefined || value === null) return false;
    if (Array.isArray(value)) return value.some(given);   // a material's list of nulls is unanswered too
    if (typeof value === "string") return value.trim() !== "";
    return true;
  }

  // -- drawing the paper --------------------------------------------------------------------------------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function plain(html) {   // an option's (server-sanitised) HTML as text, for a select's entry
    var box = document.createElement("span");
    box.innerHTML = html;
    return box.textContent;
  }

  function points(value) { return String(Math.round(value * 100) / 100); }

  function choice(type, name, value, labelText, html) {
    var label = el("label", "choice");
    var input = el("input");
    input.type = type;
    input.name = name;
    input.value = value;
    label.appendChild(input);
    label.appendChild(el("span", "letter", labelText));
    var text = el("span", "choice-text");
    if (html !== undefined) text.innerHTML = html;
    label.appendChild(text);
    return label;
  }

  function choiceInputs(item, type, entries, changed) {
    var box = el("div", "choices");
    entries.forEach(function (entry) {
      box.appendChild(choice(type, "q-" + item.key, entry[0], entry[1], entry[2]));
    });
    var inputs = Array.prototype.slice.call(box.querySelectorAll("input"));
    box.addEventListener("change", function () { changed(0); });
    return {node: box, inputs: inputs};
  }

  // One widget per input kind the API names (an item's `input`), each reading and writing its response's shape;
  // `changed(delay)` is called when the candidate changes it (a material's parts share their item's).
  var BUILD = {
    letter: function (item, changed) {
      var built = choiceInputs(item, "radio", item.options.map(function (o) { return [o.key, o.key, o.html]; }),
        changed);
      built.read = function () {
        var on = built.inputs.filter(function (i) { return i.checked; })[0];
        return on ? on.value : null;
      };
      built.write = function (value) { built.inputs.forEach(function (i) { i.checked = i.value === value; }); };
      return built;
    },
    letters: function (item, changed) {
      var built = choiceInputs(item, "checkbox", item.options.map(function (o) { return [o.key, o.key, o.html]; }),
        changed);
      built.read = function () {
        return built.inputs.filter(function (i) { return i.checked; }).map(function (i) { return i.value; });
      };
      built.write = function (value) {
        built.inputs.forEach(function (i) { i.checked = Array.isArray(value) && value.indexOf(i.value) >= 0; });
      };
      return built;
    },
    truth: function (item, changed) {
      var built = choiceInputs(item, "radio", [["true", "正确"], ["false", "错误"]], changed);
      built.node.classList.add("truth");
      built.read = function () {
        var on = built.inputs.filter(function (i) { return i.checked; })[0];
        return on ? on.value === "true" : null;
      };
      built.write = function (value) {
        built.inputs.forEach(function (i) { i.checked = typeof value === "boolean" && i.value === String(value); });
      };
      return built;
    },
    blanks: function (item, changed) {
      var box = el("div", "blanks");
      var inputs = [];
      for (var n = 1; n <= item.blanks; n++) {
        var label = el("label", "blank-input");
        label.appendChild(el("span", "blank-no", "第 " + n + " 空"));
        var input = el("input");
        input.type = "text";
        input.maxLength = 500;
        input.autocomplete = "off";
        label.appendChild(input);
        box.appendChild(label);
        inputs.push(input);
      }
      return textual(item, box, inputs, {
        read: function () { return inputs.map(function (i) { return i.value; }); },
        write: function (value) { inputs.forEach(function (i, n) { i.value = Array.isArray(value) ? value[n] || "" : ""; }); },
      }, changed);
    },
    numbers: function (item, changed) {
      var box = el("div", "blanks numbers");
      var inputs = [];
      for (var n = 1; n <= item.blanks; n++) {
        var label = el("label", "blank-input number-input");
        label.appendChild(el("span", "blank-no", item.blanks > 1 ? "第 " + n + " 步" : "结果"));
        var input = el("input");
        input.type = "text";
        input.inputMode = "decimal";
        input.setAttribute("inputmode", "decimal");
        input.maxLength = 100;
        input.autocomplete = "off";
        label.appendChild(input);
        var unit = (item.units || [])[n - 1];
        if (unit) label.appendChild(el("span", "unit", unit));
        box.appendChild(label);
        inputs.push(input);
      }
      return textual(item, box, inputs, {
        read: function () { return inputs.map(function (i) { return i.value; }); },
        write: function (value) { inputs.forEach(function (i, n) { i.value = Array.isArray(value) ? value[n] || "" : ""; }); },
      }, changed);
    },
    order: function (item, changed) {
      return orderWidget(item, changed);
    },
    // Matching: the right items listed once with their letters, then one select per left item (bank order).
    // A letter taken by one prompt is released from any other, so a save never pairs one right item twice.
    pairs: function (item, changed) {
      var box = el("div", "pairs");
      var list = el("ul", "pair-options");
      item.options.forEach(function (o) {
        var entry = el("li");
        entry.appendChild(el("span", "letter", o.key));
        var text = el("span", "choice-text");
        text.innerHTML = o.html;
        entry.appendChild(text);
        list.appendChild(entry);
      });
      box.appendChild(list);
      var selects = item.prompts.map(function (html, n) {
        var row = el("label", "pair-row");
        row.appendChild(el("span", "pair-no", (n + 1) + "."));
        var prompt = el("span", "pair-prompt");
        prompt.innerHTML = html;
        row.appendChild(prompt);
        var select = el("select");
        select.setAttribute("aria-label", "第 " + item.key + " 题第 " + (n + 1) + " 项的配对");
        select.appendChild(el("option", null, "未选"));
        select.firstChild.value = "";
        item.options.forEach(function (o) {
          var option = el("option", null, o.key + ". " + plain(o.html));
          option.value = o.key;
          select.appendChild(option);
        });
        row.appendChild(select);
        box.appendChild(row);
        return select;
      });
      box.addEventListener("change", function (event) {
        selects.forEach(function (s) { if (s !== event.target && s.value === event.target.value) s.value = ""; });
        changed(0);
      });
      return {
        node: box, inputs: selects,
        read: function () {
          var letters = selects.map(function (s) { return s.value || null; });
          return letters.some(function (l) { return l; }) ? letters : null;
        },
        write: function (value) {
          selects.forEach(function (s, n) { s.value = Array.isArray(value) && value[n] ? value[n] : ""; });
        },
      };
    },
    text: function (item, changed) {
      var area = el("textarea", "short-text");
      area.rows = 8;
      area.maxLength = 20000;
      area.placeholder = "在此作答";
      area.setAttribute("aria-label", "第 " + item.key + " 题作答区");
      return textual(item, area, [area], {
        read: function () { return area.value; },
        write: function (value) { area.value = typeof value === "string" ? value : ""; },
      }, changed);
    },
  };

  // An ordering item: its items in the order shown, each with ↑/↓ buttons. Nothing is saved until the candidate
  // moves an item or confirms the order as it stands, so an unanswered item never reads as "answered in the order
  // shown"; 清除 puts the items back and clears the answer.
  function orderWidget(item, changed) {
    var box = el("div", "order");
    box.appendChild(el("p", "order-hint muted", "用 ↑ ↓ 调整各项的先后顺序；如果认为现在的顺序正确，请点“确认此顺序”。"));
    var list = el("ol", "order-list");
    list.setAttribute("aria-label", "第 " + item.key + " 题各项的顺序");
    box.appendChild(list);
    var shown = item.options.map(function (o) { return o.key; });
    var rows = {};
    var inputs = [];
    var state = {order: shown.slice(), placed: false};
    item.options.forEach(function (option) {
      var row = el("li", "order-item");
      row.appendChild(el("span", "letter", option.key));
      var text = el("span", "choice-text");
      text.innerHTML = option.html;
      row.appendChild(text);
      var up = el("button", "order-move", "↑");
      up.type = "button";
      up.setAttribute("aria-label", "把 " + option.key + " 项上移一位");
      var down = el("button", "order-move", "↓");
      down.type = "button";
      down.setAttribute("aria-label", "把 " + option.key + " 项下移一位");
      up.addEventListener("click", function () { move(option.key, -1, up); });
      down.addEventListener("click", function () { move(option.key, 1, down); });
      row.appendChild(up);
      row.appendChild(down);
      rows[option.key] = row;
      inputs.push(up, down);
    });
    var actions = el("div", "order-actions");
    var confirmButton = el("button", "secondary", "确认此顺序");
    confirmButton.type = "button";
    var clearButton = el("button", "secondary", "清除");
    clearButton.type = "button";
    var status = el("span", "order-state muted");
    status.setAttribute("aria-live", "polite");
    actions.appendChild(confirmButton);
    actions.appendChild(clearButton);
    actions.appendChild(status);
    box.appendChild(actions);
    inputs.push(confirmButton, clearButton);

    function draw() {
      state.order.forEach(function (letter) { list.appendChild(rows[letter]); });
      box.classList.toggle("placed", state.placed);
      status.textContent = state.placed ? "已作答：" + state.order.join("→") : "未作答";
    }
    function move(letter, step, button) {
      var at = state.order.indexOf(letter);
      var to = at + step;
      if (to < 0 || to >= state.order.length) return;
      state.order[at] = state.order[to];
      state.order[to] = letter;
      state.placed = true;
      draw();
      button.focus();
      changed(0);
    }
    confirmButton.addEventListener("click", function () {
      state.placed = true;
      draw();
      changed(0);
    });
    clearButton.addEventListener("click", function () {
      state.order = shown.slice();
      state.placed = false;
      draw();
      changed(0);
    });
    draw();
    return {
      node: box, inputs: inputs,
      read: function () { return state.placed ? state.order.slice() : null; },
      write: function (value) {
        var whole = Array.isArray(value) && value.length === shown.length &&
          shown.every(function (letter) { return value.indexOf(letter) >= 0; });
        state.order = whole ? value.slice() : shown.slice();
        state.placed = whole;
        draw();
      },
    };
  }

  function textual(item, node, inputs, access, changed) {
    inputs.forEach(function (input) {
      input.addEventListener("input", function () { changed(TEXT_DELAY); });
      input.addEventListener("change", function () { flush(); });
    });
    return {node: node, inputs: inputs, read: access.read, write: access.write};
  }

  // A material's parts (材料分析题): each numbered （1）（2）… and asked by its own type's widget; the response is a
  // list with one entry per part, null for a part not answered.
  BUILD.parts = function (item, changed) {
    var box = el("ol", "parts");
    var widgets = item.parts.map(function (part) {
      var node = el("li", "part");
      var head = el("div", "part-head");
      head.appendChild(el("span", "part-no", "（" + part.number + "）"));
      head.appendChild(el("span", "badge", part.type_label + " · " + points(part.points) + " 分"));
      node.appendChild(head);
      var stem = el("div", "stem part-stem");
      stem.innerHTML = part.stem_html;
      node.appendChild(stem);
      var widget = BUILD[part.input](Object.assign({}, part, {key: item.key + "-" + part.number}), changed);
      node.appendChild(widget.node);
      box.appendChild(node);
      return widget;
    });
    return {
      node: box,
      inputs: widgets.reduce(function (all, w) { return all.concat(w.inputs); }, []),
      read: function () {
        return widgets.map(function (w) { var value = w.read(); return given(value) ? value : null; });
      },
      write: function (value) {
        widgets.forEach(function (w, n) { w.write(Array.isArray(value) ? value[n] : null); });
      },
    };
  };

  // The material itself can be long: it folds (open at first), so that a phone can keep a part in view.
  function materialStem(stem) {
    var box = el("details", "material");
    box.open = true;
    box.appendChild(el("summary", "", "材料"));
    box.appendChild(stem);
    return box;
  }

  function render(attempt) {
    paper.textContent = "";
    var nav = $("nav-items");
    nav.textContent = "";
    attempt.sections.forEach(function (section) {
      var box = el("section", "paper-section");
      box.appendChild(el("h2", "section-title", section.title));
      var grid = el("div", "nav-grid");
      nav.appendChild(el("h3", "nav-section", section.title));
      nav.appendChild(grid);
      section.items.forEach(function (data) {
        var item = renderItem(data);
        box.appendChild(item.card);
        grid.appendChild(item.navLink);
        state.items.push(item);
        state.byKey[item.key] = item;
      });
      paper.appendChild(box);
    });
  }

  function renderItem(data) {
    var built = BUILD[data.input](data, function (delay) { give(data.key, delay); });
    var item = {key: data.key, read: built.read, write: built.write, inputs: built.inputs};
    var card = el("article", "item");
    card.id = "q-" + data.key;
    var head = el("div", "item-head");
    head.appendChild(el("span", "item-no", data.key + "."));
    head.appendChild(el("span", "badge", data.type_label + " · " + points(data.points) + " 分"));
    var flagButton = el("button", "flag", "标记");
    flagButton.type = "button";
    flagButton.addEventListener("click", function () { toggleFlag(item.key); });
    head.appendChild(flagButton);
    card.appendChild(head);
    var stem = el("div", "stem");
    stem.innerHTML = data.stem_html;
    card.appendChild(data.parts ? materialStem(stem) : stem);
    card.appendChild(built.node);
    var navLink = el("a", "nav-item", data.key);
    navLink.href = "#q-" + data.key;
    navLink.addEventListener("click", closeNavigator);
    item.card = card;
    item.navLink = navLink;
    item.flagButton = flagButton;
    return item;
  }

  // -- navigator, flags and the save state --------------------------------------------------------------

  function paintNav(key) {
    var item = state.byKey[key];
    if (!item) return;
    var done = given(state.values[key]);
    var flagged = state.flags.indexOf(key) >= 0;
    item.navLink.classList.toggle("done", done);
    item.navLink.classList.toggle("flagged", flagged);
    item.navLink.classList.toggle("pending", key in state.queue);
    item.navLink.title = "第 " + key + " 题：" + (done ? "已答" : "未答") + (flagged ? "，已标记" : "") +
      (key in state.queue ? "，未保存" : "");
    item.flagButton.classList.toggle("on", flagged);
    item.flagButton.setAttribute("aria-pressed", String(flagged));
    item.flagButton.textContent = flagged ? "已标记" : "标记";
    item.card.classList.toggle("flagged", flagged);
    var count = state.items.filter(function (i) { return given(state.values[i.key]); }).length;
    Array.prototype.forEach.call(document.querySelectorAll(".progress"), function (node) {
      node.textContent = count + "/" + state.items.length;
    });
  }

  function toggleFlag(key) {
    var at = state.flags.indexOf(key);
    if (at >= 0) state.flags.splice(at, 1);
    else state.flags.push(key);
    keep("flags", state.flags);
    paintNav(key);
  }

  function showState(forced) {
    if (state.finished) return;
    var pending = Object.keys(state.queue).length;
    var kind = forced || (!pending ? "saved" : state.problem ? "unsaved" : "saving");
    if (kind === "saving" && state.problem) kind = "unsaved";
    var text = {saved: "已保存", saving: "保存中…", unsaved: "未保存（" + state.problem + "）"}[kind];
    saveState.className = "save-state " + kind;
    saveState.textContent = text;
  }

  function say(message) {
    notice.textContent = message;
    notice.hidden = !message;
  }

  function openNavigator() {
    navigator_.classList.add("open");
    navToggle.setAttribute("aria-expanded", "true");
  }

  function closeNavigator() {
    navigator_.classList.remove("open");
    navToggle.setAttribute("aria-expanded", "false");
  }

  // -- leaving the page (切屏) --------------------------------------------------------------------------
  // Evidence for the organisers, never a deduction: one period per absence however many of hide and blur it
  // took, timed on the server's clock, queued here until the server confirms it.

  function isAway() { return document.visibilityState === "hidden" || !document.hasFocus(); }

  function watchAway() {
    if (!state.startedAt || state.finished || state.going) return;
    if (isAway() && state.awayOpen === null) state.awayOpen = period(serverIso(), null);
    else if (!isAway() && state.awayOpen !== null) comeBack();
  }

  function period(leftAt, backAt) {
    state.awayNumber += 1;
    keep("awayNumber", state.awayNumber);
    state.away[state.awayNumber] = {number: state.awayNumber, left_at: leftAt, back_at: backAt};
    keep("away", state.away);
    showAway();
    return state.awayNumber;
  }

  function comeBack() {
    state.away[state.awayOpen].back_at = serverIso();
    state.awayOpen = null;
    keep("away", state.away);
    flush();
  }

  // The browser hides a page it unloads, after pagehide: that is the page going, not the candidate leaving it.
  // When it went is kept, so that the return can tell a reload from an absence.
  function markGoing() {
    state.going = true;
    if (state.startedAt && !state.finished && state.awayOpen === null) keep("goneAt", serverNow());
  }

  // Back after the page was closed, reloaded or navigated away from. A period it left open ends now; a page that
  // went while on screen was away only if it was gone longer than a reload takes.
  function backAfterGoing() {
    var goneAt = load("goneAt", null);
    unkeep("goneAt");
    state.going = false;
    state.awayOpen = null;
    Object.keys(state.away).forEach(function (number) {
      if (state.away[number].back_at === null) state.away[number].back_at = serverIso();
    });
    keep("away", state.away);
    if (goneAt !== null && serverNow() - goneAt >= RELOAD_TIME) period(new Date(goneAt).toISOString(), serverIso());
    showAway();
  }

  function awayToSend() {
    return Object.keys(state.away).filter(function (number) {
      return Number(number) !== state.awayOpen;
    }).slice(0, AWAY_BATCH);
  }

  function awayRecorded(data) {
    data.recorded.forEach(function (number) { delete state.away[number]; });
    keep("away", state.away);
    state.awayCount = data.away_count;
    state.awayNumber = Math.max(state.awayNumber, data.away_count);
    keep("awayNumber", state.awayNumber);
    showAway();
  }

  function showAway() {
    // The server's count once it has everything; while periods wait here, the count numbered on this page.
    var count = Object.keys(state.away).length ? Math.max(state.awayCount, state.awayNumber) : state.awayCount;
    awayState.textContent = count ? "离开考试页面 " + count + " 次，已记录" : "";
  }

  // -- the clock and the end ----------------------------------------------------------------------------

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function tick() {
    if (!state.deadline || state.finished) return;
    var left = state.deadline - serverNow();
    var seconds = Math.max(0, Math.ceil(left / 1000));
    var hours = Math.floor(seconds / 3600), minutes = Math.floor((seconds % 3600) / 60);
    clock.textContent = (hours ? hours + ":" + pad(minutes) : pad(minutes)) + ":" + pad(seconds % 60);
    clockBox.classList.toggle("low", left < LOW_TIME);
    if (left <= 0) timeUp();
  }

  function timeUp() {
    if (state.timeIsUp) return;
    state.timeIsUp = true;
    say("考试时间到，正在交卷…");
    submit();
  }

  function unanswered() {
    return state.items.filter(function (i) { return !given(state.values[i.key]); }).map(function (i) { return i.key; });
  }

  function askToSubmit() {
    var body = $("confirm-body");
    body.textContent = "";
    var missing = unanswered();
    body.appendChild(el("p", missing.length ? "warn" : "", missing.length
      ? "还有 " + missing.length + " 题未作答：第 " + missing.join("、") + " 题。"
      : "全部 " + state.items.length + " 题均已作答。"));
    if (state.flags.length) body.appendChild(el("p", "", "已标记待检查：第 " + state.flags.join("、") + " 题。"));
    if (Object.keys(state.queue).length) body.appendChild(el("p", "warn", "有答案尚未保存，确认交卷时会先保存。"));
    if (typeof dialog.showModal === "function") dialog.showModal();
    else if (window.confirm(body.textContent + "\n交卷后不能再修改答案。确认交卷？")) confirmSubmit();
  }

  function confirmSubmit() {
    if (dialog.open) dialog.close();
    flush().then(function () {
      if (state.finished) return;
      if (Object.keys(state.queue).length) {
        say("有答案还没有保存到服务器（" + (state.problem || "正在保存") + "）。请等显示“已保存”后再交卷。");
        return;
      }
      submit();
    });
  }

  // At zero the queue is flushed first; whatever can't reach the server is lost to the deadline anyway.
  // A period still under way when the paper goes in is sent open: the candidate never came back to it.
  function submit() {
    state.submitting = true;
    state.awayOpen = null;
    submitButton.disabled = true;
    submitButton.textContent = "正在交卷…";
    return flush().then(function () {
      if (state.finished) return;
      return request("POST", API + "/submit").then(function (reply) {
        if (reply.status === 200) return finish(null);
        if (reply.status >= 500) return submitLater();
        say(reply.data.message || "交卷失败，请刷新页面后重试。");
        state.submitting = false;
        submitButton.disabled = false;
        submitButton.textContent = "交卷";
      }, submitLater);
    });
  }

  function submitLater() {
    say("网络断开，暂时无法交卷；网络恢复后会自动交卷。已保存的答案都在服务器上。");
    clearTimeout(state.retryTimer);
    state.retryTimer = setTimeout(submit, 5000);
  }

  function finish(message) {
    state.finished = true;
    clearTimeout(state.retryTimer);
    clearTimeout(state.textTimer);
    forget();
    state.items.forEach(function (item) { item.inputs.forEach(function (i) { i.disabled = true; }); });
    submitButton.disabled = true;
    saveState.className = "save-state saved";
    saveState.textContent = "已交卷";
    if (!message) {
      window.location.assign(RESULT_URL);
      return;
    }
    say(message + "正在前往成绩页…");
    setTimeout(function () { window.location.assign(RESULT_URL); }, 2500);
  }

  // -- start --------------------------------------------------------------------------------------------

  function begin() {
    request("GET", API).then(function (reply) {
      if (reply.status !== 200) {
        say(reply.data.message || "试卷加载失败，请刷新页面。");
        return;
      }
      var attempt = reply.data;
      if (attempt.status !== "in_progress") {
        finish(null);
        return;
      }
      state.startedAt = parseTime(attempt.started_at);
      render(attempt);
      state.items.forEach(function (item) {
        show(item, item.key in state.queue ? state.queue[item.key].value : attempt.responses[item.key]);
      });
      sync(attempt, reply.sentAt);
      state.awayCount = attempt.away_count || 0;
      state.awayNumber = Math.max(state.awayNumber, state.awayCount);
      backAfterGoing();
      submitButton.disabled = false;
      setInterval(tick, 250);
      flush();
    }, function () {
      state.loadFailures += 1;
      $("loading").textContent = "网络断开，无法加载试卷；恢复后自动重试。已保存的答案不会丢失。";
      setTimeout(begin, Math.min(MAX_BACKOFF, 1000 * Math.pow(2, state.loadFailures)));
    });
  }

  navToggle.addEventListener("click", function () {
    if (navigator_.classList.contains("open")) closeNavigator();
    else openNavigator();
  });
  $("nav-close").addEventListener("click", closeNavigator);
  submitButton.addEventListener("click", askToSubmit);
  $("confirm-cancel").addEventListener("click", function () { dialog.close(); });
  $("confirm-ok").addEventListener("click", confirmSubmit);
  window.addEventListener("online", retryNow);
  window.addEventListener("offline", function () {
    if (Object.keys(state.queue).length) retryLater(NETWORK_DOWN);
  });
  document.addEventListener("visibilitychange", function () {
    watchAway();
    if (document.visibilityState !== "visible" || !state.items.length || state.finished) return;
    refresh(null);
    retryNow();
  });
  window.addEventListener("blur", watchAway);
  window.addEventListener("focus", watchAway);
  // A closing tab gets one last try, the period it is leaving in included; the queues in localStorage cover
  // the case where even that fails.
  window.addEventListener("pagehide", function () {
    markGoing();
    if (state.finished) return;
    var keys = Object.keys(state.queue), numbers = Object.keys(state.away).slice(0, AWAY_BATCH);
    if (keys.length && !state.flight) {
      request("PUT", API + "/responses", batch(keys), {keepalive: true}).catch(function () {});
    }
    if (numbers.length) {
      var records = numbers.map(function (number) { return state.away[number]; });
      request("POST", API + "/away", {records: records}, {keepalive: true}).catch(function () {});
    }
  });
  // Back from the browser's back-forward cache: the page never went after all, and may have been away.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted || !state.startedAt || state.finished) return;
    backAfterGoing();
    flush();
  });

  begin();
})();
