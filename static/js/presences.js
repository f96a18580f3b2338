// Attendance list of a séance: a pouvoir can only go to a member marked present (CGCT L2121-20).
// Without this script the form still works: the server checks the same rules.
(function () {
  "use strict";
  var formulaire = document.querySelector("form[data-presences]");
  if (!formulaire) {
    return;
  }
  var lignes = Array.prototype.slice.call(formulaire.querySelectorAll("tr[data-elu]"));

  function etatDe(ligne) {
    return ligne.querySelector("select[name$='-etat']");
  }

  function mandataireDe(ligne) {
    return ligne.querySelector("select[data-mandataire]");
  }

  function actualiser() {
    var presents = {};
    lignes.forEach(function (ligne) {
      presents[ligne.dataset.elu] = etatDe(ligne).value === "present";
    });
    lignes.forEach(function (ligne) {
      var donnePouvoir = etatDe(ligne).value === "pouvoir";
      Array.prototype.forEach.call(mandataireDe(ligne).options, function (option) {
        var offert = option.value === "" || (
          donnePouvoir && option.value !== ligne.dataset.elu && presents[option.value]
        );
        // A choice no longer offered stays visible while selected, so the server's error is understood.
        var cache = !offert && !option.selected;
        option.hidden = cache;
        option.disabled = cache;
      });
    });
  }

  formulaire.addEventListener("change", function (evenement) {
    var etat = evenement.target;
    if (etat.matches("select[name$='-etat']")) {
      if (etat.value !== "pouvoir") {
        // Only a pouvoir names a mandataire.
        mandataireDe(etat.closest("tr")).value = "";
      }
      actualiser();
    }
  });
  actualiser();

  var resume = formulaire.querySelector("[data-focus]");
  if (resume) {
    resume.focus();
    // Following a link of the summary puts the keyboard on the field to correct, not only the view.
    resume.addEventListener("click", function (evenement) {
      var lien = evenement.target.closest("a[href^='#']");
      var champ = lien && document.getElementById(lien.getAttribute("href").slice(1));
      if (champ) {
        evenement.preventDefault();
        champ.focus();
        champ.scrollIntoView({block: "center"});
      }
    });
  }
})();
