// Poll results for the console and the projector screen: the same markup as the Jinja macro
// templates/assemblies/_results.html (change both together), built from the live JSON. Every word comes from
// the server (the "results" object of the page's #live-strings block); this file holds none.
(function () {
  "use strict";

  var CHOICE_METHODS = ["yes_no", "single", "multiple"];

  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match;
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  // Whole percentages, halves rounded up: the same as percent() in assemblies/views.py.
  function percent(count, total) {
    return total ? Math.round((count * 100) / total) : 0;
  }

  // "Good +40%" / « Bien +40 % », "Good −30%": the same as format_gauge in assemblies/views.py.
  function formatGauge(strings, label, gauge) {
    var share = Math.round(Math.abs(gauge) * 100);
    var sign = share === 0 ? "" : (gauge > 0 ? "+" : "\u2212");
    return fill(strings.gauge, {mention: label, sign: sign, percent: share});
  }

  function countShare(strings, count, share) {
    return fill(strings.count_share, {count: count, percent: share});
  }

  function labelOf(body, optionId) {
    for (var i = 0; i < body.options.length; i += 1) {
      if (String(body.options[i].id) === String(optionId)) { return body.options[i].label; }
    }
    return String(optionId);
  }

  // Majority judgment: mention first, then the gauge (the server's ranking, when sent, also breaks exact ties).
  function judgmentOrder(rows) {
    return rows.map(function (row, index) { return { row: row, index: index }; })
      .sort(function (a, b) {
        return (b.row.majority_mention - a.row.majority_mention) || (b.row.gauge - a.row.gauge) ||
          (a.index - b.index);
      })
      .map(function (item) { return item.row.option_id; });
  }

  // Schulze (strongest paths) from the pairwise matrix: options that beat the most others first.
  function schulzeOrder(options, pairwise) {
    var ids = options.map(function (option) { return String(option.id); });
    var strength = {};
    ids.forEach(function (a) {
      strength[a] = {};
      ids.forEach(function (b) {
        if (a === b) { return; }
        var ab = (pairwise[a] || {})[b] || 0;
        var ba = (pairwise[b] || {})[a] || 0;
        strength[a][b] = ab > ba ? ab : 0;
      });
    });
    ids.forEach(function (k) {
      ids.forEach(function (a) {
        if (a === k) { return; }
        ids.forEach(function (b) {
          if (b === k || b === a) { return; }
          strength[a][b] = Math.max(strength[a][b], Math.min(strength[a][k], strength[k][b]));
        });
      });
    });
    function wins(a) {
      return ids.filter(function (b) { return b !== a && strength[a][b] > strength[b][a]; }).length;
    }
    return ids.map(function (id, index) { return { id: id, index: index, wins: wins(id) }; })
      .sort(function (a, b) { return (b.wins - a.wins) || (a.index - b.index); })
      .map(function (item) { return options[item.index].id; });
  }

  // The body the macro reads, from a snapshot / poll object (its `results` may be a whole API results body).
  function bodyOf(poll) {
    var results = poll.results;
    var ranking = poll.ranking || null;
    if (results && !Array.isArray(results) && Object.prototype.hasOwnProperty.call(results, "poll_id")) {
      ranking = results.ranking || ranking;
      results = results.results;
    }
    return {
      poll_id: poll.id, state: poll.state, method: poll.method, options: poll.options || [],
      total_ballots: poll.total_ballots || 0, results: results === undefined ? null : results,
      ranking: ranking, log_head: poll.log_head || "",
      online: poll.online || null, paper: poll.paper || null, verify_url: poll.verify_url || null,
      results_hidden: Boolean(poll.results_hidden) || results === null || results === undefined
    };
  }

  function bars(body, strings) {
    var list = el("ul", "result-bars");
    body.results.forEach(function (row) {
      var share = percent(row.count, body.total_ballots);
      var item = el("li");
      item.appendChild(el("span", "result-label", row.label || labelOf(body, row.option_id)));
      item.appendChild(el("span", "result-figures", countShare(strings, row.count, share)));
      var track = el("span", "bar-track");
      track.setAttribute("aria-hidden", "true");
      var fillBar = el("span", "bar-fill");
      fillBar.style.width = share + "%";
      track.appendChild(fillBar);
      item.appendChild(track);
      list.appendChild(item);
    });
    return list;
  }

  function meritProfiles(body, strings) {
    var list = el("ol", "merit-profiles");
    var byId = {};
    body.results.forEach(function (row) { byId[String(row.option_id)] = row; });
    var order = body.ranking || judgmentOrder(body.results);
    order.forEach(function (optionId) {
      var row = byId[String(optionId)];
      if (!row) { return; }
      var ballots = row.merit_profile.reduce(function (sum, count) { return sum + count; }, 0);
      var item = el("li");
      var title = el("p", "result-label", (row.label || labelOf(body, row.option_id)) + " ");
      title.appendChild(el("strong", "majority-mention", fill(strings.majority_mention, {
        mention: formatGauge(strings, strings.mentions[row.majority_mention], row.gauge)
      })));
      item.appendChild(title);
      var bar = el("div", "merit-bar");
      bar.setAttribute("aria-hidden", "true");
      var counts = el("ul", "merit-counts");
      row.merit_profile.forEach(function (count, mention) {
        var segment = el("span", "merit-segment merit-" + mention);
        segment.style.width = percent(count, ballots) + "%";
        bar.appendChild(segment);
        var line = el("li");
        var swatch = el("span", "merit-swatch merit-" + mention);
        swatch.setAttribute("aria-hidden", "true");
        line.appendChild(swatch);
        line.appendChild(document.createTextNode(
          strings.mentions[mention] + " " + countShare(strings, count, percent(count, ballots))));
        counts.appendChild(line);
      });
      bar.appendChild(el("span", "median-line"));
      item.appendChild(bar);
      item.appendChild(counts);
      list.appendChild(item);
    });
    return list;
  }

  function pairwiseTable(body, strings) {
    var wrap = el("div", "table-wrap");
    var table = el("table", "pairwise");
    table.appendChild(el("caption", null, strings.pairwise));
    var head = el("tr");
    head.appendChild(el("td"));
    body.options.forEach(function (option) {
      var th = el("th", null, option.label);
      th.setAttribute("scope", "col");
      head.appendChild(th);
    });
    var thead = el("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var tbody = el("tbody");
    body.options.forEach(function (rowOption) {
      var tr = el("tr");
      var th = el("th", null, rowOption.label);
      th.setAttribute("scope", "row");
      tr.appendChild(th);
      body.options.forEach(function (option) {
        var same = String(option.id) === String(rowOption.id);
        tr.appendChild(el("td", null, same ? "\u2013" : ((body.results.pairwise[String(rowOption.id)] || {})[String(option.id)] || 0)));
      });
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    wrap.appendChild(table);
    return wrap;
  }

  // Online, paper and total side by side (the same table as the macro paper_breakdown).
  function paperBreakdown(body, strings) {
    var box = el("div");
    var wrap = el("div", "table-wrap paper-breakdown");
    var table = el("table");
    table.appendChild(el("caption", null, strings.breakdown));
    var head = el("tr");
    [strings.option, strings.online, strings.paper, strings.total].forEach(function (text) {
      var th = el("th", null, text);
      th.setAttribute("scope", "col");
      head.appendChild(th);
    });
    var thead = el("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var tbody = el("tbody");
    function row(label, cells) {
      var tr = el("tr");
      var th = el("th", null, label);
      th.setAttribute("scope", "row");
      tr.appendChild(th);
      cells.forEach(function (cell) { tr.appendChild(el("td", null, cell)); });
      tbody.appendChild(tr);
    }
    if (CHOICE_METHODS.indexOf(body.method) !== -1) {
      body.results.forEach(function (result, index) {
        row(result.label || labelOf(body, result.option_id),
            [body.online.results[index].count, body.paper.results[index].count, result.count]);
      });
    }
    row(strings.ballots_row, [body.online.total_ballots, body.paper.total_ballots, body.total_ballots]);
    table.appendChild(tbody);
    wrap.appendChild(table);
    box.appendChild(wrap);
    var when = body.paper.entered_at ? new Date(body.paper.entered_at).toLocaleString(document.documentElement.lang) : "";
    box.appendChild(el("p", "paper-entered meta",
      fill(strings.paper_entered, { name: body.paper.entered_by || "\u2013", when: when })));
    return box;
  }

  function logHead(body, strings) {
    var box = el("div", "log-head");
    var first = el("p");
    first.appendChild(el("span", "log-head-title", strings.log_head));
    first.appendChild(document.createTextNode(" "));
    first.appendChild(el("strong", "log-head-short", body.log_head.slice(0, 16)));
    box.appendChild(first);
    var full = el("p", "log-head-full");
    full.appendChild(el("small", null, fill(strings.full_log_head, { value: body.log_head })));
    box.appendChild(full);
    return box;
  }

  // The results block of one poll: a new element (class live-results) to put in place of the old one.
  function render(poll, strings, options) {
    var body = bodyOf(poll);
    var detailed = Boolean(options && options.detailed);
    var root = el("div", "live-results");
    root.setAttribute("data-results-for", String(body.poll_id));
    root.appendChild(el("p", "results-total", fill(strings.ballots, { count: body.total_ballots })));
    if (body.results_hidden) {
      root.appendChild(el("p", "results-hidden", strings.hidden));
    } else if (CHOICE_METHODS.indexOf(body.method) !== -1) {
      root.appendChild(bars(body, strings));
    } else if (body.method === "majority_judgment") {
      root.appendChild(meritProfiles(body, strings));
    } else if (body.method === "ranking") {
      root.appendChild(el("p", "ranking-title", strings.ranking));
      var list = el("ol", "ranking-list");
      var pairwise = (body.results && body.results.pairwise) || {};
      (body.ranking || schulzeOrder(body.options, pairwise)).forEach(function (optionId) {
        list.appendChild(el("li", null, labelOf(body, optionId)));
      });
      root.appendChild(list);
      if (detailed && body.results && body.results.pairwise) { root.appendChild(pairwiseTable(body, strings)); }
    }
    if (!body.results_hidden && body.paper && body.online) { root.appendChild(paperBreakdown(body, strings)); }
    if (body.state === "closed" && body.log_head) { root.appendChild(logHead(body, strings)); }
    if (body.state === "closed" && body.verify_url) {
      var verify = el("p", "verify-link");
      var link = el("a", null, strings.verify);
      link.setAttribute("href", body.verify_url);
      verify.appendChild(link);
      root.appendChild(verify);
    }
    return root;
  }

  // Apply a `tally` to a poll object kept by the page; false when it is older than what the poll holds.
  function applyTally(poll, tally) {
    if (typeof poll.seq === "number" && typeof tally.seq === "number" && tally.seq <= poll.seq) { return false; }
    poll.seq = tally.seq;
    poll.total_ballots = tally.total_ballots;
    poll.results = tally.results === undefined ? null : tally.results;
    poll.ranking = tally.ranking || null;
    poll.online = tally.online || null;
    poll.paper = tally.paper || null;
    poll.results_hidden = poll.results === null;
    return true;
  }

  function readStrings() {
    var node = document.getElementById("live-strings");
    return node ? JSON.parse(node.textContent) : {};
  }

  window.LiveResults = { render: render, applyTally: applyTally, fill: fill, readStrings: readStrings };
})();
