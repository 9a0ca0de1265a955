// Projector screen: the current poll and, when its visibility allows, its results, over /live (role "screen").
// Without JavaScript the page refreshes itself every 10 s (the <noscript> meta refresh).
(function () {
  "use strict";
  var root = document.getElementById("live-screen");
  if (!root || !window.io || !window.LiveResults) { return; }
  var strings = window.LiveResults.readStrings();
  var section = document.getElementById("screen-poll");
  var polls = {};
  var currentId = parseInt(root.getAttribute("data-poll-id"), 10) || null;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    node.className = className;
    node.textContent = text;
    return node;
  }

  // After a (re)connection: the poll shown until now if it is still there; else the open poll with the
  // highest id; else the closed one with the highest id. Then each `poll` event shows the poll it is about.
  function choose() {
    if (currentId && polls[currentId]) { return currentId; }
    var ids = Object.keys(polls).map(Number).sort(function (a, b) { return a - b; });
    var open = ids.filter(function (id) { return polls[id].state === "open"; });
    if (open.length) { return open[open.length - 1]; }
    return ids.length ? ids[ids.length - 1] : null;
  }

  function show() {
    var poll = currentId ? polls[currentId] : null;
    var heading;
    section.textContent = "";
    if (!poll) {
      heading = el("h2", "screen-question", strings.screen.waiting);
      heading.id = "screen-question";
      section.appendChild(heading);
      return;
    }
    heading = el("h2", "screen-question", poll.question);
    heading.id = "screen-question";
    section.appendChild(heading);
    section.appendChild(el("p", "screen-state", strings.screen[poll.state] || ""));
    section.appendChild(window.LiveResults.render(poll, strings.results));
  }

  var socket = window.io("/live", { auth: { join_code: root.getAttribute("data-join-code"), role: "screen" } });

  socket.on("connect_error", function (error) {
    if (error && error.data && error.data.code) { socket.close(); }  // refused: the server-rendered page stays
  });

  socket.on("snapshot", function (snapshot) {
    polls = {};
    (snapshot.polls || []).forEach(function (poll) {
      if (poll.state !== "draft") { polls[poll.id] = poll; }
    });
    currentId = choose();
    show();
  });

  socket.on("poll", function (poll) {
    if (poll.state === "draft") { return; }
    polls[poll.id] = poll;
    currentId = poll.id;
    show();
  });

  // Questions from the room, the speaker queue and the timer (live-room.js).
  var LR = window.LiveRoom;
  if (LR) {
    var announcer = document.getElementById("screen-announcer");
    var announce = function (text) {
      announcer.textContent = "";
      window.setTimeout(function () { announcer.textContent = text; }, 50);
    };
    var timerSection = document.getElementById("screen-timer");
    var timerNode = document.getElementById("screen-timer-display");
    var countdown = new LR.Countdown(timerNode, announce);
    var showTimer = function (timer, live) {
      timerSection.hidden = !timer;
      countdown.set(timer, live);
    };
    var showQuestions = function (questions) {
      var shown = questions.filter(function (q) { return q.state === "on_screen"; })[0];
      document.getElementById("screen-room-question").hidden = !shown;
      document.getElementById("screen-question-text").textContent = shown ? shown.text : "";
      var hidden = questions.filter(function (q) { return q.state === "hidden"; }).length;
      var line = document.getElementById("screen-hidden-count");
      line.hidden = !hidden;
      line.textContent = hidden ? LR.plural("hidden", hidden) : "";
    };
    var showSpeakers = function (speakers) {
      var speaking = speakers.filter(function (s) { return s.state === "speaking"; })[0];
      var waiting = speakers.filter(function (s) { return s.state === "waiting"; }).length;
      var current = document.getElementById("screen-speaker");
      current.hidden = !speaking;
      current.textContent = speaking ? LR.fill(LR.R.speaking_now, {name: LR.speakerName(speaking)}) : "";
      document.getElementById("screen-queue").textContent = waiting ? LR.plural("queue", waiting) : "";
    };
    try { showTimer(JSON.parse(timerNode.getAttribute("data-timer") || "null"), false); } catch (error) { showTimer(null, false); }
    socket.on("snapshot", function (snapshot) {
      showTimer(snapshot.timer || null, false);
      showQuestions(snapshot.questions || []);
      showSpeakers(snapshot.speakers || []);
    });
    socket.on("questions", function (message) { showQuestions(message.questions || []); });
    socket.on("speakers", function (message) { showSpeakers(message.speakers || []); });
    socket.on("timer", function (message) { showTimer(message.timer || null, true); });
  }

  socket.on("tally", function (tally) {
    var poll = polls[tally.poll_id];
    if (poll && window.LiveResults.applyTally(poll, tally) && tally.poll_id === currentId) { show(); }
  });
})();
