/* nssf-analysis book: one button that shows or hides every code cell, and one that
   copies the suggested citation.
   Each code cell is a <details> element, so code can be opened one cell at a
   time without JavaScript; this only adds the "show all" switch. No network. */
(function () {
  "use strict";
  var toc = document.querySelector("details.toc");
  if (toc && window.matchMedia && window.matchMedia("(max-width: 60rem)").matches) {
    toc.open = false; /* on a phone the contents start folded above the text */
  }
  /* a region that scrolls sideways (a wide table or figure) can be reached and scrolled
     with the keyboard */
  function focusable() {
    var boxes = document.querySelectorAll(
      ".jp-OutputArea-output, .nssf-scroll, .wide, .prose table, .prose pre, .highlight pre"
    );
    for (var i = 0; i < boxes.length; i += 1) {
      var b = boxes[i];
      if (b.scrollWidth > b.clientWidth + 1 || b.scrollHeight > b.clientHeight + 1) {
        var style = window.getComputedStyle(b);
        if (/(auto|scroll)/.test(style.overflowX + style.overflowY)) {
          b.setAttribute("tabindex", "0");
        }
      }
    }
  }
  focusable();
  window.addEventListener("resize", focusable);
  window.addEventListener("load", focusable); /* after the other scripts changed the page */
  var copies = navigator.clipboard ? document.querySelectorAll("button.copy-citation") : [];
  Array.prototype.forEach.call(copies, function (copy) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      var text = document.getElementById(copy.getAttribute("data-target")).textContent;
      navigator.clipboard.writeText(text).then(function () {
        copy.textContent = "Copied";
      }, function () {
        copy.textContent = "Select the text to copy it";
      });
    });
  });
  var button = document.getElementById("toggle-code");
  if (!button) {
    return;
  }
  var key = "nssf-analysis-show-code";
  function apply(open) {
    var cells = document.querySelectorAll("details.nssf-code");
    for (var i = 0; i < cells.length; i += 1) {
      cells[i].open = open;
    }
    button.textContent = open ? "Hide code" : "Show code";
    button.setAttribute("aria-pressed", open ? "true" : "false");
  }
  function remembered() {
    try {
      return window.localStorage.getItem(key) === "1";
    } catch (e) {
      return false;
    }
  }
  function remember(open) {
    try {
      window.localStorage.setItem(key, open ? "1" : "0");
    } catch (e) {
      /* storage unavailable (e.g. some browsers on file://): keep it per page */
    }
  }
  button.hidden = false;
  if (remembered()) {
    apply(true);
  }
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-pressed") !== "true";
    apply(open);
    remember(open);
  });
}());
