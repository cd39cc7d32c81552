// Accord dashboard: what JavaScript adds to pages that work without it.
// 1. The time control's slider (moves the date field and submits the form).
// 2. Live notices from the event stream (/v1/events) while looking at "now": on a page
//    about one agreement, a notice (with a link to refresh) when its log grows, and the
//    page's parts (`data-live-part`: the summary with the current phase, the phases,
//    relief, triggers, ...) updated in place from the page read again.
// 3. The inclusion check: hash the leaf here, fetch the proof for the checkpoint's size,
//    recompute the root (RFC 9162 §2.1.3.2) and compare it with the signed checkpoint's
//    the page shows.
"use strict";

function shiftDate(start, days) {
  const d = new Date(start + "T00:00:00Z");
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function wireSlider() {
  const box = document.querySelector(".time-control .slider");
  if (!box) return;
  box.hidden = false;
  const slider = box.querySelector("input");
  const field = document.getElementById("as_of");
  const show = () => {
    const date = shiftDate(box.dataset.start, Number(slider.value));
    field.value = date;
    slider.setAttribute("aria-valuetext", date);
    return date;
  };
  slider.addEventListener("input", show);
  slider.addEventListener("change", () => { show(); field.form.submit(); });
}

// On a page about one log (its origin in `data-origin`), only that log's events are told;
// elsewhere (the home page), every log's. The notice links to the page itself: following
// it shows the page as it is now. `data-listening` says the stream is open (the server has
// read the sizes it compares with), which the browser tests wait for.
function wireLive() {
  if (document.body.dataset.live !== "true" || !window.EventSource) return;
  const region = document.getElementById("live");
  const mine = document.querySelector("[data-origin]");
  const origin = mine ? mine.dataset.origin : null;
  const source = new EventSource("/v1/events");
  source.addEventListener("open", () => { document.body.dataset.listening = "true"; });
  // What arrived since the page was read, per log: one notice says it all.
  const seen = new Map();
  const tell = (kind) => (event) => {
    const data = JSON.parse(event.data);
    if (origin && data.origin !== origin) return;
    const log = seen.get(data.origin) || {};
    log[kind] = data.size;
    seen.set(data.origin, log);
    const parts = [];
    for (const [name, got] of seen) {
      const where = origin ? "this agreement's log" : `log ${name}`;
      const what = [];
      if (got.entry !== undefined) what.push(`new entries (size ${got.entry})`);
      if (got.checkpoint !== undefined) what.push(`a new checkpoint (size ${got.checkpoint})`);
      parts.push(`${where}: ${what.join(", ")}`);
    }
    const notice = document.createElement("p");
    notice.className = "notice";
    notice.append(`Since this page was read, ${parts.join("; ")}. `);
    const refresh = document.createElement("a");
    refresh.href = location.pathname + location.search;
    refresh.textContent = "Refresh the page";
    notice.append(refresh);
    region.replaceChildren(...[notice, updated].filter(Boolean));
    if (origin && kind === "entry") scheduleUpdate(region);
  };
  source.addEventListener("entry", tell("entry"));
  source.addEventListener("checkpoint", tell("checkpoint"));
}

// Reads the page again (at most one read in flight; another follows if the log grew
// meanwhile) and replaces each `data-live-part` by its new version, unless it holds the
// keyboard focus (then the notice's link is the way). `data-updated` counts the updates,
// which the browser tests wait for.
let updating = false, again = false, updated = null;
function scheduleUpdate(region) {
  if (updating) { again = true; return; }
  updating = true;
  setTimeout(async () => {
    try {
      const response = await fetch(location.pathname + location.search, { credentials: "same-origin" });
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const part of document.querySelectorAll("[data-live-part][id]")) {
        const next = fresh.getElementById(part.id);
        if (next && !part.contains(document.activeElement)) part.replaceWith(document.importNode(next, true));
      }
      document.body.dataset.updated = String(Number(document.body.dataset.updated || 0) + 1);
      const phase = document.getElementById("current-phase");
      updated = document.createElement("p");
      updated.className = "updated";
      updated.textContent = `Updated in place: current phase ${phase ? phase.textContent : "unknown"}.`;
      region.replaceChildren(...[region.querySelector(".notice"), updated].filter(Boolean));
    } catch (e) {
      // The notice's link still reads the page again.
    } finally {
      updating = false;
      if (again) { again = false; scheduleUpdate(region); }
    }
  }, 200);
}

function b64(text) { return Uint8Array.from(atob(text.trim()), (c) => c.charCodeAt(0)); }

async function sha256(...parts) {
  const size = parts.reduce((n, p) => n + p.length, 0);
  const all = new Uint8Array(size);
  let at = 0;
  for (const p of parts) { all.set(p, at); at += p.length; }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", all));
}

function same(a, b) { return a.length === b.length && a.every((x, i) => x === b[i]); }

// RFC 9162 §2.1.3.2: the root an inclusion proof gives for a leaf hash.
async function rootFromProof(index, size, leafHash, proof) {
  if (index >= size) throw new Error("the index is past the tree's size");
  let fn = index, sn = size - 1, r = leafHash;
  for (const p of proof) {
    if (sn === 0) throw new Error("the proof is too long");
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(Uint8Array.of(1), p, r);
      while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      r = await sha256(Uint8Array.of(1), r, p);
    }
    fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new Error("the proof is too short");
  return r;
}

async function checkInclusion(button) {
  const section = button.closest("[data-agreement]");
  const id = section.dataset.agreement;
  const out = document.getElementById("result-" + button.dataset.index);
  out.className = "result";
  out.textContent = "Checking…";
  try {
    // The checkpoint the page shows (the latest, or the latest as of the page's date).
    const shown = document.getElementById("checkpoint-note");
    if (!shown) throw new Error("the page shows no checkpoint to check against");
    const [, sizeLine, rootLine] = shown.textContent.split("\n");
    const size = Number(sizeLine), root = b64(rootLine);
    const index = Number(button.dataset.index);
    if (index >= size) throw new Error(`the checkpoint shown (size ${size}) does not cover it`);
    const proofResponse = await fetch(`/v1/agreements/${id}/log/inclusion?index=${index}&size=${size}`);
    if (!proofResponse.ok) throw new Error("no proof: " + proofResponse.status);
    const proof = await proofResponse.json();
    const leafHash = await sha256(Uint8Array.of(0), b64(button.dataset.leaf));
    const computed = await rootFromProof(index, size, leafHash, proof.proof.map(b64));
    if (!same(computed, root)) throw new Error("the recomputed root differs from the checkpoint's");
    out.classList.add("ok");
    out.textContent = `Included: the root recomputed here matches the checkpoint at size ${size}.`;
  } catch (e) {
    out.classList.add("bad");
    out.textContent = "Not verified: " + e.message;
  }
}

function wireInclusion() {
  for (const button of document.querySelectorAll("button.check")) {
    button.hidden = false;
    button.addEventListener("click", () => checkInclusion(button));
  }
}

document.addEventListener("DOMContentLoaded", () => { wireSlider(); wireLive(); wireInclusion(); });
