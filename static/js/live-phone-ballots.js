// The phone page of a live assembly: the polls. Ballot forms per method, results, and ballots cast with their
// own UUID, kept until acknowledged so that a retry after a reconnection is counted once.
(function () {
  "use strict";
  var LP = window.LivePhone;
  if (!LP) { return; }
  var S = LP.S, el = LP.el, fill = LP.fill, storage = LP.storage, uuid = LP.uuid, announce = LP.announce;
  var PENDING_KEY = "deliberation.pending." + LP.joinCode;  // {poll_id: {ballot_id, choice}} not yet acknowledged
  var ACK_TIMEOUT_MS = LP.ACK_TIMEOUT_MS;
  var RETRY_DELAY_MS = LP.RETRY_DELAY_MS;
  var AFTER_VOTE_REFRESH_MS = 15000;
  var MENTIONS_BEST_FIRST = [5, 4, 3, 2, 1, 0];

  var container = document.getElementById("live-polls");
  var polls = {};       // poll id → {data, myBallot, editing, draft, sending, error}
  var order = [];       // poll ids in the order the server gave them
  var retryTimer = null;

  function pending() { return storage(PENDING_KEY) || {}; }
  function setPending(pollId, ballot) {
    var all = pending();
    if (ballot) { all[pollId] = ballot; } else { delete all[pollId]; }
    storage(PENDING_KEY, Object.keys(all).length ? all : null);
  }

  function optionLabel(option) { return S[option.id] && typeof option.id === "string" ? S[option.id] : option.label; }
  function optionsById(poll) {
    var map = {};
    poll.options.forEach(function (option) { map[String(option.id)] = option; });
    return map;
  }

  // Ballot forms, one per method. Each returns {fields, collect} where collect() is the choice or an error.

  function radioList(pollId, name, options, checked) {
    return options.map(function (option) {
      var id = "poll-" + pollId + "-" + name + "-" + option.value;
      return el("div", {"class": "live-choice"}, [
        el("input", {type: option.type || "radio", id: id, name: name, value: String(option.value),
                     checked: checked(option.value)}),
        el("label", {"for": id, text: option.label})
      ]);
    });
  }

  function choiceForm(poll, state, draft) {
    var multiple = poll.method === "multiple";
    var selected = (Array.isArray(draft) ? draft : (draft === null || draft === undefined ? [] : [draft])).map(String);
    var items = poll.options.map(function (option) {
      return {value: option.id, label: optionLabel(option), type: multiple ? "checkbox" : "radio"};
    });
    var fieldset = el("fieldset", {"class": "live-fieldset"}, [el("legend", {text: S.your_answer})]);
    var counter = null;
    if (multiple) {
      fieldset.appendChild(el("p", {"class": "hint", text: fill(S.up_to, {count: poll.max_choices || poll.options.length})}));
      counter = el("p", {"class": "hint", "aria-live": "polite"});
      fieldset.appendChild(counter);
    }
    radioList(poll.id, "choice", items, function (value) { return selected.indexOf(String(value)) !== -1; })
      .forEach(function (node) { fieldset.appendChild(node); });
    function values() {
      return Array.prototype.filter.call(fieldset.querySelectorAll("input"), function (input) { return input.checked; })
        .map(function (input) {
          var option = optionsById(poll)[input.value];
          return option ? option.id : input.value;
        });
    }
    function updateCounter() {
      if (counter) { counter.textContent = fill(S.selected, {selected: values().length, count: poll.max_choices || poll.options.length}); }
    }
    fieldset.addEventListener("change", function () { state.draft = multiple ? values() : values()[0]; updateCounter(); });
    updateCounter();
    return {fields: [fieldset], collect: function () {
      var chosen = values();
      if (!chosen.length) { return {error: S.choose_one}; }
      if (!multiple) { return {choice: chosen[0]}; }
      if (poll.max_choices && chosen.length > poll.max_choices) { return {error: S.too_many}; }
      return {choice: chosen};
    }};
  }

  function judgmentForm(poll, state, draft) {
    // draft: {option_id: mention}; a stored ballot is {mentions, blank}: its blank mentions stay blank here.
    var given = {};
    if (draft && draft.mentions) {
      Object.keys(draft.mentions).forEach(function (key) {
        if ((draft.blank || []).map(String).indexOf(key) === -1) { given[key] = draft.mentions[key]; }
      });
    } else if (draft) { given = draft; }
    var fields = [el("p", {"class": "hint", text: S.mj_hint})];
    poll.options.forEach(function (option) {
      var fieldset = el("fieldset", {"class": "live-fieldset live-mentions"}, [el("legend", {text: optionLabel(option)})]);
      var items = MENTIONS_BEST_FIRST.map(function (mention) { return {value: mention, label: S.mentions[mention]}; });
      radioList(poll.id, "mention-" + option.id, items, function (value) {
        return given[String(option.id)] !== undefined && Number(given[String(option.id)]) === value;
      }).forEach(function (node) { fieldset.appendChild(node); });
      fields.push(fieldset);
    });
    function collect() {
      var choice = {};
      poll.options.forEach(function (option) {
        var input = document.querySelector("input[name='mention-" + option.id + "']:checked");
        if (input) { choice[String(option.id)] = Number(input.value); }
      });
      return choice;
    }
    fields.forEach(function (node) { node.addEventListener("change", function () { state.draft = collect(); }); });
    return {fields: fields, collect: function () {
      var choice = collect();
      return Object.keys(choice).length ? {choice: choice} : {error: S.mj_empty};
    }};
  }

  function rankingForm(poll, state, draft) {
    var byId = optionsById(poll);
    var ids = (Array.isArray(draft) ? draft : []).map(String).filter(function (id) { return byId[id]; });
    poll.options.forEach(function (option) { if (ids.indexOf(String(option.id)) === -1) { ids.push(String(option.id)); } });
    var list = el("ol", {"class": "live-ranking"});
    function render(focusId, focusDirection) {
      list.textContent = "";
      ids.forEach(function (id, index) {
        var label = optionLabel(byId[id]);
        var up = el("button", {type: "button", "class": "button button-secondary", "data-move": "-1",
                               id: "poll-" + poll.id + "-up-" + id, "aria-label": fill(S.move_up, {label: label}),
                               disabled: index === 0, text: S.up});
        var down = el("button", {type: "button", "class": "button button-secondary", "data-move": "1",
                                 id: "poll-" + poll.id + "-down-" + id, "aria-label": fill(S.move_down, {label: label}),
                                 disabled: index === ids.length - 1, text: S.down});
        [up, down].forEach(function (button) {
          button.addEventListener("click", function () { move(id, Number(button.getAttribute("data-move"))); });
        });
        list.appendChild(el("li", {}, [
          el("span", {"class": "live-ranking-label", text: label}),
          el("span", {"class": "hint", text: fill(S.position, {position: index + 1, count: ids.length})}),
          el("span", {"class": "live-ranking-moves"}, [up, down])
        ]));
      });
      if (focusId) {
        var target = document.getElementById("poll-" + poll.id + "-" + focusDirection + "-" + focusId);
        if (target && target.disabled) {  // moved to an end: stay on the item, on its other button
          target = document.getElementById("poll-" + poll.id + "-" + (focusDirection === "up" ? "down" : "up") + "-" + focusId);
        }
        if (target) { target.focus(); }
      }
    }
    function move(id, step) {
      var from = ids.indexOf(id), to = from + step;
      if (to < 0 || to >= ids.length) { return; }
      ids.splice(from, 1);
      ids.splice(to, 0, id);
      state.draft = ids.slice();
      render(id, step < 0 ? "up" : "down");
      announce(fill(S.moved, {label: optionLabel(byId[id]), position: to + 1, count: ids.length}));
    }
    render();
    return {fields: [el("p", {"class": "hint", text: S.ranking_hint}), list], collect: function () {
      return {choice: ids.map(function (id) { return byId[id].id; })};
    }};
  }

  var FORMS = {yes_no: choiceForm, single: choiceForm, multiple: choiceForm,
               majority_judgment: judgmentForm, ranking: rankingForm};

  // Results

  function percent(count, total) { return total ? Math.round((100 * count) / total) : 0; }

  function gaugeText(mention, gauge) {
    var value = Math.round(Math.abs(gauge) * 100);
    var sign = value === 0 ? "" : (gauge > 0 ? "+" : "\u2212");
    return S.mentions[mention] + " " + sign + value + "\u00a0%";  // no break before % on a narrow phone
  }

  function schulzeOrder(ids, pairwise) {
    var d = function (a, b) { return (pairwise[a] || {})[b] || 0; };
    var p = {};
    ids.forEach(function (a) { ids.forEach(function (b) { if (a !== b) { p[a + ">" + b] = d(a, b) > d(b, a) ? d(a, b) : 0; } }); });
    ids.forEach(function (via) { ids.forEach(function (a) { ids.forEach(function (b) {
      if (a !== via && b !== via && a !== b) { p[a + ">" + b] = Math.max(p[a + ">" + b], Math.min(p[a + ">" + via], p[via + ">" + b])); }
    }); }); });
    var remaining = ids.slice(), result = [];
    while (remaining.length) {
      var winners = remaining.filter(function (a) {
        return !remaining.some(function (b) { return b !== a && p[b + ">" + a] > p[a + ">" + b]; });
      });
      if (!winners.length) { winners = remaining.slice(); }
      result = result.concat(winners);
      remaining = remaining.filter(function (a) { return winners.indexOf(a) === -1; });
    }
    return result;
  }

  function resultsBlock(state) {
    var poll = state.data;
    var block = el("div", {"class": "live-results", id: "poll-" + poll.id + "-results"}, [el("h3", {text: S.results})]);
    if (poll.results_hidden || !poll.results) {
      if (poll.results_hidden) {
        block.appendChild(el("p", {"class": "muted",
          text: poll.results_visibility === "after_vote" ? S.hidden_after_vote : S.hidden_after_close}));
      }
      return poll.results_hidden ? block : null;
    }
    var total = poll.total_ballots || 0;
    block.appendChild(el("p", {"class": "meta", text: fill(S.total, {count: total})}));
    var byId = optionsById(poll);
    if (poll.method === "ranking") {
      var ids = poll.options.map(function (option) { return String(option.id); });
      var ranked = Array.isArray(poll.ranking) ? poll.ranking.map(String) : schulzeOrder(ids, poll.results.pairwise || {});
      block.appendChild(el("p", {text: S.ranking_result}));
      block.appendChild(el("ol", {}, ranked.map(function (id) { return el("li", {text: optionLabel(byId[id])}); })));
      return block;
    }
    var list = el("ul", {"class": "live-bars"});
    poll.results.forEach(function (row) {
      var option = byId[String(row.option_id)] || {id: row.option_id, label: row.label};
      var text, width;
      if (poll.method === "majority_judgment") {
        text = fill(S.majority_mention, {mention: gaugeText(row.majority_mention, row.gauge)});
        width = (100 * row.majority_mention) / 5;
      } else {
        width = percent(row.count, total);
        text = fill(S.row, {count: row.count, percent: width});
      }
      list.appendChild(el("li", {}, [
        el("span", {"class": "live-bar-label", text: optionLabel(option)}),
        el("span", {"class": "live-bar-value", text: text}),
        el("span", {"class": "live-bar", "aria-hidden": "true"}, [el("span", {style: "width:" + width + "%"})])
      ]));
    });
    block.appendChild(list);
    return block;
  }

  // One poll

  function receiptBlock(state) {
    var receipt = state.myBallot.receipt || "";
    return el("div", {"class": "live-receipt", id: "poll-" + state.data.id + "-receipt", tabindex: "-1"}, [
      el("p", {"class": "live-recorded", text: S.recorded}),
      el("p", {}, [fill(S.receipt, {receipt: receipt.slice(0, 12)})]),
      el("details", {}, [el("summary", {text: S.full_receipt}), el("p", {}, [el("code", {text: receipt})]),
                         el("p", {"class": "hint", text: S.receipt_help})])
    ]);
  }

  function pollArticle(state) {
    var poll = state.data;
    var open = poll.state === "open";
    var prefix = "poll-" + poll.id;
    var article = el("article", {"class": "card live-poll", id: prefix, "aria-labelledby": prefix + "-title",
                                 "data-state": poll.state}, [
      el("h2", {id: prefix + "-title", tabindex: "-1", text: poll.question}),
      el("p", {"class": "meta"}, [el("span", {"class": "tag", text: open ? S.poll_open : S.poll_closed}),
                                  el("span", {text: S.consultative})])
    ]);
    var error = el("p", {"class": "error", id: prefix + "-error", tabindex: "-1", text: state.error || ""});
    if (!state.error) { error.hidden = true; }
    var queued = pending()[poll.id];
    if (state.myBallot && !state.editing && !queued) {
      article.appendChild(receiptBlock(state));
      if (open) {
        var change = el("button", {type: "button", "class": "button button-secondary live-wide", id: prefix + "-change",
                                   text: S.change_vote});
        change.addEventListener("click", function () {
          state.editing = true;
          state.draft = state.myBallot.choice;
          renderPoll(state);
          var first = document.querySelector("#" + prefix + " form input, #" + prefix + " form button");
          if (first) { first.focus(); }
        });
        article.appendChild(change);
      }
    } else if (open) {
      var draft = state.draft !== undefined ? state.draft : (queued ? queued.choice : (state.myBallot || {}).choice);
      var form = FORMS[poll.method](poll, state, draft);
      var submit = el("button", {type: "submit", "class": "button live-wide", id: prefix + "-submit",
                                 text: state.myBallot ? S.save_change : S.vote});
      var element = el("form", {"class": "live-ballot", "aria-describedby": prefix + "-error", novalidate: true},
                       form.fields.concat([error, submit]));
      if (queued) { element.appendChild(el("p", {"class": "hint", text: state.sending ? S.sending : S.pending})); }
      element.addEventListener("submit", function (event) {
        event.preventDefault();
        if (state.sending) { return; }
        var collected = form.collect();
        if (collected.error) { showError(state, collected.error); return; }
        state.error = null;
        var ballot = {ballot_id: uuid(), choice: collected.choice};
        setPending(poll.id, ballot);
        send(poll.id, ballot);
      });
      article.appendChild(element);
      error = null;
    }
    if (error) { article.appendChild(error); }
    var results = resultsBlock(state);
    if (results) { article.appendChild(results); }
    return article;
  }

  function renderPoll(state) {
    var current = document.getElementById("poll-" + state.data.id);
    var active = document.activeElement;
    var focusInside = current && active && current.contains(active);
    var fresh = pollArticle(state);
    if (current) { container.replaceChild(fresh, current); } else { container.appendChild(fresh); }
    if (focusInside && !fresh.contains(document.activeElement)) {
      // The same control, redrawn, keeps the focus; if it is gone (the form became a receipt), the poll's
      // title takes it rather than the top of the page.
      var again = (active.id && document.getElementById(active.id)) || document.getElementById(fresh.id + "-receipt")
        || document.getElementById(fresh.id + "-title");
      if (again) { again.focus(); }
    }
    renderEmpty();
  }

  function renderEmpty() {
    var empty = document.getElementById("live-empty");
    var anyOpen = order.some(function (id) { return polls[id].data.state === "open"; });
    if (!anyOpen && !empty) {
      container.insertBefore(el("p", {"class": "muted", id: "live-empty", text: S.empty}), container.firstChild);
    } else if (anyOpen && empty) { empty.parentNode.removeChild(empty); }
  }

  function showError(state, message) {
    state.error = message;
    renderPoll(state);
    var node = document.getElementById("poll-" + state.data.id + "-error");
    if (node) { node.focus(); }
  }

  function renderAll() {
    var active = document.activeElement && document.activeElement.id;
    container.textContent = "";
    // Open polls first (newest first), then the closed ones.
    order.slice().sort(function (a, b) {
      var openA = polls[a].data.state === "open", openB = polls[b].data.state === "open";
      return openA === openB ? b - a : (openA ? -1 : 1);
    }).forEach(function (id) { container.appendChild(pollArticle(polls[id])); });
    renderEmpty();
    if (active && document.getElementById(active)) { document.getElementById(active).focus(); }
  }

  // Ballots: sent with an acknowledgement; kept (same ballot_id) and sent again until the server answers.

  function send(pollId, ballot) {
    var state = polls[pollId];
    if (!state) { return; }
    state.sending = LP.socket.connected;
    renderPoll(state);
    if (!LP.socket.connected) { return; }  // re-sent from the snapshot handler once connected again
    LP.socket.timeout(ACK_TIMEOUT_MS).emit("cast_vote", {poll_id: Number(pollId), ballot_id: ballot.ballot_id,
                                                      choice: ballot.choice}, function (timeout, ack) {
      state.sending = false;
      var current = pending()[pollId];
      // No answer, or the server could not confirm in time: keep the ballot (same ballot_id) and send it again.
      if (timeout || !ack || (!ack.ok && ack.error && ack.error.code === "vote_not_confirmed")) {
        renderPoll(state);
        scheduleRetry();
        return;
      }
      if (current && current.ballot_id === ballot.ballot_id) { setPending(pollId, null); }
      if (ack.ok) {
        state.myBallot = {ballot_id: ballot.ballot_id, choice: ballot.choice, receipt: ack.receipt};
        state.editing = false;
        state.draft = undefined;
        state.error = null;
        renderPoll(state);
        announce(S.recorded);
        if (state.data.results_hidden) { fetchResults(pollId); }
      } else {
        state.draft = ballot.choice;
        showError(state, (ack.error && ack.error.message) || S.error);
      }
    });
  }

  function resendPending() {
    var all = pending();
    Object.keys(all).forEach(function (pollId) {
      var state = polls[pollId];
      if (state && state.myBallot && state.myBallot.ballot_id === all[pollId].ballot_id) {
        setPending(pollId, null);  // counted before the connection dropped: the snapshot says so
      } else if (state && !state.sending) {  // one attempt in flight at a time; its timeout schedules the next
        send(pollId, all[pollId]);
      } else {
        setPending(pollId, null);  // a poll this assembly no longer shows
      }
    });
  }

  function scheduleRetry() {
    if (retryTimer) { return; }
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      if (LP.socket.connected) { resendPending(); }
    }, RETRY_DELAY_MS);
  }

  function fetchResults(pollId) {
    LP.socket.timeout(ACK_TIMEOUT_MS).emit("get_results", {poll_id: Number(pollId)}, function (timeout, ack) {
      if (timeout || !ack || !ack.ok) { return; }
      updateResults(pollId, ack);
    });
  }

  function updateResults(pollId, update) {
    var state = polls[pollId];
    if (!state || (typeof update.seq === "number" && typeof state.data.seq === "number" && update.seq < state.data.seq)) { return; }
    ["results", "total_ballots", "seq", "ranking", "results_hidden"].forEach(function (key) {
      if (update[key] !== undefined) { state.data[key] = update[key]; }
    });
    var current = document.getElementById("poll-" + pollId + "-results");
    var fresh = resultsBlock(state);
    if (current && fresh) { current.parentNode.replaceChild(fresh, current); } else { renderPoll(state); }
  }

  function onSnapshot(snapshot) {
    var previous = polls;
    polls = {};
    order = [];
    (snapshot.polls || []).forEach(function (poll) {
      var before = previous[poll.id] || {};
      polls[poll.id] = {data: poll, myBallot: poll.my_ballot || null, editing: Boolean(before.editing) && poll.state === "open",
                        draft: before.draft, sending: false, error: null};
      order.push(poll.id);
    });
    renderAll();
    resendPending();
  }

  function onPoll(poll) {
    var state = polls[poll.id];
    var wasOpen = state && state.data.state === "open";
    if (!state) {
      state = polls[poll.id] = {data: poll, myBallot: null, editing: false, draft: undefined, sending: false, error: null};
      order.push(poll.id);
    } else {
      if (typeof poll.seq === "number" && typeof state.data.seq === "number" && poll.seq < state.data.seq) {
        ["results", "total_ballots", "seq"].forEach(function (key) { poll[key] = state.data[key]; });
      }
      state.data = poll;
    }
    if (poll.state === "open" && !wasOpen) { announce(fill(S.announce_open, {question: poll.question})); }
    if (poll.state === "closed" && wasOpen) { announce(fill(S.announce_closed, {question: poll.question})); }
    if (!document.getElementById("poll-" + poll.id)) { renderAll(); } else { renderPoll(state); }
  }

  LP.modules.push({snapshot: onSnapshot, events: {
    poll: onPoll,
    tally: function (tally) { updateResults(tally.poll_id, tally); }
  }});

  // after_vote polls get no pushed tallies: a phone that has voted asks for fresh results now and then.
  window.setInterval(function () {
    if (!LP.socket.connected) { return; }
    order.forEach(function (id) {
      var state = polls[id];
      if (state.data.state === "open" && state.data.results_visibility === "after_vote" && state.myBallot) { fetchResults(id); }
    });
  }, AFTER_VOTE_REFRESH_MS);
})();
