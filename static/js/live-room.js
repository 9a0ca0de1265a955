// Shared by the phone, the console and the screen for the questions from the room, the speaker queue and the
// timer: the translated strings (#room-strings), plural forms, speaker names and the countdown. The countdown
// runs locally from the server's absolute end time (corrected by the server's clock at sending), so the server
// sends one message per start, pause or stop and none per second; screen readers hear its start and its end only.
(function () {
  "use strict";
  var block = document.getElementById("room-strings");
  if (!block) { return; }
  var R = JSON.parse(block.textContent);
  var french = (document.documentElement.lang || "fr").indexOf("fr") === 0;

  function fill(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  // French uses the singular for 0 and 1, English for 1 only.
  function plural(key, count) {
    var one = french ? count <= 1 : count === 1;
    return fill(R[key + (one ? "_one" : "_other")], {count: count});
  }

  function speakerName(speaker) {
    return speaker.name || fill(R.participant_no, {number: speaker.number});
  }

  function clockText(ms) {
    var total = Math.max(0, Math.ceil(ms / 1000));
    var hours = Math.floor(total / 3600), minutes = Math.floor((total % 3600) / 60), seconds = total % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return (hours ? hours + ":" + pad(minutes) : String(minutes)) + ":" + pad(seconds);
  }

  function spokenDuration(seconds) {
    var minutes = Math.floor(seconds / 60), rest = seconds % 60, parts = [];
    if (minutes) { parts.push(plural("minutes", minutes)); }
    if (rest || !minutes) { parts.push(plural("seconds", rest)); }
    return parts.join(" ");
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  // The countdown shown in `node` (role="timer": not a live region). `announce(text)` is called when a timer
  // starts and when it reaches zero, never in between.
  function Countdown(node, announce) {
    this.node = node;
    this.announce = announce || function () {};
    this.timer = null;
    this.offset = 0;
    this.ticking = null;
    this.over = false;
  }

  Countdown.prototype.set = function (timer, live) {
    var previous = this.timer;
    this.timer = timer || null;
    if (this.timer) { this.offset = this.timer.server_now_ms - Date.now(); }
    this.over = false;
    if (live && this.timer && this.timer.state === "running" && (!previous || previous.state === "running")) {
      var duration = spokenDuration(this.timer.duration_s || 0);
      this.announce(this.timer.label ? fill(R.timer_started_label, {label: this.timer.label, duration: duration})
        : fill(R.timer_started, {duration: duration}));
    }
    this.render(false);
    if (this.ticking) { window.clearInterval(this.ticking); this.ticking = null; }
    if (this.timer && this.timer.state === "running" && this.remaining() > 0) {
      var self = this;
      this.ticking = window.setInterval(function () { self.render(true); }, 250);
    }
  };

  Countdown.prototype.remaining = function () {
    if (!this.timer) { return null; }
    if (this.timer.state === "paused") { return this.timer.remaining_ms; }
    return this.timer.ends_at_ms - (Date.now() + this.offset);
  };

  Countdown.prototype.render = function (ticking) {
    var node = this.node, timer = this.timer, remaining = this.remaining();
    node.setAttribute("data-state", timer ? (remaining <= 0 && timer.state === "running" ? "over" : timer.state) : "none");
    var parts = [];
    if (!timer) {
      parts.push(el("span", "timer-clock muted", R.timer_none));
    } else {
      if (timer.label) { parts.push(el("span", "timer-label", timer.label)); }
      parts.push(el("span", "timer-clock", clockText(remaining)));
      if (timer.state === "paused") { parts.push(el("span", "timer-state", R.timer_paused)); }
      if (timer.state === "running" && remaining <= 0) { parts.push(el("span", "timer-state", R.timer_over)); }
    }
    var clock = node.querySelector(".timer-clock");
    if (ticking && clock && parts.length === node.childNodes.length && remaining > 0) {
      clock.textContent = clockText(remaining);  // only the figures change: no redraw, nothing re-read
    } else {
      node.textContent = "";
      parts.forEach(function (part) { node.appendChild(part); });
    }
    if (timer && timer.state === "running" && remaining <= 0) {
      if (this.ticking) { window.clearInterval(this.ticking); this.ticking = null; }
      if (ticking && !this.over) { this.announce(R.timer_ended); }
      this.over = true;
    }
  };

  window.LiveRoom = {R: R, fill: fill, plural: plural, speakerName: speakerName, clockText: clockText,
                     spokenDuration: spokenDuration, Countdown: Countdown};
})();
