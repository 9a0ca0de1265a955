// The phone page of a live assembly, shared part: the translated strings, small DOM helpers, the status line and
// the polite announcer. The other live-phone-*.js files register a module here; live-phone.js (loaded last)
// connects and hands each module the snapshot and its events.
// Every word comes from the #live-strings block the server translated; these files hold no text of their own.
(function () {
  "use strict";
  var root = document.getElementById("live-phone");
  var stringsBlock = document.getElementById("live-strings");
  if (!root || !stringsBlock || typeof io === "undefined") { return; }

  var S = JSON.parse(stringsBlock.textContent);
  var statusLine = document.getElementById("live-status");
  var announcer = document.getElementById("live-announcer");

  function fill(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) { return; }
      if (name === "text") { node.textContent = value; } else { node.setAttribute(name, value === true ? "" : value); }
    });
    (children || []).forEach(function (child) {
      if (child) { node.appendChild(typeof child === "string" ? document.createTextNode(child) : child); }
    });
    return node;
  }

  function storage(key, value) {
    try {
      if (value === undefined) { return JSON.parse(window.localStorage.getItem(key) || "null"); }
      if (value === null) { window.localStorage.removeItem(key); } else { window.localStorage.setItem(key, JSON.stringify(value)); }
    } catch (error) { return null; }  // private browsing or storage full: the vote still works, without the retry memory
    return null;
  }

  function uuid() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) { window.crypto.getRandomValues(bytes); } else {
      for (var i = 0; i < 16; i += 1) { bytes[i] = Math.floor(Math.random() * 256); }
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function announce(text) {
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);  // a fresh text is read again
  }

  function setStatus(state, text) {
    statusLine.setAttribute("data-state", state);
    statusLine.textContent = text;
  }

  window.LivePhone = {
    S: S, root: root, joinCode: root.getAttribute("data-join-code"),
    ACK_TIMEOUT_MS: 8000, RETRY_DELAY_MS: 3000,
    fill: fill, el: el, storage: storage, uuid: uuid, announce: announce, setStatus: setStatus,
    socket: null,   // set by live-phone.js
    modules: []     // {snapshot(snapshot), events: {name: handler}, connected()}
  };
})();
