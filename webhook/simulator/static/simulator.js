// The Messenger simulator page: sends simulated user messages through /simulator/api/send,
// polls /simulator/api/messages for what the bot sent, and draws both. Each simulated user's
// history lives in this tab's sessionStorage only. Every piece of text is set with
// textContent: nothing from a user or the bot is ever parsed as HTML.
(function () {
  "use strict";

  const POLL_MS = 700;
  const RETRY_MS = 3000;
  const TYPING_MS = 20000; // Messenger hides the indicator after about 20 s
  const MAX_ITEMS = 300;
  const MAX_RAW = 100;
  const KHMER = /[\u1780-\u17FF\u19E0-\u19FF]/;
  const WEB_LINK = /^https?:\/\//i;
  const LABELS = { image: "📷 Photo", sticker: "👍", audio: "🎤 Voice message" };

  const root = document.querySelector(".phone");
  const SEND_URL = root.dataset.sendUrl;
  const UPLOAD_URL = root.dataset.uploadUrl;
  const MESSAGES_URL = root.dataset.messagesUrl;
  const $ = (id) => document.getElementById(id);
  const el = {
    user: $("user"), thread: $("thread"), typing: $("typing"), chips: $("chips"),
    banner: $("banner"), raw: $("raw"), text: $("text"), composer: $("composer"),
  };

  const states = {};
  const typingUntil = {};
  let current = sessionStorage.getItem("simulator:user") || el.user.value;
  let loop = 0;
  let pollTimer = null;
  let typingTimer = null;

  // --- state, one per simulated user, kept in sessionStorage -----------------------------

  function storageKey(user) {
    return "simulator:history:" + user;
  }

  function stateOf(user) {
    if (!states[user]) {
      let stored = null;
      try {
        stored = JSON.parse(sessionStorage.getItem(storageKey(user)));
      } catch (err) {
        stored = null;
      }
      states[user] = stored && Array.isArray(stored.items)
        ? stored : { items: [], raw: [], lastSeq: null };
    }
    return states[user];
  }

  function save(user) {
    const state = stateOf(user);
    state.items = state.items.slice(-MAX_ITEMS);
    state.raw = state.raw.slice(-MAX_RAW);
    try {
      sessionStorage.setItem(storageKey(user), JSON.stringify(state));
    } catch (err) { // storage full: keep the newest half
      state.items = state.items.slice(-MAX_ITEMS / 2);
      state.raw = state.raw.slice(-MAX_RAW / 2);
      try { sessionStorage.setItem(storageKey(user), JSON.stringify(state)); } catch (e) { /* */ }
    }
  }

  function addItem(user, item) {
    stateOf(user).items.push(item);
    save(user);
    if (user === current) render();
  }

  function note(user, text, isError) {
    addItem(user, { from: "note", text: text, error: Boolean(isError) });
  }

  // --- talking to the server --------------------------------------------------------------

  async function getJson(url, options) {
    const answer = await fetch(url, Object.assign({ cache: "no-store" }, options || {}));
    const data = await answer.json().catch(() => ({}));
    if (!answer.ok) {
      throw new Error(data.description || data.error || "HTTP " + answer.status);
    }
    return data;
  }

  async function fetchInto(user) {
    const since = stateOf(user).lastSeq;
    const params = new URLSearchParams({ user: user });
    if (since !== null) params.set("since", String(since));
    receive(user, await getJson(MESSAGES_URL + "?" + params.toString()));
  }

  // The first answer for a user only sets where to start: older records are not drawn.
  function receive(user, data) {
    const state = stateOf(user);
    const baseline = state.lastSeq === null;
    const known = state.lastSeq;
    if (typeof data.last_seq === "number" && !baseline && data.last_seq < known) {
      state.lastSeq = 0; // the stand-in restarted and counts from the start again
      save(user);
      return;
    }
    if (typeof data.last_seq === "number") state.lastSeq = data.last_seq;
    if (baseline) {
      save(user);
      return;
    }
    const fresh = (data.messages || []).filter((m) => typeof m.seq !== "number" || m.seq > known);
    if (!fresh.length) return;
    fresh.forEach((message) => receiveOne(user, state, message));
    save(user);
    if (user === current) render();
  }

  function receiveOne(user, state, message) {
    state.raw.push({ seq: message.seq, time: message.time, body: message.raw });
    if (message.kind === "typing") {
      typingUntil[user] = Date.now() + TYPING_MS;
      return;
    }
    typingUntil[user] = 0;
    if (message.kind === "other" && !message.text) return; // typing_off, mark_seen
    state.items.push({
      from: message.kind === "other" ? "note" : "bot",
      kind: message.kind,
      text: message.text || "",
      time: message.time,
      quick_replies: message.quick_replies || [],
      buttons: message.buttons || [],
    });
  }

  async function poll(generation) {
    let wait = POLL_MS;
    if (document.hidden) { // a background tab asks less often
      if (generation === loop) pollTimer = setTimeout(() => poll(generation), RETRY_MS);
      return;
    }
    try {
      await fetchInto(current);
      showBanner("");
    } catch (err) {
      showBanner("Cannot get the bot's messages: " + err.message);
      wait = RETRY_MS;
    }
    if (generation === loop) pollTimer = setTimeout(() => poll(generation), wait);
  }

  function restartPolling() {
    loop += 1;
    clearTimeout(pollTimer);
    poll(loop);
  }

  async function send(kind, fields) {
    const user = current;
    addItem(user, { from: "user", kind: kind, text: fields.title || fields.text || LABELS[kind] });
    try {
      if (stateOf(user).lastSeq === null) await fetchInto(user);
    } catch (err) { /* the poll loop reports it */ }
    try {
      const body = JSON.stringify(Object.assign({ user: user, kind: kind }, fields));
      const data = await getJson(SEND_URL, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: body,
      });
      if (data.status !== 200) {
        note(user, "The webhook answered " + data.status + (data.error ? ": " + data.error : ""),
          true);
      }
    } catch (err) {
      note(user, "Not sent: " + err.message, true);
    }
  }

  // --- drawing ----------------------------------------------------------------------------

  function setText(node, text) {
    node.textContent = text;
    if (KHMER.test(text)) node.lang = "km";
  }

  function make(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) setText(node, text);
    return node;
  }

  function timeLabel(time) {
    if (time === null || time === undefined || time === "") return "";
    const ms = typeof time === "number" ? (time > 1e12 ? time : time * 1000) : Date.parse(time);
    return isNaN(ms) ? "" : new Date(ms).toLocaleTimeString();
  }

  function drawButton(button) {
    if (button.type === "web_url" && WEB_LINK.test(button.url || "")) {
      const link = make("a", "", button.title);
      link.href = button.url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      return link;
    }
    const node = make("button", "", button.title);
    node.type = "button";
    if (button.type === "postback") {
      node.addEventListener("click", () => send("postback", {
        title: button.title, payload: button.payload,
      }));
    } else {
      node.disabled = true;
      node.title = button.type + " buttons do nothing in the simulator";
    }
    return node;
  }

  function drawImage(item) {
    const bubble = make("div", "bubble bot image", "🖼 Image (not loaded here): ");
    const link = make("a", "", item.text);
    if (WEB_LINK.test(item.text)) {
      link.href = item.text;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
    }
    bubble.appendChild(link);
    return bubble;
  }

  function drawItem(item) {
    if (item.from === "note") return make("div", item.error ? "note error" : "note", item.text);
    if (item.from === "user") return make("div", "bubble user", item.text);
    if (item.kind === "image") return drawImage(item);
    const bubble = make("div", "bubble bot", item.text);
    if (item.buttons && item.buttons.length) {
      const box = make("div", "buttons");
      item.buttons.forEach((button) => box.appendChild(drawButton(button)));
      bubble.appendChild(box);
    }
    bubble.title = timeLabel(item.time);
    return bubble;
  }

  function drawChips(items) {
    el.chips.replaceChildren();
    const last = items[items.length - 1];
    if (!last || last.from !== "bot" || !(last.quick_replies || []).length) return;
    last.quick_replies.forEach((quick) => {
      const chip = make("button", "", quick.title);
      chip.type = "button";
      chip.addEventListener("click", () => {
        el.chips.replaceChildren();
        send("quick_reply", { title: quick.title, payload: quick.payload });
      });
      el.chips.appendChild(chip);
    });
  }

  function drawRaw(raw) {
    el.raw.replaceChildren();
    if (!raw.length) el.raw.appendChild(make("p", "note", "Nothing yet for this user."));
    raw.forEach((entry) => {
      const head = "#" + entry.seq + (timeLabel(entry.time) ? "  " + timeLabel(entry.time) : "");
      el.raw.appendChild(make("pre", "", head + "\n" + JSON.stringify(entry.body, null, 2)));
    });
  }

  function drawTyping() {
    const left = (typingUntil[current] || 0) - Date.now();
    el.typing.hidden = left <= 0;
    clearTimeout(typingTimer);
    if (left > 0) typingTimer = setTimeout(drawTyping, left);
  }

  function render() {
    const state = stateOf(current);
    el.thread.replaceChildren(...state.items.map(drawItem));
    drawChips(state.items);
    drawRaw(state.raw);
    drawTyping();
    el.thread.scrollTop = el.thread.scrollHeight;
  }

  function showBanner(text) {
    el.banner.textContent = text;
    el.banner.hidden = !text;
  }

  // --- wiring -----------------------------------------------------------------------------

  function sendTyped() {
    const text = el.text.value;
    if (!text.trim()) return;
    el.text.value = "";
    send("text", { text: text });
  }

  el.composer.addEventListener("submit", (event) => {
    event.preventDefault();
    sendTyped();
  });
  el.text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendTyped();
    }
  });
  // ?ref=NAME opens the chat as an m.me/<page>?ref=NAME link (or its QR code) would: Get Started
  // carries the ref in a new thread; in a thread with messages, Messenger sends a referral event.
  const REF = new URLSearchParams(window.location.search).get("ref") || "";
  $("get-started").addEventListener("click", () => send("postback", Object.assign({
    title: "Get Started", payload: "GET_STARTED",
  }, REF ? { ref: REF } : {})));
  document.querySelectorAll(".extras [data-kind]").forEach((button) => {
    button.addEventListener("click", () => send(button.dataset.kind, {}));
  });
  // A photo or voice note from disk: the Graph stand-in keeps it and serves it as Facebook's
  // CDN would.
  function sendFromDisk(input, kind) {
    input.addEventListener("change", async (event) => {
      const file = event.target.files[0];
      event.target.value = "";
      if (!file) return;
      const form = new FormData();
      form.append("photo", file);
      try {
        const data = await getJson(UPLOAD_URL, { method: "POST", body: form });
        send(kind, { url: data.url });
      } catch (err) {
        note(current, "File not sent: " + err.message, true);
      }
    });
  }
  sendFromDisk($("photo-file"), "image");
  sendFromDisk($("voice-file"), "audio");
  $("clear").addEventListener("click", () => {
    const state = stateOf(current);
    state.items = [];
    state.raw = [];
    save(current);
    render();
  });
  el.user.addEventListener("change", () => {
    current = el.user.value;
    sessionStorage.setItem("simulator:user", current);
    render();
    restartPolling();
  });

  if (![...el.user.options].some((option) => option.value === current)) current = el.user.value;
  el.user.value = current;
  render();
  restartPolling();
  if (REF && stateOf(current).items.length) send("referral", { ref: REF, title: "(opened from " + REF + ")" });
})();
