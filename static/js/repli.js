// Small screens. 1) Menus and filters (details.repliable) are folded in the HTML, so that a phone, or a
// browser without JavaScript, shows the page's content first (one tap on the summary opens them); they
// are opened here where the screen is at least data-ouvert-des wide.
// 2) A table too wide for the screen scrolls inside itself (app.css): it is made focusable, so that
// it can be scrolled with the keyboard's arrows too.
(function () {
  "use strict";
  var repliables = window.matchMedia ? document.querySelectorAll("details.repliable[data-ouvert-des]") : [];
  Array.prototype.forEach.call(
    repliables,
    function (details) {
      var large = window.matchMedia("(min-width: " + details.getAttribute("data-ouvert-des") + ")");
      if (large.matches) {
        details.open = true;
      }
      // A tablet turned, or a window resized, across the width: the same rule as at load.
      var suivre = function (evenement) {
        details.open = evenement.matches;
      };
      if (large.addEventListener) {
        large.addEventListener("change", suivre);
      } else if (large.addListener) {
        large.addListener(suivre);
      }
    }
  );

  var defilants = document.querySelectorAll("main table, main .tableau-defilant");
  function rendreAtteignables() {
    Array.prototype.forEach.call(defilants, function (element) {
      var defile = element.scrollWidth > element.clientWidth + 1 &&
        /auto|scroll/.test(window.getComputedStyle(element).overflowX);
      if (defile && !element.hasAttribute("tabindex")) {
        element.setAttribute("tabindex", "0");
        element.setAttribute("data-defilant", "");
      } else if (!defile && element.hasAttribute("data-defilant")) {
        element.removeAttribute("tabindex");
        element.removeAttribute("data-defilant");
      }
    });
  }
  var prevu = false;
  rendreAtteignables();
  window.addEventListener("resize", function () {
    if (!prevu) {
      prevu = true;
      window.requestAnimationFrame(function () {
        prevu = false;
        rendreAtteignables();
      });
    }
  });
})();
