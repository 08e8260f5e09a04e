// « Encaisser des pass »: add code fields, and scan a pass's QR code with the device's camera
// where the browser can (BarcodeDetector and a camera). No external service, no library:
// without them the page works as a plain form.
(function () {
  "use strict";

  var form = document.getElementById("encaisser");
  if (!form) {
    return;
  }
  var codes = document.getElementById("codes");
  var moreParagraph = document.getElementById("plus-de-codes");
  var addButton = null;
  var max = parseInt(codes.getAttribute("data-max"), 10) || 50;
  var canScan = false;

  function groups() {
    return codes.querySelectorAll(".passnum-code-group");
  }

  // Scanning ------------------------------------------------------------------------------

  function stop(scanner) {
    if (scanner.stream) {
      scanner.stream.getTracks().forEach(function (track) {
        track.stop();
      });
    }
    if (scanner.timer) {
      window.clearTimeout(scanner.timer);
    }
    scanner.element.remove();
  }

  function scan(button) {
    var input = document.getElementById(button.getAttribute("data-scan-for"));
    if (!input || button.parentNode.querySelector(".passnum-scanner")) {
      return;
    }
    var element = document.createElement("div");
    element.className = "passnum-scanner fr-mb-2w";
    var status = document.createElement("p");
    status.className = "fr-hint-text";
    status.setAttribute("role", "status");
    status.textContent = "Présentez le QR code du pass devant la caméra.";
    var video = document.createElement("video");
    video.setAttribute("playsinline", "");
    video.setAttribute("aria-label", "Image de la caméra");
    video.muted = true;
    video.style.maxWidth = "100%";
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "fr-btn fr-btn--sm fr-btn--secondary";
    cancel.textContent = "Arrêter le scan";
    element.appendChild(status);
    element.appendChild(video);
    element.appendChild(cancel);
    button.insertAdjacentElement("afterend", element);

    var scanner = { element: element, stream: null, timer: null };
    cancel.addEventListener("click", function () {
      stop(scanner);
      button.focus();
    });
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });

    function look() {
      detector
        .detect(video)
        .then(function (found) {
          if (found.length && found[0].rawValue) {
            input.value = found[0].rawValue.trim();
            stop(scanner);
            input.focus();
            return;
          }
          scanner.timer = window.setTimeout(look, 250);
        })
        .catch(function () {
          scanner.timer = window.setTimeout(look, 500);
        });
    }

    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (stream) {
        scanner.stream = stream;
        video.srcObject = stream;
        return video.play();
      })
      .then(look)
      .catch(function () {
        status.textContent =
          "La caméra n'est pas accessible : saisissez le code à la main.";
      });
    cancel.focus();
  }

  // One « Scanner » button per code field, only where the browser can scan.
  function showScanButtons() {
    if (!canScan) {
      return;
    }
    groups().forEach(function (group) {
      if (group.querySelector(".passnum-scan")) {
        return;
      }
      var input = group.querySelector("input");
      var button = document.createElement("button");
      button.type = "button";
      button.className =
        "fr-btn fr-btn--sm fr-btn--tertiary fr-icon-qr-code-line fr-btn--icon-left fr-mb-2w " +
        "passnum-scan";
      button.setAttribute("data-scan-for", input.id);
      button.textContent = "Scanner";
      var hidden = document.createElement("span");
      hidden.className = "fr-sr-only";
      hidden.textContent = " le code du pass " + input.name.replace("code_", "");
      button.appendChild(hidden);
      group.appendChild(button);
    });
  }

  codes.addEventListener("click", function (event) {
    var button = event.target.closest(".passnum-scan");
    if (button) {
      scan(button);
    }
  });

  if ("BarcodeDetector" in window && navigator.mediaDevices && navigator.mediaDevices.enumerateDevices) {
    Promise.all([
      window.BarcodeDetector.getSupportedFormats
        ? window.BarcodeDetector.getSupportedFormats()
        : Promise.resolve(["qr_code"]),
      navigator.mediaDevices.enumerateDevices(),
    ])
      .then(function (results) {
        var formats = results[0];
        var cameras = results[1].filter(function (device) {
          return device.kind === "videoinput";
        });
        canScan = formats.indexOf("qr_code") !== -1 && cameras.length > 0;
        showScanButtons();
      })
      .catch(function () {
        canScan = false;
      });
  }

  // More code fields ----------------------------------------------------------------------

  function renumber(group, number) {
    var old = group.querySelector("input").name; // code_N
    var oldNumber = old.replace("code_", "");
    var pattern = new RegExp("code_" + oldNumber + "(?![0-9])", "g");
    group.setAttribute("data-field", "id_code_" + number);
    group.querySelectorAll("[id], [for], [name]").forEach(
      function (node) {
        ["id", "for", "name"].forEach(function (attribute) {
          var value = node.getAttribute(attribute);
          if (value) {
            node.setAttribute(attribute, value.replace(pattern, "code_" + number));
          }
        });
      }
    );
    group.querySelectorAll("label").forEach(function (node) {
      node.childNodes.forEach(function (child) {
        if (child.nodeType === Node.TEXT_NODE) {
          child.textContent = child.textContent.replace(
            new RegExp("pass " + oldNumber + "(?![0-9])"),
            "pass " + number
          );
        }
      });
    });
  }

  function addField() {
    var all = groups();
    if (all.length >= max) {
      return;
    }
    var copy = all[all.length - 1].cloneNode(true);
    copy.querySelectorAll(
      ".passnum-scanner, .passnum-scan, .fr-hint-text, [id$='-desc-error']"
    ).forEach(
      function (node) {
        node.remove();
      }
    );
    copy.querySelectorAll(".fr-input-group--error").forEach(function (node) {
      node.classList.remove("fr-input-group--error");
    });
    if (copy.firstElementChild && copy.firstElementChild.classList) {
      copy.firstElementChild.classList.remove("fr-input-group--error");
    }
    var input = copy.querySelector("input");
    input.value = "";
    input.classList.remove("fr-input--error");
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
    renumber(copy, all.length + 1);
    codes.appendChild(copy);
    showScanButtons();
    input.focus();
    if (groups().length >= max) {
      moreParagraph.remove();
    }
  }

  // With the script, « Ajouter un code » replaces the link that reloads the page with more
  // fields.
  if (moreParagraph) {
    addButton = document.createElement("button");
    addButton.type = "button";
    addButton.id = "ajouter-code";
    addButton.className = "fr-btn fr-btn--secondary fr-btn--sm fr-icon-add-line fr-btn--icon-left";
    addButton.textContent = "Ajouter un code";
    addButton.addEventListener("click", addField);
    moreParagraph.replaceChildren(addButton);
  }
})();
