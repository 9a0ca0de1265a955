// Facilitator console: the timer, the speaker queue and the questions from the room. Every button is a form that
// posts (the page works without JavaScript); while the socket is connected, the same action goes over it instead
// (no reload), and the panels are redrawn from the `questions`, `speakers` and `timer` messages.
// live-console.js calls window.LiveConsoleRoom(socket, announce) once its socket exists.
(function () {
  "use strict";
  var LR = window.LiveRoom;
  if (!LR) { return; }
  var R = LR.R, fill = LR.fill, plural = LR.plural;
  var ACK_TIMEOUT_MS = 8000;

  // The form's address says which action it is: the same routes as the POST fallbacks.
  var ROUTES = [
    [/\/questions\/(\d+)\/agenda$/, function (m, form) {
      var select = form.querySelector("select");
      return ["attach_question", {question_id: Number(m[1]), agenda_item_id: select && select.value ? Number(select.value) : null}];
    }],
    [/\/questions\/(\d+)\/(\w+)$/, function (m, form) {
      // Hide: the public reason and note of the moderation decision (restore and the others send none).
      var data = {question_id: Number(m[1]), action: m[2]};
      var reason = form.querySelector("select[name='reason']"), note = form.querySelector("input[name='note']");
      if (reason && reason.value) { data.reason = reason.value; }
      if (note && note.value.trim()) { data.note = note.value.trim(); }
      return ["moderate_question", data];
    }],
    [/\/questions\/moderation$/, function (m, form) {
      var checked = form.querySelector("input[name$='mode']:checked");
      return ["set_question_moderation", {mode: checked ? checked.value : ""}];
    }],
    [/\/speakers\/call$/, function (m, form) {
      var request = form.querySelector("input[name='call-request_id']");
      return ["call_speaker", {request_id: request ? Number(request.value) : null, seconds: duration(form)}];
    }],
    [/\/speakers\/finish$/, function () { return ["finish_speaker", {}]; }],
    [/\/timer\/start$/, function (m, form) {
      var label = form.querySelector("input[name$='label']");
      return ["start_timer", {seconds: duration(form) || 0, label: label ? label.value : null}];
    }],
    [/\/timer\/(pause|resume|stop)$/, function (m) { return [m[1] + "_timer", {}]; }]
  ];

  function duration(form) {
    var minutes = form.querySelector("input[name$='minutes']"), seconds = form.querySelector("input[name$='seconds']");
    if (!minutes && !seconds) { return null; }
    var total = (parseInt(minutes && minutes.value, 10) || 0) * 60 + (parseInt(seconds && seconds.value, 10) || 0);
    return total || null;
  }

  function csrfToken() {
    var input = document.querySelector("input[name='csrf_token']");
    return input ? input.value : "";
  }

  function postButton(action, label, detail) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = action;
    form.className = "inline-form";
    var token = document.createElement("input");
    token.type = "hidden";
    token.name = "csrf_token";
    token.value = csrfToken();
    form.appendChild(token);
    var button = document.createElement("button");
    button.type = "submit";
    button.className = "button button-secondary";
    button.textContent = label;
    if (detail) {
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = " " + detail;
      button.appendChild(hidden);
    }
    form.appendChild(button);
    return form;
  }

  window.LiveConsoleRoom = function (socket, announce) {
    var root = document.getElementById("live-console");
    var base = window.location.pathname.replace(/\/console$/, "");
    var questionList = document.getElementById("console-questions");
    var queue = document.getElementById("console-queue");
    var timerNode = root.querySelector("[data-live='timer']");
    var countdown = timerNode ? new LR.Countdown(timerNode, announce) : null;

    // Forms: over the socket while connected.
    root.addEventListener("submit", function (event) {
      var form = event.target;
      if (!socket.connected || !form.action) { return; }
      var path = new URL(form.action, window.location.href).pathname;
      for (var i = 0; i < ROUTES.length; i += 1) {
        var match = path.match(ROUTES[i][0]);
        if (!match || path.indexOf(base + "/") !== 0) { continue; }
        event.preventDefault();
        var call = ROUTES[i][1](match, form);
        var button = form.querySelector("button[type='submit']");
        if (button) { button.disabled = true; }
        socket.timeout(ACK_TIMEOUT_MS).emit(call[0], call[1], function (timeout, ack) {
          if (button) { button.disabled = false; }
          if (timeout || !ack) { announce(R.error); return; }
          if (!ack.ok) { announce((ack.error && ack.error.message) || R.error); return; }
          if (call[0] === "start_timer" || call[0] === "call_speaker") { form.reset(); }
          if (call[0] === "set_question_moderation") { announce(ack.mode === "pre" ? R.moderation_pre : R.moderation_post); }
        });
        return;
      }
    });

    // Hide: a form with the public reason (off topic by default) and an optional public note, as the page draws it.
    function hideForm(question, detail) {
      var form = postButton(base + "/questions/" + question.id + "/hide", R.actions.hide, detail);
      form.className = "inline-form hide-form";
      var button = form.querySelector("button");
      var reasonId = "question-" + question.id + "-reason", noteId = "question-" + question.id + "-note";
      var label = document.createElement("label");
      label.htmlFor = reasonId;
      label.textContent = R.hide_reason;
      var select = document.createElement("select");
      select.id = reasonId;
      select.name = "reason";
      (R.report_reason_values || []).forEach(function (value, index) {
        var option = document.createElement("option");
        option.value = value;
        option.textContent = (R.report_reasons || [])[index] || value;
        option.selected = value === R.hide_default_reason;
        select.appendChild(option);
      });
      var noteLabel = document.createElement("label");
      noteLabel.htmlFor = noteId;
      noteLabel.textContent = R.hide_note;
      var note = document.createElement("input");
      note.type = "text";
      note.id = noteId;
      note.name = "note";
      note.maxLength = 500;
      [label, select, noteLabel, note].forEach(function (node) { form.insertBefore(node, button); });
      return form;
    }

    var agenda = [];
    try { agenda = JSON.parse(questionList.getAttribute("data-agenda") || "[]"); } catch (error) { agenda = []; }

    // The agenda item a question is about: a select and its button, as the page draws them.
    function attachForm(question, detail) {
      var form = postButton(base + "/questions/" + question.id + "/agenda", R.attach, detail);
      form.className = "attach-form";
      var id = "question-" + question.id + "-agenda";
      var label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = R.agenda_item;
      var select = document.createElement("select");
      select.id = id;
      select.name = "agenda_item_id";
      [["", R.no_agenda_item]].concat(agenda).forEach(function (choice) {
        var option = document.createElement("option");
        option.value = choice[0];
        option.textContent = choice[1];
        option.selected = (choice[0] || null) === (question.agenda_item_id || null);
        select.appendChild(option);
      });
      var button = form.querySelector("button");
      form.insertBefore(label, button);
      form.insertBefore(select, button);
      return form;
    }

    function showQuestions(questions) {
      if (!questionList) { return; }
      var active = document.activeElement;
      var focusKey = active && questionList.contains(active) ? active.closest("li").id : null;
      questionList.textContent = "";
      questions.forEach(function (question) {
        var li = document.createElement("li");
        li.className = "card";
        li.id = "question-" + question.id;
        li.setAttribute("data-state", question.state);
        var text = document.createElement("p");
        text.className = "question-text";
        text.textContent = question.text;
        var meta = document.createElement("p");
        meta.className = "meta";
        var tag = document.createElement("span");
        tag.className = "tag";
        tag.textContent = R.states[question.state];
        var count = document.createElement("span");
        count.textContent = plural("supports", question.upvotes);
        meta.appendChild(tag);
        meta.appendChild(document.createTextNode(" "));
        meta.appendChild(count);
        var actions = document.createElement("div");
        actions.className = "actions";
        var detail = "– " + (question.text.length > 60 ? question.text.slice(0, 57) + "..." : question.text);
        (R.transitions[question.state] || []).forEach(function (action) {
          actions.appendChild(action === "hide" ? hideForm(question, detail)
            : postButton(base + "/questions/" + question.id + "/" + action, R.actions[action], detail));
        });
        [text, meta, actions].forEach(function (node) { li.appendChild(node); });
        if (agenda.length) { li.appendChild(attachForm(question, detail)); }
        questionList.appendChild(li);
      });
      var count = root.querySelector("[data-live='questions-count']");
      if (count) { count.textContent = plural("questions", questions.length); }
      var empty = root.querySelector("[data-live='questions-empty']");
      if (empty) { empty.hidden = questions.length > 0; }
      if (focusKey) {
        var again = document.getElementById(focusKey);
        var target = again && again.querySelector("button");
        if (target) { target.focus(); } else { questionList.setAttribute("tabindex", "-1"); questionList.focus(); }
      }
    }

    function showSpeakers(speakers) {
      var speaking = speakers.filter(function (s) { return s.state === "speaking"; })[0];
      var waiting = speakers.filter(function (s) { return s.state === "waiting"; });
      var current = root.querySelector("[data-live='speaker']");
      if (current) { current.textContent = speaking ? LR.speakerName(speaking) : R.nobody; }
      var finish = root.querySelector("[data-live='finish']");
      if (finish) { finish.hidden = !speaking; }
      var count = root.querySelector("[data-live='waiting-count']");
      if (count) { count.textContent = "(" + waiting.length + ")"; }
      var empty = root.querySelector("[data-live='queue-empty']");
      if (empty) { empty.hidden = waiting.length > 0; }
      if (!queue) { return; }
      queue.textContent = "";
      waiting.forEach(function (speaker) {
        var li = document.createElement("li");
        li.setAttribute("data-request-id", speaker.id);
        var name = document.createElement("span");
        name.className = "queue-name";
        name.textContent = LR.speakerName(speaker);
        li.appendChild(name);
        li.appendChild(document.createTextNode(" "));
        var form = postButton(base + "/speakers/call", R.give_floor, LR.speakerName(speaker));
        var request = document.createElement("input");
        request.type = "hidden";
        request.name = "call-request_id";
        request.value = speaker.id;
        form.appendChild(request);
        li.appendChild(form);
        queue.appendChild(li);
      });
    }

    function showTimer(timer, live) {
      if (countdown) { countdown.set(timer, live); }
      ["pause", "resume", "stop"].forEach(function (action) {
        var node = root.querySelector("[data-timer-action='" + action + "']");
        if (!node) { return; }
        node.hidden = action === "stop" ? !timer : !(timer && timer.state === (action === "pause" ? "running" : "paused"));
      });
    }

    if (timerNode) {
      try { showTimer(JSON.parse(timerNode.getAttribute("data-timer") || "null"), false); } catch (error) { showTimer(null, false); }
    }

    return {
      snapshot: function (snapshot) {
        showQuestions(snapshot.questions || []);
        showSpeakers(snapshot.speakers || []);
        showTimer(snapshot.timer || null, false);
      },
      events: {
        questions: function (message) { showQuestions(message.questions || []); },
        speakers: function (message) { showSpeakers(message.speakers || []); },
        timer: function (message) { showTimer(message.timer || null, true); }
      }
    };
  };
})();
