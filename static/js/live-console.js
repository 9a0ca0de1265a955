// Facilitator console: live attendance, poll states and results over the /live namespace (role "console").
// Progressive enhancement: without this script the page works as is (forms post, reload to refresh).
(function () {
  "use strict";
  var root = document.getElementById("live-console");
  if (!root || !window.io || !window.LiveResults) { return; }
  var strings = window.LiveResults.readStrings();
  var fill = window.LiveResults.fill;
  var status = root.querySelector("[data-live='status']");
  var announcer = document.getElementById("console-announcer");
  var polls = {};

  function setText(selector, value) {
    var node = root.querySelector(selector);
    if (node) { node.textContent = String(value); }
  }

  function showAttendance(attendance, quorum) {
    if (!attendance) { return; }
    setText("[data-live='connected']", attendance.connected);
    setText("[data-live='peak']", attendance.peak);
    if (quorum) {
      var reached = attendance.connected >= quorum;
      setText("[data-live='quorum']", fill(reached ? strings.quorum_reached : strings.quorum_not_reached,
        { quorum: quorum }));
    }
  }

  function quorum() {
    var value = parseInt(root.getAttribute("data-quorum"), 10);
    return isNaN(value) ? null : value;
  }

  function showResults(poll) {
    var item = document.getElementById("poll-" + poll.id);
    if (!item) { return; }
    var old = item.querySelector(".live-results");
    if (old) { old.replaceWith(window.LiveResults.render(poll, strings.results, { detailed: true })); }
  }

  function showState(poll) {
    var item = document.getElementById("poll-" + poll.id);
    if (!item) { return; }
    var label = item.querySelector("[data-poll-state]");
    if (label && strings.states[poll.state]) { label.textContent = strings.states[poll.state]; }
    var open = item.querySelector("[data-action='open']");
    var close = item.querySelector("[data-action='close']");
    if (open) { open.hidden = poll.state !== "draft"; }
    if (close) { close.hidden = poll.state !== "open"; }
  }

  function update(poll, announce) {
    var previous = polls[poll.id];
    polls[poll.id] = poll;
    showState(poll);
    showResults(poll);
    if (announce && announcer && previous && previous.state !== poll.state &&
        (poll.state === "open" || poll.state === "closed")) {
      announcer.textContent = fill(poll.state === "open" ? strings.announce_open : strings.announce_closed,
        { question: poll.question });
    }
  }

  var socket = window.io("/live", { auth: { join_code: root.getAttribute("data-join-code"), role: "console" } });

  socket.on("connect", function () { status.textContent = strings.connected; });
  socket.on("disconnect", function () { status.textContent = strings.disconnected; });
  socket.on("connect_error", function (error) {
    // A refusal (not a network failure) carries a code: the server will not accept us until a reload.
    if (error && error.data && error.data.code) {
      status.textContent = strings.refused;
      socket.close();
    } else {
      status.textContent = strings.disconnected;
    }
  });

  // The timer, the speaker queue and the questions (live-console-room.js): their messages and snapshot.
  var room = window.LiveConsoleRoom ? window.LiveConsoleRoom(socket, function (text) {
    if (announcer) { announcer.textContent = ""; window.setTimeout(function () { announcer.textContent = text; }, 50); }
  }) : null;
  if (room) { Object.keys(room.events).forEach(function (name) { socket.on(name, room.events[name]); }); }

  socket.on("snapshot", function (snapshot) {
    if (room) { room.snapshot(snapshot); }
    var assembly = snapshot.assembly || {};
    showAttendance(assembly.attendance, assembly.quorum || quorum());
    (snapshot.polls || []).forEach(function (poll) { update(poll, true); });
  });

  socket.on("poll", function (poll) {
    var previous = polls[poll.id];
    if (previous && previous.seq > (poll.seq || 0)) { poll.seq = previous.seq; }
    update(poll, true);
  });

  socket.on("tally", function (tally) {
    var poll = polls[tally.poll_id];
    if (poll && window.LiveResults.applyTally(poll, tally)) { showResults(poll); }
  });

  socket.on("attendance", function (attendance) { showAttendance(attendance, quorum()); });
})();
