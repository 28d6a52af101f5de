/* nssf-analysis book: full-text search of every page, offline.
   The documents (assets/search-index.js, written by the build) and lunr.js are added as
   <script> elements the first time a reader searches, so search works from disk (file://)
   as from a server and nothing is fetched; the lunr index is built here, from them. Every
   word typed must occur (the last one may be the start of a word); results link to the
   heading, table, graphic or directory entry they come from. ?q=words in the address
   searches at once. */
(function () {
  "use strict";
  var form = document.getElementById("search");
  var input = document.getElementById("search-q");
  var box = document.getElementById("search-results");
  if (!form || !input || !box) {
    return;
  }
  var base = (function () {
    var s = document.querySelector("script[src$='assets/search.js']");
    return s ? s.getAttribute("src").replace(/search\.js$/, "") : "assets/";
  }());
  var index = null;
  var waiting = [];
  var loading = false;
  var MAX = 50;

  function addScript(src, done) {
    var s = document.createElement("script");
    s.src = base + src;
    s.onload = done;
    s.onerror = function () {
      box.hidden = false;
      box.textContent = "The search index could not be loaded.";
    };
    document.head.appendChild(s);
  }

  function ready(fn) {
    if (index) {
      fn();
      return;
    }
    waiting.push(fn);
    if (loading) {
      return;
    }
    loading = true;
    addScript("lunr.min.js", function () {
      addScript("search-index.js", function () {
        var docs = window.NSSF_SEARCH.docs;
        index = window.lunr(function () {  // titles ten times the body
          this.ref("id");
          this.field("title", { boost: 10 });
          this.field("body");
          this.tokenizer = function (text) {
            return scan(text).map(function (w) { return new window.lunr.Token(w[0], {}); });
          };
          this.pipeline.remove(window.lunr.trimmer);  // it drops every non-Latin letter
          for (var id in docs) {
            this.add({ id: id, title: docs[id][4], body: docs[id][5] });
          }
        });
        var todo = waiting;
        waiting = [];
        todo.forEach(function (f) { f(); });
      });
    });
  }

  /* The words of a text, as the index and the query cut them: [word, where, length].
     A number keeps its decimals and loses its thousands separators (2,584,706 and 2584706
     are one word, 18.08% is 18.08, 6.6.1 one word); letters of every script make words. */
  var WORD = /\d+(?:[.,]\d+)*|[\p{L}\p{M}\p{N}]+/gu;
  var UNSPACED = /[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u9fff]/;  // Thai … Khmer, CJK
  function scan(text) {
    var out = [];
    var m;
    var low = String(text || "").toLowerCase();
    WORD.lastIndex = 0;
    while ((m = WORD.exec(low))) {
      out.push([m[0].replace(/,(?=\d{3}(?!\d))/g, ""), m.index, m[0].length]);
    }
    return out;
  }

  function words(q) {
    return scan(q).map(function (w) { return w[0]; }).filter(function (w, i, all) {
      return window.lunr.stopWordFilter(w) !== undefined && all.indexOf(w) === i;
    });
  }

  var stems = Object.create(null);
  function stem(w) {
    if (!(w in stems)) {
      stems[w] = window.lunr.stemmer(new window.lunr.Token(w, {})).toString();
    }
    return stems[w];
  }

  /* Which word of the query ws a word of the text is, or -1 (the last one may start it; a
     word of a script written without spaces may be inside it). */
  function which(h, ws) {
    for (var i = 0; i < ws.length; i++) {
      if (stem(h) === stem(ws[i]) || (i === ws.length - 1 && h.indexOf(ws[i]) === 0) ||
          (UNSPACED.test(ws[i]) && h.indexOf(ws[i]) >= 0)) {
        return i;
      }
    }
    return -1;
  }

  /* The fewest words of ``said`` (scanned) that hold every word of the query, and where
     they start: [count, index]; [Infinity, 0] when some word is missing. */
  function span(said, ws) {
    var at = [];
    said.forEach(function (w, k) {
      var i = which(w[0], ws);
      if (i >= 0) {
        at.push([k, i]);
      }
    });
    var best = [Infinity, 0];
    var seen = {};
    var n = 0;
    for (var a = 0, b = 0; b < at.length; b++) {
      n += (seen[at[b][1]] = (seen[at[b][1]] || 0) + 1) === 1 ? 1 : 0;
      for (; n === ws.length; a++) {
        if (at[b][0] - at[a][0] + 1 < best[0]) {
          best = [at[b][0] - at[a][0] + 1, at[a][0]];
        }
        n -= --seen[at[a][1]] === 0 ? 1 : 0;
      }
    }
    return best;
  }

  function find(q) {
    var ws = words(q);
    if (!ws.length) {
      return [];
    }
    var L = window.lunr;
    function all(prefix) {
      return index.query(function (query) {
        ws.forEach(function (w, i) {
          if (UNSPACED.test(w)) {  // no spaces between words: a word may be inside one
            query.term(w, { presence: L.Query.presence.REQUIRED, usePipeline: false,
              wildcard: L.Query.wildcard.LEADING | L.Query.wildcard.TRAILING });
          } else if (prefix && i === ws.length - 1) {
            query.term(w, { presence: L.Query.presence.REQUIRED, usePipeline: false,
              wildcard: L.Query.wildcard.TRAILING });
          } else {
            query.term(w, { presence: L.Query.presence.REQUIRED });
          }
        });
      });
    }
    var hits = [];
    try {
      hits = all(false);
      if (!hits.length) {
        hits = all(true); /* the last word may be the start of a word */
      }
    } catch (e) {
      hits = [];
    }
    return hits.map(function (h, k) {
      return { ref: h.ref, key: tier(window.NSSF_SEARCH.docs[h.ref], ws) * 1e6 + k };
    }).sort(function (a, b) { return a.key - b.key; });
  }

  /* Before lunr's order: 0. a title that begins with the words typed (a table by its
     label, a section by its heading) or a directory entry by its whole name; then the
     chapters' sections and tables with the words 1. together (a province, a phrase),
     2. close (within three words each), 3. anywhere; 4. the other directory entries. */
  function tier(d, ws) {
    var title = scan(d[4]);
    if (d[3] === "entry") {
      var named = title.every(function (w) { return which(w[0], ws) >= 0; });
      return named && span(title, ws)[0] < Infinity ? 0 : 4;
    }
    if (title.length >= ws.length && ws.every(function (w, i) {
      return which(title[i][0], ws) === i;
    })) {
      return 0;
    }
    var near = Math.min(span(title, ws)[0], span(scan(d[5]), ws)[0]);
    return near <= ws.length + 1 ? 1 : (near <= 3 * ws.length ? 2 : 3);
  }

  /* Some 180 characters of the body from where the words typed are closest together. */
  function snippet(body, ws) {
    var said = scan(body);
    var k = span(said, ws)[1];
    var start = said.length ? body.lastIndexOf(" ", Math.max(0, said[k][1] - 40)) + 1 : 0;
    return (start ? "\u2026" : "") + body.slice(start, start + 180).trim() +
      (start + 180 < body.length ? "\u2026" : "");
  }

  var KIND = { page: "page", section: "section", table: "table", graphic: "graphic",
    directory: "directory", entry: "directory entry" };

  function show(q) {
    var hits = find(q);
    var ws = words(q);
    var docs = window.NSSF_SEARCH.docs;
    box.textContent = "";
    box.hidden = false;
    var head = document.createElement("p");
    head.className = "search-count";
    head.textContent = hits.length ? (hits.length > MAX ? "First " + MAX + " of " : "") +
      hits.length + " result" + (hits.length === 1 ? "" : "s") + " for \u201c" + q + "\u201d"
      : "Nothing found for \u201c" + q + "\u201d";
    box.appendChild(head);
    var list = document.createElement("ol");
    hits.slice(0, MAX).forEach(function (h) {
      var d = docs[h.ref];
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = d[0];
      a.textContent = d[1];
      li.appendChild(a);
      var where = document.createElement("span");
      where.className = "search-where";
      where.textContent = " \u2014 " + d[2] + " (" + (KIND[d[3]] || d[3]) + ")";
      li.appendChild(where);
      if (d[5] && d[5] !== d[1]) {
        var p = document.createElement("span");
        p.className = "search-snippet";
        p.textContent = snippet(d[5], ws);
        li.appendChild(p);
      }
      list.appendChild(li);
    });
    box.appendChild(list);
    var close = document.createElement("button");
    close.type = "button";
    close.className = "search-close";
    close.textContent = "Close results";
    close.addEventListener("click", function () {
      box.hidden = true;
      input.focus();
    });
    box.appendChild(close);
  }

  function run() {
    var q = input.value.trim();
    if (!q) {
      box.hidden = true;
      return;
    }
    ready(function () { show(q); });
  }

  var timer = null;
  form.hidden = false;
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    run();
  });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 250);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Escape") {
      box.hidden = true;
    }
  });
  var m = /[?&]q=([^&#]*)/.exec(location.search);
  if (m) {
    input.value = decodeURIComponent(m[1].replace(/\+/g, " "));
    run();
  }
}());
