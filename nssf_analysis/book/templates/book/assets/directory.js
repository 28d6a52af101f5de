/* nssf-analysis book: filter and sort the annex directories (facilities, branch offices).
   Without this script each directory is a complete table in report order, grouped by
   capital/province; with it, a form above the table filters the rows by name (any
   words, any order) and by the values of the capital/province, ownership and type
   columns, and the column headings sort the rows. Each province's heading counts the
   entries the filter shows. On a narrow screen the name column comes first. No network. */
(function () {
  "use strict";
  var FILTERS = ["Capital/province", "Ownership", "Type"];

  function text(el) {
    return (el.textContent || "").replace(/\s+/g, " ").trim();
  }

  function norm(s) {
    return s.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  }

  function setup(box) {
    var table = box.querySelector("table");
    var tbody = table.tBodies[0];
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var names = heads.map(text);
    var all = Array.prototype.slice.call(tbody.rows);
    var rows = all.filter(function (r) { return !r.classList.contains("dir-group"); });
    var groups = all.filter(function (r) { return r.classList.contains("dir-group"); });
    var nameCol = names.indexOf("Name") >= 0 ? names.indexOf("Name") : names.indexOf("Office");
    var id = box.id;
    /* each row's cells in the report's order, whatever order the screen shows them in */
    rows.forEach(function (r) { r.nssfCells = Array.prototype.slice.call(r.cells); });
    function cell(r, col) {
      return r.nssfCells[col];
    }

    var form = document.createElement("form");
    form.className = "dir-controls";
    form.setAttribute("role", "search");
    form.setAttribute("aria-label", "Filter " + text(table.caption));
    /* the rows follow each keystroke and choice; "Filter" (or Enter) only applies it again */
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      apply();
    });

    function field(label, control) {
      var wrap = document.createElement("label");
      var span = document.createElement("span");
      span.textContent = label;
      wrap.appendChild(span);
      wrap.appendChild(control);
      form.appendChild(wrap);
    }

    var search = document.createElement("input");
    search.type = "search";
    search.id = id + "-filter-name";
    search.setAttribute("data-filter", "name");
    field(names[nameCol] + " contains", search);

    var selects = [];
    FILTERS.forEach(function (name) {
      var col = names.indexOf(name);
      if (col < 0) {
        return;
      }
      var seen = {};
      var values = [];
      rows.forEach(function (r) {
        var v = text(cell(r, col));
        if (!seen[v]) {
          seen[v] = true;
          values.push(v);
        }
      });
      if (name !== "Capital/province") {
        values.sort();
      }
      var select = document.createElement("select");
      select.id = id + "-filter-" + name.toLowerCase().replace(/[^a-z]+/g, "-");
      select.setAttribute("data-filter", name);
      select.setAttribute("data-col", String(col));
      var any = document.createElement("option");
      any.value = "";
      any.textContent = "all";
      select.appendChild(any);
      any.defaultSelected = true;
      values.forEach(function (v) {
        var o = document.createElement("option");
        o.value = v;
        o.textContent = v;
        select.appendChild(o);
      });
      selects.push(select);
      field(name, select);
    });

    var buttons = document.createElement("span");
    buttons.className = "dir-buttons";
    var submit = document.createElement("button");
    submit.type = "submit";
    submit.textContent = "Filter";
    var reset = document.createElement("button");
    reset.type = "reset";
    reset.textContent = "Show all";
    buttons.appendChild(submit);
    buttons.appendChild(reset);
    form.appendChild(buttons);
    var count = document.createElement("output");
    count.className = "dir-count";
    count.setAttribute("aria-live", "polite");
    form.appendChild(count);
    box.insertBefore(form, table);

    var sortCol = -1;
    var sortDir = 1;

    function apply() {
      var words = norm(search.value).split(/\s+/).filter(Boolean);
      var filtered = words.length > 0 || selects.some(function (s) { return s.value; });
      var shown = 0;
      var perGroup = {};
      rows.forEach(function (r) {
        var ok = true;
        var hay = norm(text(cell(r, nameCol)));
        for (var i = 0; ok && i < words.length; i += 1) {
          ok = hay.indexOf(words[i]) >= 0;
        }
        selects.forEach(function (s) {
          if (ok && s.value && text(cell(r, +s.getAttribute("data-col"))) !== s.value) {
            ok = false;
          }
        });
        r.hidden = !ok;
        if (ok) {
          shown += 1;
          perGroup[r.getAttribute("data-group")] = (perGroup[r.getAttribute("data-group")] || 0) + 1;
        }
      });
      groups.forEach(function (g) {
        var n = perGroup[g.id] || 0;
        var total = +g.getAttribute("data-entries");
        g.hidden = sortCol >= 0 || !n;
        if (g.nssfCount) {
          g.nssfCount.textContent = filtered ? "(" + n + " of " + total + ")" : "(" + total + ")";
        }
      });
      count.textContent = shown + " of " + rows.length + " entries";
    }

    rows.forEach(function (r, i) {
      r.setAttribute("data-order", String(i));
    });
    var current = null;
    var entries = {};
    all.forEach(function (r) {
      if (r.classList.contains("dir-group")) {
        current = r.id;
      } else {
        r.setAttribute("data-group", current);
        entries[current] = (entries[current] || 0) + 1;
      }
    });
    groups.forEach(function (g) {
      g.setAttribute("data-entries", String(entries[g.id] || 0));
      g.nssfCount = g.querySelector(".dir-group-count");
    });

    function order() {
      var sorted;
      if (sortCol < 0) {
        sorted = all;
      } else {
        var numeric = heads[sortCol].classList.contains("num");
        sorted = rows.slice().sort(function (a, b) {
          var x = text(cell(a, sortCol));
          var y = text(cell(b, sortCol));
          var c = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y);
          if (c === 0) {
            c = +a.getAttribute("data-order") - +b.getAttribute("data-order");
            return c;
          }
          return c * sortDir;
        });
        groups.forEach(function (g) { tbody.appendChild(g); });
      }
      sorted.forEach(function (r) { tbody.appendChild(r); });
      heads.forEach(function (h, i) {
        var b = h.querySelector("button");
        if (i === sortCol) {
          h.setAttribute("aria-sort", sortDir > 0 ? "ascending" : "descending");
        } else {
          h.removeAttribute("aria-sort");
        }
        if (b) {
          b.setAttribute("data-dir", i === sortCol ? (sortDir > 0 ? "asc" : "desc") : "");
        }
      });
      apply();
    }

    heads.forEach(function (h, i) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "dir-sort";
      b.textContent = names[i];
      b.title = "Sort by " + names[i] + " (again: reverse; a third time: report order)";
      h.textContent = "";
      h.appendChild(b);
      b.addEventListener("click", function () {
        if (sortCol !== i) {
          sortCol = i;
          sortDir = 1;
        } else if (sortDir > 0) {
          sortDir = -1;
        } else {
          sortCol = -1;
        }
        order();
      });
    });

    search.addEventListener("input", apply);
    selects.forEach(function (s) { s.addEventListener("change", apply); });
    form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
    apply();

    /* on a narrow screen the name, what a reader looks for, is the first column */
    var narrow = window.matchMedia ? window.matchMedia("(max-width: 40rem)") : null;
    function arrange() {
      var first = narrow !== null && narrow.matches;
      [{ el: table.tHead.rows[0], cells: heads }].concat(rows.map(function (r) {
        return { el: r, cells: r.nssfCells };
      })).forEach(function (row) {
        var name = row.cells[nameCol];
        var after = first ? row.el.firstElementChild : row.cells[nameCol + 1] || null;
        if (name !== after) {
          row.el.insertBefore(name, after);
        }
      });
      box.classList.toggle("dir-name-first", first);
    }
    if (nameCol >= 0) {
      arrange();
      if (narrow && narrow.addEventListener) {
        narrow.addEventListener("change", arrange);
      } else if (narrow && narrow.addListener) {
        narrow.addListener(arrange);
      }
    }

    /* a link to a province (#a6_6_1-takeo) or an entry (#a6_6_1-1234) shows it even if
       a filter hid it */
    function reveal() {
      var target = location.hash ? document.getElementById(location.hash.slice(1)) : null;
      if (target && box.contains(target) && target.hidden) {
        search.value = "";
        selects.forEach(function (s) { s.value = ""; });
        apply();
        target.scrollIntoView();
      }
    }
    window.addEventListener("hashchange", reveal);
  }

  var boxes = document.querySelectorAll("div[data-directory]");
  for (var i = 0; i < boxes.length; i += 1) {
    setup(boxes[i]);
  }
}());
