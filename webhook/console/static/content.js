// The content editor: character counters and a live phone preview while typing.
// The page works without this script: "Save draft" shows the preview too.
(function () {
  "use strict";
  const form = document.getElementById("answer-form");
  if (!form) return;
  const preview = document.getElementById("preview");
  const csrf = form.querySelector("input[name=csrf_token]").value;
  let timer = null;
  let sent = 0;

  function updateCounters() {
    form.querySelectorAll("[data-counter-for]").forEach(function (counter) {
      const field = document.getElementById(counter.dataset.counterFor);
      const max = Number(counter.dataset.max);
      counter.textContent = field.value.length + "/" + max;
      counter.classList.toggle("over", field.value.length > max);
    });
  }

  async function refreshPreview() {
    const mine = ++sent;
    const body = new FormData(form);
    body.delete("action");
    try {
      const response = await fetch(form.dataset.previewUrl, {
        method: "POST", body: body, headers: { "X-CSRF-Token": csrf }, credentials: "same-origin",
      });
      if (response.ok && mine === sent) preview.innerHTML = await response.text();
    } catch (error) {
      // offline for a moment: the preview catches up on the next keystroke
    }
  }

  form.addEventListener("input", function () {
    updateCounters();
    clearTimeout(timer);
    timer = setTimeout(refreshPreview, 250);
  });
  updateCounters();
})();
