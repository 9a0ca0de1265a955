// The phone page of a live assembly: questions from the room (ask, upvote), the raised hand and the timer.
// The public `questions` and `speakers` messages are the same for every phone; this phone knows which questions
// are its own, which it supported and which request to speak is its own from its snapshot and its acks.
(function () {
  "use strict";
  var LP = window.LivePhone, LR = window.LiveRoom;
  if (!LP || !LR) { return; }
  var R = LR.R, fill = LR.fill, plural = LR.plural, announce = LP.announce;
  var MAX_LENGTH = 280;

  var form = document.getElementById("ask-form");
  var textarea = document.getElementById("ask-text");
  var counter = document.getElementById("ask-counter");
  var askError = document.getElementById("ask-error");
  var askButton = document.getElementById("ask-submit");
  var list = document.getElementById("questions-list");
  var hiddenLine = document.getElementById("questions-hidden");
  var emptyLine = document.getElementById("questions-empty");
  var handButton = document.getElementById("hand-toggle");
  var handName = document.getElementById("hand-name");
  var handNameField = document.getElementById("hand-name-field");
  var handStatus = document.getElementById("hand-status");
  var speakerLine = document.getElementById("hand-speaker");
  var timerSection = document.getElementById("room-timer");
  if (!form || !list || !handButton || !timerSection) { return; }

  var questions = [];       // the public list, as last received
  var mine = {};            // my question id → its text (pending and hidden ones are not in the public list)
  var upvoted = {};         // question id → true
  var reported = {};        // question id → true (reported from this phone)
  var reportOpen = {};      // question id → true while its « Signaler » disclosure is open
  var states = {};          // question id → last state seen, to announce changes of my questions
  var speakers = [];
  var myRequest = null;     // the id of my open request to speak
  var countdown = new LR.Countdown(document.getElementById("live-timer"), announce);

  // Asking

  function updateCounter() {
    var left = MAX_LENGTH - textarea.value.trim().length;
    counter.textContent = left >= 0 ? fill(R.chars_left, {count: left}) : fill(R.too_long, {count: -left});
  }

  function showAskError(message) {
    askError.textContent = message || "";
    askError.hidden = !message;
    textarea.setAttribute("aria-invalid", message ? "true" : "false");
    if (message) { askError.focus(); }
  }

  textarea.addEventListener("input", updateCounter);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!LP.socket || !LP.socket.connected || askButton.disabled) { showAskError(R.error); return; }
    askButton.disabled = true;
    LP.socket.timeout(LP.ACK_TIMEOUT_MS).emit("ask_question", {text: textarea.value}, function (timeout, ack) {
      askButton.disabled = false;
      if (timeout || !ack) { showAskError(R.error); return; }
      if (!ack.ok) { showAskError((ack.error && ack.error.message) || R.error); textarea.focus(); return; }
      showAskError("");
      textarea.value = "";
      updateCounter();
      var question = ack.question;
      mine[question.id] = question.text;
      states[question.id] = question.state;
      if (question.state === "pending") { render(); }
      announce(question.state === "pending" ? R.sent_pending : R.sent);
    });
  });

  // The list

  function upvote(question, button) {
    if (upvoted[question.id]) { announce(R.already_supported); return; }
    LP.socket.timeout(LP.ACK_TIMEOUT_MS).emit("upvote_question", {question_id: question.id}, function (timeout, ack) {
      if (timeout || !ack || !ack.ok) { announce((ack && ack.error && ack.error.message) || R.error); return; }
      upvoted[question.id] = true;
      if (!ack.counted) { announce(R.already_supported); }
      questions.forEach(function (item) { if (item.id === question.id) { item.upvotes = ack.upvotes; } });
      render();
      var again = document.getElementById(button.id);
      if (again) { again.focus(); }
    });
  }

  function item(question) {
    var own = Object.prototype.hasOwnProperty.call(mine, question.id);
    var li = document.createElement("li");
    li.className = "live-question";
    li.id = "question-" + question.id;
    li.setAttribute("data-state", question.state);
    var text = document.createElement("p");
    text.className = "question-text";
    text.textContent = question.text || mine[question.id] || "";
    li.appendChild(text);
    var meta = document.createElement("p");
    meta.className = "meta";
    function tag(label) {
      var span = document.createElement("span");
      span.className = "tag";
      span.textContent = label;
      meta.appendChild(span);
    }
    if (own) { tag(R.mine); }
    if (question.state === "on_screen") { tag(R.on_screen); }
    if (question.state === "answered") { tag(R.answered); }
    if (question.state === "pending") { tag(R.states.pending); }
    if (question.state !== "pending" && question.state !== "hidden") {
      var count = document.createElement("span");
      count.textContent = plural("supports", question.upvotes || 0);
      meta.appendChild(count);
    }
    li.appendChild(meta);
    if (own && question.state === "pending") {
      li.appendChild(Object.assign(document.createElement("p"), {className: "hint", textContent: R.mine_pending}));
    } else if (own && question.state === "hidden") {
      li.appendChild(Object.assign(document.createElement("p"), {className: "hint", textContent: R.mine_hidden}));
    } else if (!own && question.state !== "answered") {
      var pressed = Boolean(upvoted[question.id]);
      var button = document.createElement("button");
      button.type = "button";
      button.id = "question-" + question.id + "-support";
      button.className = "button button-secondary live-support";
      button.setAttribute("aria-pressed", pressed ? "true" : "false");
      button.textContent = R.support;
      var detail = document.createElement("span");
      detail.className = "visually-hidden";
      detail.textContent = " " + fill(R.support_detail, {text: question.text});
      button.appendChild(detail);
      button.addEventListener("click", function () { upvote(question, button); });
      li.appendChild(button);
    }
    if (R.can_report && !own && question.state !== "pending" && question.state !== "hidden") {
      li.appendChild(reportBox(question));
    }
    return li;
  }

  // « Signaler » (signed-in phones only): a disclosure with the reasons; the moderation team decides (the reporter
  // is never shown).
  function reportBox(question) {
    var base = "question-" + question.id + "-report";
    if (reported[question.id]) {
      return Object.assign(document.createElement("p"), {className: "hint", textContent: R.reported});
    }
    var box = document.createElement("details");
    box.className = "confirm report";
    box.open = Boolean(reportOpen[question.id]);
    box.addEventListener("toggle", function () { reportOpen[question.id] = box.open; });
    var summary = document.createElement("summary");
    summary.id = base + "-summary";
    summary.textContent = R.report;
    summary.appendChild(Object.assign(document.createElement("span"), {
      className: "visually-hidden", textContent: " " + fill(R.report_detail, {text: question.text})}));
    box.appendChild(summary);
    var label = Object.assign(document.createElement("label"), {textContent: R.report_reason});
    label.htmlFor = base + "-reason";
    var select = Object.assign(document.createElement("select"), {id: base + "-reason"});
    R.report_reason_values.forEach(function (value, index) {
      select.appendChild(Object.assign(document.createElement("option"), {value: value, textContent: R.report_reasons[index]}));
    });
    var field = Object.assign(document.createElement("div"), {className: "field"});
    field.appendChild(label);
    field.appendChild(select);
    box.appendChild(field);
    var send = Object.assign(document.createElement("button"), {type: "button", id: base + "-send",
                                                                className: "button button-secondary",
                                                                textContent: R.report_send});
    send.addEventListener("click", function () {
      if (!LP.socket || !LP.socket.connected) { announce(R.error); return; }
      send.disabled = true;
      LP.socket.timeout(LP.ACK_TIMEOUT_MS).emit("report_question", {question_id: question.id, reason: select.value},
        function (timeout, ack) {
          send.disabled = false;
          var code = ack && ack.error && ack.error.code;
          if (timeout || !ack || (!ack.ok && code !== "already_reported")) {
            announce((ack && ack.error && ack.error.message) || R.error);
            return;
          }
          reported[question.id] = true;
          reportOpen[question.id] = false;
          render();
          announce(R.reported);
        });
    });
    box.appendChild(send);
    return box;
  }

  function render() {
    var active = document.activeElement && list.contains(document.activeElement) ? document.activeElement.id : null;
    var shown = questions.filter(function (q) { return q.state !== "hidden" || mine[q.id] !== undefined; });
    var listed = {};
    questions.forEach(function (q) { listed[q.id] = true; });
    Object.keys(mine).forEach(function (id) {  // my pending questions: known to this phone only
      if (!listed[id] && states[id] === "pending") { shown.push({id: Number(id), text: mine[id], state: "pending", upvotes: 0}); }
    });
    list.textContent = "";
    shown.forEach(function (q) { list.appendChild(item(q)); });
    var hidden = questions.filter(function (q) { return q.state === "hidden"; }).length;
    hiddenLine.textContent = hidden ? plural("hidden", hidden) : "";
    hiddenLine.hidden = !hidden;
    emptyLine.hidden = shown.length > 0;
    if (active && document.getElementById(active)) { document.getElementById(active).focus(); }
  }

  // `items`: the public list of a `questions` message, or the snapshot's (which adds my pending questions and
  // marks mine and upvoted).
  function applyQuestions(items, fromSnapshot) {
    items.forEach(function (q) {
      if (q.mine) { mine[q.id] = q.text; }
      if (q.upvoted) { upvoted[q.id] = true; }
      if (q.mine && q.state === "pending") { states[q.id] = "pending"; }
    });
    questions = items.filter(function (q) { return q.state !== "pending"; });
    questions.forEach(function (q) {
      var before = states[q.id];
      if (!fromSnapshot && mine[q.id] !== undefined && before && before !== q.state) {
        announce(q.state === "hidden" ? R.mine_hidden : fill(R.mine_now, {state: R.states[q.state]}));
      } else if (!fromSnapshot && q.state === "on_screen" && before !== "on_screen") {
        announce(fill(R.on_screen_now, {text: q.text}));
      }
      states[q.id] = q.state;
    });
    render();
  }

  // The raised hand

  function renderHand() {
    var speaking = speakers.filter(function (s) { return s.state === "speaking"; })[0];
    var waiting = speakers.filter(function (s) { return s.state === "waiting"; });
    speakerLine.textContent = speaking ? fill(R.speaking_now, {name: LR.speakerName(speaking)}) : "";
    speakerLine.hidden = !speaking;
    var status;
    if (myRequest && speaking && speaking.id === myRequest) {
      status = R.your_turn;
      handButton.textContent = R.end_turn;
    } else if (myRequest) {
      var position = waiting.map(function (s) { return s.id; }).indexOf(myRequest) + 1;
      status = position ? fill(R.your_position, {position: position}) : R.hand_raised;
      handButton.textContent = R.lower;
    } else {
      status = waiting.length ? plural("queue", waiting.length) : R.queue_empty;
      handButton.textContent = R.raise;
    }
    handStatus.textContent = status;
    handNameField.hidden = Boolean(myRequest);
  }

  function applySpeakers(list, fromSnapshot) {
    var before = myRequest;
    var wasSpeaking = speakers.some(function (s) { return s.id === before && s.state === "speaking"; });
    speakers = list;
    if (fromSnapshot) {
      var own = list.filter(function (s) { return s.mine; })[0];
      myRequest = own ? own.id : null;
    } else if (myRequest && !list.some(function (s) { return s.id === myRequest; })) {
      myRequest = null;  // done, or lowered elsewhere
    }
    var nowSpeaking = list.some(function (s) { return s.id === myRequest && s.state === "speaking"; });
    if (!fromSnapshot && nowSpeaking && !wasSpeaking) { announce(R.your_turn); }
    renderHand();
  }

  handButton.addEventListener("click", function () {
    if (!LP.socket || !LP.socket.connected) { announce(R.error); return; }
    var raising = !myRequest;
    handButton.disabled = true;
    var payload = raising ? {name: handName.value.trim() || null} : {};
    LP.socket.timeout(LP.ACK_TIMEOUT_MS).emit(raising ? "raise_hand" : "lower_hand", payload, function (timeout, ack) {
      handButton.disabled = false;
      if (timeout || !ack || !ack.ok) { announce((ack && ack.error && ack.error.message) || R.error); return; }
      if (raising) {
        myRequest = ack.request.id;
        if (!speakers.some(function (s) { return s.id === myRequest; })) { speakers.push(ack.request); }
      } else {
        myRequest = null;
      }
      renderHand();
      announce(raising ? R.hand_raised : R.hand_lowered);
      handButton.focus();
    });
  });

  // The timer

  function applyTimer(timer, live) {
    timerSection.hidden = !timer;
    countdown.set(timer, live);
  }

  LP.modules.push({
    snapshot: function (snapshot) {
      applyQuestions(snapshot.questions || [], true);
      applySpeakers(snapshot.speakers || [], true);
      applyTimer(snapshot.timer || null, false);
    },
    events: {
      questions: function (message) { applyQuestions(message.questions || [], false); },
      speakers: function (message) { applySpeakers(message.speakers || [], false); },
      timer: function (message) { applyTimer(message.timer || null, true); }
    }
  });
  updateCounter();
  document.getElementById("room-hand").hidden = false;
  document.getElementById("room-questions").hidden = false;
})();
