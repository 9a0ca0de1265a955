// The phone page of a live assembly: the connection to /live (loaded after live-phone-core.js and the modules).
// The device token is kept so that a reload or a reconnection comes back as the same participant; every
// (re)connection brings a full snapshot, handed to each module.
(function () {
  "use strict";
  var LP = window.LivePhone;
  if (!LP) { return; }
  var S = LP.S, storage = LP.storage, setStatus = LP.setStatus;
  var DEVICE_KEY = "deliberation.device." + LP.joinCode;
  var RETRY_DELAY_MS = LP.RETRY_DELAY_MS;

  var socket = LP.socket = io("/live", {
    auth: function (callback) { callback({join_code: LP.joinCode, device_token: storage(DEVICE_KEY) || undefined}); }
  });

  socket.on("connect", function () { setStatus("connected", S.connected); });

  socket.on("disconnect", function (reason) {
    setStatus("reconnecting", S.reconnecting);
    if (reason === "io server disconnect") { window.setTimeout(function () { socket.connect(); }, RETRY_DELAY_MS); }
  });

  socket.io.on("reconnect_attempt", function () { setStatus("reconnecting", S.reconnecting); });

  socket.on("connect_error", function (error) {
    if (socket.active) { setStatus("reconnecting", S.reconnecting); return; }  // the network: it retries itself
    var code = error && error.message;
    var message = (error && error.data && error.data.message) || (code === "assembly_ended" ? S.ended : S.refused);
    setStatus("refused", message);
  });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && !socket.connected && !socket.active) { socket.connect(); }
  });

  socket.on("snapshot", function (snapshot) {
    if (snapshot.participant && snapshot.participant.device_token) { storage(DEVICE_KEY, snapshot.participant.device_token); }
    LP.modules.forEach(function (module) { module.snapshot(snapshot); });
  });

  LP.modules.forEach(function (module) {
    Object.keys(module.events || {}).forEach(function (name) { socket.on(name, module.events[name]); });
  });
})();
