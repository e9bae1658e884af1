// The unspin web UI: plain DOM code, no external assets. Every string from an article or the server is put
// into the page with textContent (never innerHTML); reports are shown in a sandboxed frame.
"use strict";

(function () {
  var $ = function (id) { return document.getElementById(id); };
  var KEY = "unspin-api-key";
  var apiKey = sessionStorage.getItem(KEY) || "";
  $("api-key").value = apiKey;

  // --- API calls: the key when there is one; errors are RFC 9457 problem details. ---
  function api(path, options) {
    options = options || {};
    var headers = new Headers(options.headers || {});
    if (apiKey) { headers.set("X-API-Key", apiKey); }
    options.headers = headers;
    return fetch(path, options).then(function (resp) {
      if (resp.ok) { return resp; }
      return resp.text().then(function (text) {
        var problem = {};
        try { problem = JSON.parse(text); } catch (e) { problem = { title: resp.statusText }; }
        if (resp.status === 401) {
          $("key-status").textContent = "This server needs an API key.";
          $("api-key").focus();
        }
        throw new Error((problem.title || "Error " + resp.status) + (problem.detail ? ": " + problem.detail : ""));
      });
    });
  }

  function say(el, text, isError) {
    el.textContent = text;
    el.classList.toggle("error", !!isError);
  }

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "" : String(text);
    row.appendChild(td);
    return td;
  }

  function download(path, filename) {
    return api(path).then(function (resp) { return resp.blob(); }).then(function (blob) {
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = filename;
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    });
  }

  $("key-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    apiKey = $("api-key").value.trim();
    if (apiKey) { sessionStorage.setItem(KEY, apiKey); } else { sessionStorage.removeItem(KEY); }
    $("key-status").textContent = apiKey ? "Key set for this tab." : "No key.";
  });

  // --- Pages (the URL fragment picks one). ---
  var pages = ["analyze", "compare", "jobs", "kb"];
  function route() {
    var name = location.hash.slice(1);
    if (pages.indexOf(name) < 0) { name = "analyze"; }
    pages.forEach(function (p) {
      $("page-" + p).hidden = p !== name;
      if (p === name) { $("nav-" + p).setAttribute("aria-current", "page"); } else { $("nav-" + p).removeAttribute("aria-current"); }
    });
    if (name === "jobs") { listJobs(); }
    if (name === "kb") { kbStats(); }
  }
  window.addEventListener("hashchange", route);

  // --- Analyse. ---
  var currentReportId = null;

  function showReport(report, reportId) {
    currentReportId = reportId;
    var verdict = $("summary-verdict");
    if (report.headline) {
      var backed = report.headline.verdict === "supported";
      var label = backed ? "Headline backed by the body" : "Headline not supported by the body";
      var why = report.headline.explanation;
      verdict.textContent = why.indexOf(label) === 0 ? why : label + ". " + why;
      verdict.classList.toggle("bad", !backed);
    } else {
      verdict.textContent = "No headline to check.";
      verdict.classList.remove("bad");
    }
    var counts = {};
    report.findings.forEach(function (f) { counts[f.kind] = (counts[f.kind] || 0) + 1; });
    $("summary-counts").textContent = (report.title ? "“" + report.title + "” · " : "") + report.article.word_count + " words · " +
      Object.keys(counts).sort().map(function (k) { return counts[k] + " " + k; }).join(", ");
    var st = report.storylines;
    var cast = (report.entity_roles || []).slice(0, 5).map(function (a) { return a.canonical + " " + a.main_role.toLowerCase(); });
    $("summary-storylines").textContent = st
      ? (st.storylines.length
          ? "Storylines: " + st.storylines.map(function (s) { return s.narrative + " (" + s.probability.toFixed(2) + ")"; }).join("; ")
          : "Storylines: none above " + st.threshold.toFixed(2) + " (Other)") + (cast.length ? " · Cast: " + cast.join(", ") : "")
      : "";
    $("summary").hidden = false;
    return api("/v1/reports/" + encodeURIComponent(reportId) + "/html")
      .then(function (resp) { return resp.text(); })
      .then(function (html) {
        var frame = $("report-frame");
        frame.srcdoc = html; // sandboxed (scripts only, opaque origin): the report's own script runs, nothing else
        frame.hidden = false;
      });
  }

  function openReport(reportId) {
    location.hash = "#analyze";
    say($("a-status"), "Loading the report…");
    return api("/v1/reports/" + encodeURIComponent(reportId))
      .then(function (resp) { return resp.json(); })
      .then(function (report) { return showReport(report, reportId); })
      .then(function () { say($("a-status"), "Report " + reportId + "."); })
      .catch(function (err) { say($("a-status"), err.message, true); });
  }

  function readFile(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = function () { reject(new Error("could not read " + file.name)); };
      reader.readAsText(file);
    });
  }

  function analyzeBody() {
    var url = $("a-url").value.trim();
    var title = $("a-title").value.trim();
    var file = $("a-file").files[0];
    if (url) { return Promise.resolve(["/v1/analyze/url", { url: url }]); }
    if (file) {
      return readFile(file).then(function (text) {
        var isHtml = /\.html?$/i.test(file.name);
        var body = isHtml ? { html: text } : { text: text, split_title: !title };
        if (title) { body.title = title; }
        return ["/v1/analyze", body];
      });
    }
    var text = $("a-text").value;
    if (!text.trim()) { return Promise.reject(new Error("Paste an article, give a URL or choose a file.")); }
    return Promise.resolve(["/v1/analyze", title ? { text: text, title: title } : { text: text, split_title: true }]);
  }

  $("analyze-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var button = $("a-submit");
    button.disabled = true;
    say($("a-status"), "Analysing…");
    var reportId;
    analyzeBody()
      .then(function (req) {
        return api(req[0], { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(req[1]) });
      })
      .then(function (resp) { reportId = resp.headers.get("X-Report-Id"); return resp.json(); })
      .then(function (report) { return showReport(report, reportId); })
      .then(function () { say($("a-status"), "Done."); })
      .catch(function (err) { say($("a-status"), err.message, true); })
      .finally(function () { button.disabled = false; });
  });

  // --- Compare with source. ---
  function side(prefix) {
    var text = $(prefix + "-text").value, url = $(prefix + "-url").value.trim(), title = $(prefix + "-title").value.trim();
    var body = text.trim() ? { text: text } : (url ? { url: url } : {});
    if (title) { body.title = title; }
    return body;
  }

  $("compare-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var button = $("c-submit");
    button.disabled = true;
    say($("c-status"), "Comparing…");
    var reportId;
    api("/v1/compare", { method: "POST", headers: { "Content-Type": "application/json" },
                         body: JSON.stringify({ article: side("c-a"), source: side("c-s") }) })
      .then(function (resp) { reportId = resp.headers.get("X-Report-Id"); return resp.json(); })
      .then(function (report) {
        var c = report.comparison;
        $("c-verdict").textContent = "Headline " + c.headline_verdict + ".";
        $("c-verdict").classList.toggle("bad", c.headline_verdict === "not supported by the source");
        $("c-counts").textContent = Object.keys(c.counts).map(function (k) { return c.counts[k] + " " + k; }).join(", ");
        $("c-summary").hidden = false;
        return api("/v1/reports/" + encodeURIComponent(reportId) + "/html");
      })
      .then(function (resp) { return resp.text(); })
      .then(function (html) {
        var frame = $("compare-frame");
        frame.srcdoc = html; // sandboxed like the report: its own hover script runs, nothing else
        frame.hidden = false;
        say($("c-status"), "Done.");
      })
      .catch(function (err) { say($("c-status"), err.message, true); })
      .finally(function () { button.disabled = false; });
  });

  $("report-json").addEventListener("click", function (ev) {
    ev.preventDefault();
    if (currentReportId) { download("/v1/reports/" + encodeURIComponent(currentReportId), "unspin-" + currentReportId + ".json"); }
  });

  var drop = $("drop");
  ["dragenter", "dragover"].forEach(function (t) {
    drop.addEventListener(t, function (ev) { ev.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (t) {
    drop.addEventListener(t, function () { drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (ev) {
    ev.preventDefault();
    if (ev.dataTransfer.files.length) { $("a-file").files = ev.dataTransfer.files; }
  });

  // --- Jobs. ---
  var polling = null;

  function showJob(job) {
    $("job").hidden = false;
    $("j-progress").value = job.progress;
    var c = job.counts;
    $("j-counts").textContent = job.state + ": " + (c.done + c.error) + " of " + job.total + " articles (" + c.done + " done, " + c.error + " failed)";
    var finished = job.state === "finished";
    $("j-downloads").hidden = !finished;
    $("j-jsonl").onclick = function () { download("/v1/jobs/" + job.id + "/results", "unspin-job-" + job.id + ".jsonl"); };
    $("j-parquet").onclick = function () { download("/v1/jobs/" + job.id + "/results?format=parquet", "unspin-job-" + job.id + ".parquet"); };
    var tbody = $("j-items").querySelector("tbody");
    tbody.textContent = "";
    var errors = {};
    job.errors.forEach(function (e) { errors[e.index] = e.error; });
    job.items.forEach(function (item) {
      var row = document.createElement("tr");
      cell(row, item.index + 1);
      cell(row, item.article_id);
      cell(row, item.title);
      cell(row, item.state === "error" ? "error: " + errors[item.index] : item.state);
      var td = cell(row, "");
      if (item.report_id) {
        var b = document.createElement("button");
        b.type = "button";
        b.textContent = "Open";
        b.setAttribute("aria-label", "Open the report of article " + (item.index + 1));
        b.addEventListener("click", function () { openReport(item.report_id); });
        td.appendChild(b);
      }
      tbody.appendChild(row);
    });
    return finished;
  }

  function watch(jobId) {
    if (polling) { clearTimeout(polling); }
    function tick() {
      api("/v1/jobs/" + encodeURIComponent(jobId)).then(function (r) { return r.json(); }).then(function (job) {
        if (showJob(job)) { say($("j-status"), "Job " + job.id + " finished."); listJobs(); } else { polling = setTimeout(tick, 1000); }
      }).catch(function (err) { say($("j-status"), err.message, true); });
    }
    tick();
  }

  function listJobs() {
    api("/v1/jobs").then(function (r) { return r.json(); }).then(function (jobs) {
      var list = $("j-list");
      list.textContent = "";
      jobs.forEach(function (job) {
        var li = document.createElement("li");
        var b = document.createElement("button");
        b.type = "button";
        b.textContent = job.id.slice(0, 12);
        b.addEventListener("click", function () { watch(job.id); });
        li.appendChild(b);
        li.appendChild(document.createTextNode(" " + job.state + ", " + job.total + " articles, " + new Date(job.created * 1000).toLocaleString()));
        list.appendChild(li);
      });
    }).catch(function () { /* the key prompt is shown by api() */ });
  }

  $("job-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var form = new FormData();
    form.append("file", $("j-file").files[0]);
    if ($("j-lang").value.trim()) { form.append("lang", $("j-lang").value.trim()); }
    say($("j-status"), "Uploading…");
    api("/v1/jobs", { method: "POST", body: form }).then(function (r) { return r.json(); }).then(function (job) {
      say($("j-status"), "Job " + job.id + " queued: " + job.total + " articles.");
      watch(job.id);
    }).catch(function (err) { say($("j-status"), err.message, true); });
  });

  // --- Knowledge base. ---
  function kbStats() {
    api("/v1/kb/stats").then(function (r) { return r.json(); }).then(function (stats) {
      $("kb-stats").textContent = JSON.stringify(stats, null, 2);
    }).catch(function (err) { $("kb-stats").textContent = err.message; });
  }

  $("kb-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    api("/v1/kb/search?q=" + encodeURIComponent($("kb-q").value)).then(function (r) { return r.json(); }).then(function (hits) {
      var tbody = $("kb-results").querySelector("tbody");
      tbody.textContent = "";
      hits.forEach(function (h) {
        var row = document.createElement("tr");
        cell(row, h.score.toFixed(2));
        cell(row, h.claim);
        cell(row, h.verdict);
        cell(row, h.explanation);
        cell(row, h.url || h.source);
        tbody.appendChild(row);
      });
      say($("kb-status"), hits.length + " match(es).");
    }).catch(function (err) { say($("kb-status"), err.message, true); });
  });

  $("kb-import").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var form = new FormData();
    form.append("file", $("kb-file").files[0]);
    form.append("format", $("kb-format").value);
    api("/v1/kb/import", { method: "POST", body: form }).then(function (r) { return r.json(); }).then(function (res) {
      say($("kb-status"), "Imported: " + res.added + " added, " + res.updated + " updated, " + res.skipped + " unchanged, " + res.rejected.length + " rejected.");
      kbStats();
    }).catch(function (err) { say($("kb-status"), err.message, true); });
  });

  route();
})();
