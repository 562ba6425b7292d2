(function () {
  "use strict";
  // Everything from the input is put in the page with textContent or as a property: never as
  // markup. The page runs under a CSP that allows this script alone.
  var PAGE = 50;
  var articles = [];
  var byAnchor = new Map();
  var list = document.getElementById("articles");
  var more = document.getElementById("more");
  var count = document.getElementById("count");
  var search = document.getElementById("search");
  var langSelect = document.getElementById("lang");
  var reasonSelect = document.getElementById("reason");
  var hasFlags = document.getElementById("has-flags");
  var hasRepairs = document.getElementById("has-repairs");
  var matching = [];
  var shown = 0;
  // Articles shown in full draw their paragraphs when they come near the screen, so that a
  // report of thousands of articles opens at once.
  var observer = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (item) {
      if (item.isIntersecting) {
        observer.unobserve(item.target);
        if (!item.target.querySelector(".body")) { renderBody(byAnchor.get(item.target.id), item.target); }
      }
    });
  }, { rootMargin: "600px 0px" }) : null;

  // Controls, bidirectional formatting and invisible characters are shown as escapes: a name
  // or a text cannot reorder the line it is on, nor hide what was removed.
  var UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

  function visible(text) {
    return String(text).replace(UNSAFE, function (ch) {
      var code = ch.charCodeAt(0);
      return code < 256 ? "\\x" + ("0" + code.toString(16)).slice(-2) : "\\u" + ("000" + code.toString(16)).slice(-4);
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = visible(text); }
    return node;
  }

  function textNode(text) { return document.createTextNode(visible(text)); }

  function shellQuote(text) {
    return /^[A-Za-z0-9_.\/:+-]+$/.test(text) ? text : "'" + text.replace(/'/g, "'\\''") + "'";
  }

  function tomlString(text) {
    var out = "\"";
    for (var i = 0; i < text.length; i++) {
      var ch = text.charAt(i);
      var code = text.charCodeAt(i);
      if (ch === "\\" || ch === "\"") { out += "\\" + ch; }
      else if (code < 32 || code === 127) { out += "\\u" + ("000" + code.toString(16)).slice(-4); }
      else { out += ch; }
    }
    return out + "\"";
  }

  function snippet(source, paragraph, action, value, rule) {
    var lines = ["[[decision]]", "source = " + tomlString(source), "index = " + paragraph.i,
      "hash = " + tomlString(paragraph.h), "action = " + tomlString(action)];
    if (value !== null && value !== undefined) { lines.push("value = " + tomlString(value)); }
    if (rule !== null && rule !== undefined) { lines.push("rule = " + tomlString(rule)); }
    return lines.join("\n") + "\n";
  }

  function decisionButton(label, toml, title) {
    var button = el("button", "decide", label);
    button.type = "button";
    button.dataset.toml = toml;
    button.title = title || "copy this decision for review.toml";
    return button;
  }

  var ROLES = ["heading", "body", "breadcrumb", "navigation", "advert", "meta", "boilerplate"];
  var languages = ["en", "zh", "mixed", "und"];

  function decisionSelect(label, article, paragraph, action, values) {
    var select = el("select", "decide-select");
    select.title = "copy this decision for review.toml";
    var placeholder = el("option", null, label);
    placeholder.value = "";
    select.appendChild(placeholder);
    values.forEach(function (value) {
      var option = el("option", null, value);
      option.value = value;
      option.dataset.toml = snippet(article.src, paragraph, action, value);
      select.appendChild(option);
    });
    return select;
  }

  function options(select, values) {
    values.forEach(function (value) {
      var option = el("option", null, value.replace(/_/g, " "));
      option.value = value;
      select.appendChild(option);
    });
  }

  function collect(key) {
    var seen = new Set();
    articles.forEach(function (article) { article[key].forEach(function (v) { seen.add(v); }); });
    return Array.from(seen).sort();
  }

  function haystack(article) {
    if (article.hay === undefined) {
      var parts = [article.src, article.t || ""];
      article.p.forEach(function (p) {
        if (p.t !== undefined) { parts.push(p.t); }
        else if (p.s) { p.s.forEach(function (s) { parts.push(typeof s === "string" ? s : s[1] + " " + s[2]); }); }
      });
      article.hay = parts.join("\n").toLowerCase();
    }
    return article.hay;
  }

  function matchOf(paragraph) {
    var anchor = paragraph.m[0];
    var article = byAnchor.get(anchor.slice(0, anchor.lastIndexOf("-")));
    if (!article) { return null; }
    for (var i = 0; i < article.p.length; i++) { if (article.p[i].i === paragraph.m[2]) { return article.p[i]; } }
    return null;
  }

  function textOf(paragraph, into) {
    if (paragraph.same) {
      var match = matchOf(paragraph);
      if (match && !match.same) { textOf(match, into); } else { into.appendChild(textNode("(the same text as its match)")); }
      return;
    }
    if (paragraph.t !== undefined) { into.appendChild(textNode(paragraph.t)); return; }
    paragraph.s.forEach(function (s) {
      if (typeof s === "string") { into.appendChild(textNode(s)); return; }
      if (s[0] === "fix") {
        var fix = el("span", "fix " + s[4]);
        fix.title = s[3] + " (" + s[4] + ")";
        fix.appendChild(el("del", null, s[1]));
        fix.appendChild(el("span", "arrow", "\u2192"));
        fix.appendChild(el("ins", null, s[2]));
        into.appendChild(fix);
      } else {
        var flag = el("mark", "flag", s[1]);
        flag.title = s[3] + ": " + s[5] + (s[6].length ? " \u2014 candidates: " + s[6].join(" | ") : "");
        into.appendChild(flag);
      }
    });
  }

  function renderParagraph(article, paragraph) {
    var node = el("div", "para " + (paragraph.d ? "dropped" : "kept") + " role-" + paragraph.r);
    node.id = article.a + "-" + paragraph.i;
    var meta = el("div", "meta");
    meta.appendChild(el("span", "index", "\u00b6" + paragraph.i + (paragraph.n ? " line " + paragraph.n : "")));
    meta.appendChild(el("span", "badge lang-" + paragraph.l, paragraph.l));
    if (paragraph.r !== "body" && paragraph.r !== "dropped") { meta.appendChild(el("span", "badge role", paragraph.r)); }
    if (paragraph.d) { meta.appendChild(el("span", "badge reason", paragraph.d.replace(/_/g, " "))); }
    node.appendChild(meta);
    var text = el("div", "text");
    textOf(paragraph, text);
    node.appendChild(text);
    if (paragraph.m) {
      var match = el("div", "match");
      match.appendChild(textNode(paragraph.d.replace(/_/g, " ") + " of "));
      var link = el("a", "match-link", paragraph.m[1] + " \u00b6" + paragraph.m[2]);
      link.href = "#" + paragraph.m[0];
      link.dataset.target = paragraph.m[0];
      match.appendChild(link);
      if (paragraph.m[3] !== null) { match.appendChild(textNode(" (similarity " + paragraph.m[3] + ")")); }
      node.appendChild(match);
    }
    var changes = (paragraph.s || []).filter(function (s) { return typeof s !== "string"; });
    if (changes.length) {
      var listed = el("ul", "changes");
      changes.forEach(function (s) {
        if (s[0] === "fix") {
          listed.appendChild(el("li", "change-fix", "repair " + s[3] + " (" + s[4] + "): \u201c" + s[1] + "\u201d \u2192 \u201c" + s[2] + "\u201d"));
        } else {
          listed.appendChild(el("li", "change-flag", "flag " + s[3] + ": \u201c" + s[1] + "\u201d " + s[5] + (s[6].length ? " \u2014 candidates: " + s[6].join(" | ") : "")));
        }
      });
      node.appendChild(listed);
    }
    if (paragraph.e) {
      var evidence = el("ul", "evidence");
      paragraph.e.forEach(function (line) { evidence.appendChild(el("li", null, line)); });
      node.appendChild(evidence);
    }
    if (paragraph.lf) {
      var loose = el("ul", "loose");
      paragraph.lf.forEach(function (f) {
        loose.appendChild(el("li", null, "flag " + f[0] + ": \u201c" + f[1] + "\u201d " + f[2] + (f[3].length ? " \u2014 candidates: " + f[3].join(" | ") : "")));
      });
      node.appendChild(loose);
    }
    if (paragraph.c) {
      var decided = el("ul", "decisions");
      paragraph.c.forEach(function (d) {
        decided.appendChild(el("li", null, "decision " + d[0] + (d[1] ? " " + d[1] : "") + (d[2] ? " " + d[2] : "") + ": " + d[3]));
      });
      node.appendChild(decided);
    }
    var actions = el("div", "actions");
    if (paragraph.d === "editor") {
      actions.appendChild(el("span", "hint", "dropped by a decision: delete it from review.toml to keep the paragraph"));
    } else if (paragraph.d) {
      actions.appendChild(decisionButton("keep", snippet(article.src, paragraph, "keep")));
    } else {
      actions.appendChild(decisionButton("drop", snippet(article.src, paragraph, "drop")));
      if (paragraph.r !== "title") {
        actions.appendChild(decisionButton("make title", snippet(article.src, paragraph, "set_title")));
      }
    }
    var rejectable = new Set();
    (paragraph.s || []).forEach(function (s) {
      if (typeof s === "string") { return; }
      if (s[0] === "fix") {
        s[3].split("+").forEach(function (rule) {
          if (rule === "review" || rejectable.has(rule)) { return; }  // undo an accept by deleting it
          rejectable.add(rule);
          actions.appendChild(decisionButton("reject " + rule, snippet(article.src, paragraph, "reject_repair", null, rule)));
        });
      } else {
        s[6].forEach(function (candidate) {
          actions.appendChild(decisionButton("accept \u201c" + candidate + "\u201d", snippet(article.src, paragraph, "accept_candidate", candidate)));
        });
      }
    });
    actions.appendChild(decisionSelect("set language\u2026", article, paragraph, "set_lang", languages.filter(function (l) { return l !== paragraph.l; })));
    actions.appendChild(decisionSelect("set role\u2026", article, paragraph, "set_role", ROLES.filter(function (r) { return r !== paragraph.r; })));
    (paragraph.lf || []).forEach(function (f) {
      f[3].forEach(function (candidate) {
        actions.appendChild(decisionButton("accept \u201c" + candidate + "\u201d", snippet(article.src, paragraph, "accept_candidate", candidate)));
      });
    });
    node.appendChild(actions);
    return node;
  }

  function renderBody(article, entry) {
    var body = el("div", "body");
    article.p.forEach(function (paragraph) { body.appendChild(renderParagraph(article, paragraph)); });
    var hidden = article.n - article.p.length;
    var cut = article.p.some(function (p) { return p.cut; });
    if (hidden > 0 || cut) {
      body.appendChild(el("p", "hidden-note", (hidden > 0 ? hidden + " unchanged paragraph(s) left out" : "Long paragraphs cut to what changed") + " in this summary row: `pipeline show " + shellQuote(article.src) + "` shows the whole article (or raise --full)"));
    }
    entry.appendChild(body);
    entry.classList.add("open");
  }

  function renderEntry(article) {
    var entry = el("article", "entry" + (article.full ? " full" : " summary"));
    entry.id = article.a;
    var head = el("header", "entry-head");
    var toggle = el("button", "toggle", article.full ? "\u25be" : "\u25b8");
    toggle.type = "button";
    toggle.title = "show or hide the paragraphs";
    head.appendChild(toggle);
    head.appendChild(el("span", "title", article.t || "(no title)"));
    head.appendChild(el("span", "source", article.src));
    article.langs.forEach(function (lang) { head.appendChild(el("span", "badge lang-" + lang, lang)); });
    article.why.forEach(function (reason) { head.appendChild(el("span", "badge reason", reason.replace(/_/g, " "))); });
    head.appendChild(el("span", "chips", article.dr + " dropped \u00b7 " + article.rep + " repaired \u00b7 " + article.fl + " flagged \u00b7 " + article.n + " paragraphs"));
    entry.appendChild(head);
    if (article.full) {
      entry.classList.add("open");
      if (observer) { observer.observe(entry); } else { renderBody(article, entry); }
    }
    return entry;
  }

  function toggleEntry(entry) {
    var article = byAnchor.get(entry.id);
    var body = entry.querySelector(".body");
    var toggle = entry.querySelector(".toggle");
    if (!body) {
      if (observer) { observer.unobserve(entry); }
      renderBody(article, entry);
      toggle.textContent = "\u25be";
      return;
    }
    var open = entry.classList.toggle("open");
    toggle.textContent = open ? "\u25be" : "\u25b8";
  }

  function matches(article, words, lang, reason) {
    if (lang && article.langs.indexOf(lang) < 0) { return false; }
    if (reason && article.why.indexOf(reason) < 0) { return false; }
    if (hasFlags.checked && !article.fl) { return false; }
    if (hasRepairs.checked && !article.rep) { return false; }
    if (words.length) {
      var hay = haystack(article);
      for (var i = 0; i < words.length; i++) { if (hay.indexOf(words[i]) < 0) { return false; } }
    }
    return true;
  }

  function showMore() {
    var end = Math.min(shown + PAGE, matching.length);
    var fragment = document.createDocumentFragment();
    for (var i = shown; i < end; i++) { fragment.appendChild(renderEntry(matching[i])); }
    list.appendChild(fragment);
    shown = end;
    more.hidden = shown >= matching.length;
    more.textContent = "show " + Math.min(PAGE, matching.length - shown) + " more of " + (matching.length - shown);
  }

  function applyFilters() {
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    var lang = langSelect.value;
    var reason = reasonSelect.value;
    matching = articles.filter(function (article) { return matches(article, words, lang, reason); });
    if (observer) { observer.disconnect(); }
    list.textContent = "";
    shown = 0;
    count.textContent = matching.length + " of " + articles.length + " articles";
    showMore();
  }

  function reveal(target) {
    var articleAnchor = target.slice(0, target.lastIndexOf("-"));
    var entry = document.getElementById(articleAnchor);
    if (!entry) {
      var article = byAnchor.get(articleAnchor);
      if (!article) { return; }
      entry = renderEntry(article);
      entry.classList.add("linked");
      list.appendChild(entry);
    }
    if (!entry.querySelector(".body")) {
      if (observer) { observer.unobserve(entry); }
      renderBody(byAnchor.get(articleAnchor), entry);
    }
    if (!entry.classList.contains("open")) { toggleEntry(entry); }
    var node = document.getElementById(target) || entry;
    document.querySelectorAll(".target").forEach(function (old) { old.classList.remove("target"); });
    node.classList.add("target");
    node.scrollIntoView({ block: "center" });
    history.replaceState(null, "", "#" + target);
  }

  function copied(text, onClipboard) {
    var box = document.getElementById("copied");
    box.querySelector("span").textContent = onClipboard
      ? "Copied to the clipboard (add it to review.toml):"
      : "Copy this into review.toml (the clipboard is not available here):";
    box.querySelector("pre").textContent = text;
    box.hidden = false;
  }

  function copy(text) {
    function fallback() {
      var area = el("textarea");
      area.value = text;
      document.body.appendChild(area);
      area.select();
      var done = false;
      try { done = document.execCommand("copy"); } catch (e) { done = false; }
      document.body.removeChild(area);
      copied(text, done);
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { copied(text, true); }, fallback);
    } else {
      fallback();
    }
  }

  list.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) { return; }
    var button = target.closest("button");
    if (button && button.classList.contains("decide")) { copy(button.dataset.toml); return; }
    if (button && button.classList.contains("toggle")) { toggleEntry(button.closest("article")); return; }
    var link = target.closest("a.match-link");
    if (link) { event.preventDefault(); reveal(link.dataset.target); }
  });
  list.addEventListener("change", function (event) {
    var select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.classList.contains("decide-select")) { return; }
    var option = select.options[select.selectedIndex];
    if (option && option.dataset.toml) { copy(option.dataset.toml); }
    select.selectedIndex = 0;
  });
  more.addEventListener("click", showMore);
  document.getElementById("copied-close").addEventListener("click", function () {
    document.getElementById("copied").hidden = true;
  });
  var typing = null;
  search.addEventListener("input", function () {
    clearTimeout(typing);
    typing = setTimeout(applyFilters, 150);
  });
  [langSelect, reasonSelect, hasFlags, hasRepairs].forEach(function (control) {
    control.addEventListener("change", applyFilters);
  });

  // The data is JSON, gzipped and in base64 (a fifth of the size); the browser unpacks it
  // itself (DecompressionStream), with nothing fetched.
  function loadData() {
    var node = document.getElementById("report-data");
    var text = node.textContent.trim();
    if (node.dataset.encoding !== "gzip+base64") { return Promise.resolve(JSON.parse(text)); }
    var binary = atob(text);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text().then(JSON.parse);
  }

  function start(data) {
    articles = data.articles;
    articles.forEach(function (article) { byAnchor.set(article.a, article); });
    options(langSelect, collect("langs"));
    collect("langs").forEach(function (lang) { if (languages.indexOf(lang) < 0) { languages.push(lang); } });
    options(reasonSelect, collect("why"));
    applyFilters();
    if (location.hash.length > 1) { reveal(location.hash.slice(1)); }
    document.body.dataset.ready = "1";
  }

  loadData().then(start, function (error) {
    count.textContent = "The article list cannot be shown in this browser: " + error;
  });
})();
