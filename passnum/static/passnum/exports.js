// « Exports »: while a file is being made in the background, read the page again every few
// seconds and replace the list of files (progress, download links), then say which file is
// ready. Without JavaScript the page works the same with its « Actualiser l'avancement » link.
(function () {
  "use strict";

  var section = document.getElementById("fichiers");
  var announce = document.getElementById("fichiers-annonce");
  if (!section || !announce || !window.fetch || !window.DOMParser) {
    return;
  }
  var DELAY = 3000;

  function readyIds(root) {
    var ids = {};
    root.querySelectorAll("[data-pret]").forEach(function (link) {
      ids[link.getAttribute("data-pret")] = true;
    });
    return ids;
  }

  function update(fresh) {
    // Never move the keyboard focus: wait until it leaves the list.
    if (section.contains(document.activeElement)) {
      return;
    }
    var before = readyIds(section);
    section.innerHTML = fresh.innerHTML;
    section.setAttribute("data-en-cours", fresh.getAttribute("data-en-cours"));
    var ready = Object.keys(readyIds(section)).filter(function (id) {
      return !before[id];
    });
    if (ready.length === 1) {
      announce.textContent = "L'export n° " + ready[0] + " est prêt à télécharger.";
    } else if (ready.length > 1) {
      announce.textContent = ready.length + " exports sont prêts à télécharger.";
    }
  }

  function poll() {
    if (section.getAttribute("data-en-cours") !== "oui") {
      return;
    }
    window.setTimeout(function () {
      fetch(window.location.pathname + window.location.search, {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.text();
        })
        .then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var fresh = page.getElementById("fichiers");
          if (fresh) {
            update(fresh);
          }
          poll();
        })
        .catch(function () {
          // Signed out, or the network is gone: the link still works.
        });
    }, DELAY);
  }

  poll();
})();
