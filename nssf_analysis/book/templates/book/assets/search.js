/* nssf-analysis book: full-text search of every page, offline.
   The index (assets/search-index.js, written by the build with lunr) and lunr.js are
   added as <script> elements the first time a reader searches, so search works from
   disk (file://) as from a server and nothing is fetched. Every word typed must occur
   (the last one may be the start of a word); results link to the heading, table,
   graphic or directory entry they come from. ?q=words in the address searches at once. */
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
        index = window.lunr(function () {  // titles ten times the body, as search.py says
          this.ref("id");
          this.field("title", { boost: 10 });
          this.field("body");
          for (var id in docs) {
            this.add({ id: id, title: docs[id][5], body: docs[id][6] });
          }
        });
        var todo = waiting;
        waiting = [];
        todo.forEach(function (f) { f(); });
      });
    });
  }

  function words(q) {
    return q.toLowerCase().split(/[^0-9a-z\u00c0-\u024f]+/).filter(function (w) {
      return w && window.lunr.stopWordFilter(w) !== undefined;
    });
  }

  function find(q) {
    var ws = words(q);
    if (!ws.length) {
      return [];
    }
    var P = window.lunr.Query.presence;
    function all(prefix) {
      return index.query(function (query) {
        ws.forEach(function (w, i) {
          if (prefix && i === ws.length - 1) {
            query.term(w, { presence: P.REQUIRED, usePipeline: false,
              wildcard: window.lunr.Query.wildcard.TRAILING });
          } else {
            query.term(w, { presence: P.REQUIRED });
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
    return hits;
  }

  var KIND = { page: "page", section: "section", table: "table", graphic: "graphic",
    directory: "directory", entry: "directory entry" };

  function show(q) {
    var hits = find(q);
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
      if (d[4] && d[4] !== d[1]) {
        var p = document.createElement("span");
        p.className = "search-snippet";
        p.textContent = d[4];
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
