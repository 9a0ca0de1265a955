// Proposal forms: a live "characters left" count under fields that carry data-max-length.
(function () {
  "use strict";
  document.querySelectorAll("[data-max-length]").forEach(function (input) {
    var hint = document.getElementById(input.id + "-hint");
    if (!hint) { return; }
    var max = parseInt(input.getAttribute("data-max-length"), 10);
    var text = input.getAttribute("data-counter-text") || "{left}";
    var counter = document.createElement("span");
    counter.className = "counter";
    counter.setAttribute("aria-live", "polite");
    hint.appendChild(document.createTextNode(" "));
    hint.appendChild(counter);
    function update() {
      counter.textContent = text.replace("{left}", String(Math.max(0, max - input.value.length)));
    }
    input.addEventListener("input", update);
    update();
  });
})();
