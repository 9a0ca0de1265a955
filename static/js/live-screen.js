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

  socket.on("tally", function (tally) {
    var poll = polls[tally.poll_id];
    if (poll && window.LiveResults.applyTally(poll, tally) && tally.poll_id === currentId) { show(); }
  });
})();
