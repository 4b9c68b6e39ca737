/* Paper uploads, enhanced: a progress bar while the file travels, the size checked before a
   phone spends its data on a file that would be refused, and no double submits. Without
   JavaScript every form posts normally and the server answers with the page, errors included. */
(function () {
  "use strict";
  if (!window.FormData || !window.XMLHttpRequest || !document.querySelector) return;

  var SCROLL_KEY = "dossier-upload-slot";

  function errorBox(form) {
    var slot = form.closest(".slot");
    return slot ? slot.querySelector(".error-text[id$='-error']") : null;
  }

  function showError(form, text) {
    var box = errorBox(form);
    if (box) {
      box.setAttribute("role", "alert");
      box.textContent = text;
      box.hidden = false;
      box.closest(".slot").classList.add("slot-error");
    } else {
      window.alert(text);
    }
  }

  function clearError(form) {
    var box = errorBox(form);
    if (box) {
      box.textContent = "";
      box.hidden = true;
      box.closest(".slot").classList.remove("slot-error");
    }
  }

  function chosenFile(form) {
    var inputs = form.querySelectorAll("input[type=file]");
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].files && inputs[i].files.length) return inputs[i].files[0];
    }
    return null;
  }

  function goTo(url) {
    // Navigate without the #fragment so the page is always fetched again (a fragment-only
    // change would just scroll), then scroll back to the paper once it has loaded.
    var target = new URL(url, window.location.href);
    if (target.hash) window.sessionStorage.setItem(SCROLL_KEY, target.hash.slice(1));
    window.location.assign(target.pathname + target.search);
  }

  function upload(event, form) {
    var file = chosenFile(form);
    if (!file) return; // the server answers "choose a file first"
    event.preventDefault();
    clearError(form);
    var max = parseInt(form.getAttribute("data-max-bytes"), 10);
    if (max && file.size > max) {
      showError(form, form.getAttribute("data-too-large"));
      return;
    }
    var button = form.querySelector("button[type=submit]");
    var box = form.querySelector(".upload-progress");
    var bar = box && box.querySelector("progress");
    if (box) box.hidden = false;
    if (bar) bar.value = 0;
    if (button) button.disabled = true;

    function finished() {
      if (box) box.hidden = true;
      if (button) button.disabled = false;
    }

    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable && bar) bar.value = Math.round((e.loaded / e.total) * 100);
    });
    xhr.addEventListener("load", function () {
      var reply = null;
      try {
        reply = JSON.parse(xhr.responseText);
      } catch (err) {
        // Not our JSON (a login page after the session ended…): post the plain way instead.
        finished();
        form.submit();
        return;
      }
      if (reply.redirect && (reply.ok || xhr.status === 409)) {
        goTo(reply.redirect);
        return;
      }
      finished();
      showError(form, reply.error || form.getAttribute("data-failed"));
    });
    xhr.addEventListener("error", function () {
      finished();
      showError(form, form.getAttribute("data-failed"));
    });
    xhr.send(new FormData(form));
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type !== "file" || !input.form || !input.form.hasAttribute("data-upload")) return;
    // A photo or a file, not both: the last one chosen wins.
    var inputs = input.form.querySelectorAll("input[type=file]");
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i] !== input) inputs[i].value = "";
    }
    clearError(input.form);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-upload")) {
      upload(event, form);
      return;
    }
    var once = form.querySelector("[data-once]");
    if (once) {
      if (form.getAttribute("data-sent")) {
        event.preventDefault();
        return;
      }
      form.setAttribute("data-sent", "1");
    }
  });

  var slotId = window.sessionStorage.getItem(SCROLL_KEY);
  if (slotId) {
    window.sessionStorage.removeItem(SCROLL_KEY);
    var slot = document.getElementById(slotId);
    if (slot) slot.scrollIntoView();
  }
})();
