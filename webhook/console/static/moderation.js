// The moderators' console: live updates over server-sent events (fed by Redis pub/sub),
// a sound and a browser notification when a case enters the queue, canned answers.
// Text from users is only ever set with textContent.
"use strict";

(function () {
  const queuePage = document.getElementById("queue-page");
  const conversationPage = document.getElementById("conversation-page");
  const page = queuePage || conversationPage;
  if (!page) return;

  // the page's language: its strings come from the server's catalogue (data-strings on body)
  const strings = JSON.parse(document.body.dataset.strings || "{}");
  const lang = document.documentElement.lang || "en";
  function t(text, values) {
    let out = strings[text] || text;
    for (const [name, value] of Object.entries(values || {})) {
      out = out.split("%(" + name + ")s").join(String(value));
    }
    return out;
  }
  function timeText(seconds) {
    // Phnom Penh time, in the page's language (the same zone the server renders in)
    return new Date(seconds * 1000).toLocaleString(lang === "km" ? "km-KH" : "en-GB",
      { timeZone: document.body.dataset.timezone || "Asia/Phnom_Penh",
        dateStyle: "short", timeStyle: "short" });
  }

  function csrf() {
    const field = document.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }

  function beep() {
    try {
      const audio = new (window.AudioContext || window.webkitAudioContext)();
      const tone = audio.createOscillator();
      tone.frequency.value = 880;
      tone.connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.2);
    } catch (error) { /* no sound available */ }
  }

  function notify(text) {
    if ("Notification" in window && Notification.permission === "granted") {
      new Notification(t("Helpline console"), { body: text });
    }
  }

  function cell(text) {
    const td = document.createElement("td");
    td.textContent = text;
    return td;
  }

  function claimForm(ref) {
    const form = document.createElement("form");
    form.method = "post";
    form.action = "/console/c/" + encodeURIComponent(ref) + "/claim";
    const token = document.createElement("input");
    token.type = "hidden"; token.name = "csrf_token"; token.value = csrf();
    const button = document.createElement("button");
    button.type = "submit"; button.textContent = t("Claim");
    form.append(token, button);
    return form;
  }

  function drawQueue(data) {
    const rows = document.getElementById("waiting-rows");
    rows.replaceChildren();
    document.getElementById("waiting-count").textContent = String(data.waiting.length);
    if (!data.waiting.length) {
      const row = document.createElement("tr");
      row.className = "empty";
      const td = cell(t("Nobody is waiting.")); td.colSpan = 6;
      row.append(td); rows.append(row);
    }
    for (const item of data.waiting) {
      const row = document.createElement("tr");
      row.dataset.ref = item.ref;
      const actions = document.createElement("td");
      actions.append(claimForm(item.ref));
      const last = cell(item.last_message); last.className = "last";
      const team = cell(item.team_name || ""); team.className = "team" + (item.mine ? " my-team" : "");
      const why = cell(item.reason_name || item.reason);
      const code = document.createElement("small"); code.className = "code"; code.textContent = " " + item.reason;
      why.append(code);
      row.append(cell(t("%(minutes)s min", { minutes: Math.floor(item.waiting_s / 60) })), cell(item.language || "?"),
                 why, team, last, actions);
      rows.append(row);
    }
    const owned = document.getElementById("owned-list");
    owned.replaceChildren();
    for (const item of data.owned) {
      const li = document.createElement("li");
      const link = document.createElement("a");
      link.href = queuePage.dataset.conversationUrl.replace("REF", encodeURIComponent(item.ref));
      link.textContent = item.reason_name || t("conversation");
      li.append(link, document.createTextNode(" · " + (item.claimed_by || "") +
                (item.claimed_by === data.me ? " " + t("(you)") : "")));
      owned.append(li);
    }
    if (!data.owned.length) {
      const li = document.createElement("li"); li.className = "empty"; li.textContent = t("None.");
      owned.append(li);
    }
  }

  function refreshQueue() {
    fetch(queuePage.dataset.queueUrl, { credentials: "same-origin" })
      .then((r) => r.json()).then(drawQueue).catch(() => {});
  }

  function media(item) {
    // the same as the template's _evidence.html: thumbnails, audio players, downloads
    const span = document.createElement("span");
    span.className = "evidence"; span.dataset.evidenceId = item.id;
    if (item.thumb_url) {
      const link = document.createElement("a");
      link.href = item.url; link.target = "_blank"; link.rel = "noopener";
      const img = document.createElement("img");
      img.className = "evidence-thumb"; img.src = item.thumb_url; img.width = 160;
      img.alt = t("Picture the user sent");
      link.append(img); span.append(link);
    } else if (item.mime.startsWith("audio/") || item.mime === "video/mp4") {
      const player = document.createElement(item.mime === "video/mp4" ? "video" : "audio");
      player.className = item.mime === "video/mp4" ? "evidence-video" : "evidence-audio";
      player.controls = true; player.preload = "none"; player.src = item.url;
      span.append(player);
    } else {
      const link = document.createElement("a");
      link.className = "evidence-file"; link.href = item.url; link.download = "";
      link.textContent = t("Download %(kind)s (%(mime)s, %(size)s KB)",
        { kind: item.kind, mime: item.mime, size: (item.size / 1024).toFixed(1) });
      span.append(link);
    }
    return span;
  }

  function drawTranscript(data) {
    const list = document.getElementById("transcript");
    list.replaceChildren();
    const evidence = data.evidence || [];
    for (const entry of data.transcript) {
      const li = document.createElement("li");
      li.className = "from-" + entry.role;
      const who = document.createElement("span");
      who.className = "who"; who.textContent = entry.author || entry.role;
      const when = document.createElement("time");
      when.dateTime = String(entry.t);
      when.textContent = timeText(entry.t);
      const text = document.createElement("p");
      text.textContent = entry.text;
      li.append(who, when, text);
      for (const item of evidence) {
        if (entry.mid && item.mid === entry.mid) li.append(media(item));
      }
      list.append(li);
    }
    const owner = document.getElementById("owner");
    owner.textContent = t(data.owner || "bot") + (data.claimed_by ? " · " + data.claimed_by : "");
  }

  function refreshConversation() {
    fetch(conversationPage.dataset.transcriptUrl, { credentials: "same-origin" })
      .then((r) => r.json()).then(drawTranscript).catch(() => {});
  }

  const status = document.getElementById("live-status");
  // another origin in development (the events server's port): send the session cookie there
  const eventsUrl = new URL(page.dataset.eventsUrl, window.location.href);
  const events = new EventSource(eventsUrl,
    { withCredentials: eventsUrl.origin !== window.location.origin });
  events.onopen = () => { if (status) status.textContent = t("Live updates: on"); };
  events.onerror = () => { if (status) status.textContent = t("Live updates: reconnecting…"); };
  events.onmessage = (message) => {
    let event;
    try { event = JSON.parse(message.data); } catch (error) { return; }
    if (queuePage) {
      refreshQueue();
      if (event.type === "queued") { beep(); notify(t("A new conversation is waiting.")); }
    } else if (event.ref === conversationPage.dataset.ref) {
      refreshConversation();
    }
  };

  const alerts = document.getElementById("enable-alerts");
  if (alerts) {
    alerts.addEventListener("click", () => {
      if ("Notification" in window) Notification.requestPermission();
      beep();
      alerts.textContent = t("Sound and notifications on");
    });
  }

  const canned = document.getElementById("canned");
  if (canned) {
    canned.addEventListener("change", () => {
      const box = document.getElementById("reply-text");
      if (canned.value) box.value = canned.value;
    });
  }

  for (const time of document.querySelectorAll("time[datetime]")) {
    const seconds = Number(time.getAttribute("datetime"));
    if (seconds && !time.dataset.server) time.textContent = timeText(seconds);
  }
})();
