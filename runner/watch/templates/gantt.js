"use strict";
/* Gantt timeline of every attempt of every stage, shared by report.html and the dashboard.
 * Runs are laid side by side (idle time between a run and its resume is cut out).
 * Builds DOM nodes only (textContent, never innerHTML): manifest strings are untrusted. */

function reelstageFmtDuration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return s + " s";
  if (s < 3600) return Math.floor(s / 60) + " m " + String(s % 60).padStart(2, "0") + " s";
  return Math.floor(s / 3600) + " h " + String(Math.floor((s % 3600) / 60)).padStart(2, "0") + " m";
}

function reelstageNode(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function reelstageAttempts(manifest, outcomes, nowMs) {
  const all = manifest.stages || {};
  const names = (manifest.pipeline && manifest.pipeline.stages && manifest.pipeline.stages.length)
    ? manifest.pipeline.stages
    : Object.keys(all).sort((a, b) => (all[a].index || 0) - (all[b].index || 0));
  const bars = [];
  for (const stage of names) {
    for (const attempt of (all[stage] || {}).attempts || []) {
      const start = Date.parse(attempt.started_at);
      if (Number.isNaN(start)) continue;
      let end = attempt.ended_at ? Date.parse(attempt.ended_at) : Math.max(nowMs, start);
      if (Number.isNaN(end) || end < start) end = start;
      const outcome = attempt.ended_at ? (outcomes[attempt.reason] || "failed") : "running";
      bars.push({ stage, attempt, start, end, outcome });
    }
  }
  return { names, bars };
}

function reelstageLayoutRuns(bars) {
  const runs = new Map();
  for (const bar of bars) {
    const id = bar.attempt.run_id || "?";
    const run = runs.get(id) || { id, start: bar.start, end: bar.end };
    run.start = Math.min(run.start, bar.start);
    run.end = Math.max(run.end, bar.end);
    runs.set(id, run);
  }
  const order = [...runs.values()].sort((a, b) => a.start - b.start);
  const gap = 2.5;
  const usable = 100 - gap * Math.max(0, order.length - 1);
  const total = order.reduce((sum, run) => sum + Math.max(run.end - run.start, 1000), 0);
  const shares = order.map((run) => Math.max(Math.max(run.end - run.start, 1000) / total, 0.15));
  const shareSum = shares.reduce((a, b) => a + b, 0);
  let left = 0;
  order.forEach((run, i) => {
    run.left = left;
    run.width = (usable * shares[i]) / shareSum;
    run.span = Math.max(run.end - run.start, 1000);
    left += run.width + gap;
  });
  return runs;
}

function reelstageTicks(run) {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800];
  const wanted = Math.max(1, Math.floor(run.width / 6));
  const step = (steps.find((s) => run.span / 1000 / s <= wanted) || 86400) * 1000;
  const ticks = [];
  for (let t = step; t < run.span; t += step) ticks.push(t);
  return ticks;
}

function reelstageGantt(container, manifest, outcomes, nowMs) {
  const { names, bars } = reelstageAttempts(manifest, outcomes, nowMs);
  const runs = reelstageLayoutRuns(bars);
  const root = reelstageNode("div", "gantt");
  if (!bars.length) {
    root.appendChild(reelstageNode("p", "muted", "No attempt yet."));
    container.replaceChildren(root);
    return;
  }
  const axis = reelstageNode("div", "g-row g-axis");
  axis.appendChild(reelstageNode("div", "g-label"));
  const axisTrack = reelstageNode("div", "g-track");
  for (const run of runs.values()) {
    const head = reelstageNode("div", "g-run");
    head.style.left = run.left + "%";
    head.style.width = run.width + "%";
    head.dataset.run = run.id;
    const when = new Date(run.start).toISOString().replace("T", " ").slice(0, 19);
    head.appendChild(reelstageNode("span", "g-run-id", "run " + run.id));
    head.appendChild(reelstageNode("span", "g-run-when", when + "Z · " + reelstageFmtDuration(run.end - run.start)));
    head.title = "run " + run.id + ", started " + when + "Z, " + reelstageFmtDuration(run.end - run.start);
    axisTrack.appendChild(head);
    for (const t of reelstageTicks(run)) {
      const tick = reelstageNode("div", "g-tick", "+" + reelstageFmtDuration(t));
      tick.style.left = run.left + (run.width * t) / run.span + "%";
      axisTrack.appendChild(tick);
    }
  }
  axis.appendChild(axisTrack);
  root.appendChild(axis);
  for (const stage of names) {
    const row = reelstageNode("div", "g-row");
    row.dataset.stage = stage;
    row.appendChild(reelstageNode("div", "g-label", stage));
    const track = reelstageNode("div", "g-track");
    for (const run of runs.values()) {
      const band = reelstageNode("div", "g-band");
      band.style.left = run.left + "%";
      band.style.width = run.width + "%";
      track.appendChild(band);
      for (const t of reelstageTicks(run)) {
        const line = reelstageNode("div", "g-grid");
        line.style.left = run.left + (run.width * t) / run.span + "%";
        track.appendChild(line);
      }
    }
    for (const bar of bars.filter((b) => b.stage === stage)) {
      const run = runs.get(bar.attempt.run_id || "?");
      const node = reelstageNode("div", "g-bar o-" + bar.outcome);
      const width = (run.width * (bar.end - bar.start)) / run.span;
      node.style.left = run.left + (run.width * (bar.start - run.start)) / run.span + "%";
      node.style.width = Math.max(width, 0.5) + "%";
      node.dataset.stage = stage;
      node.dataset.outcome = bar.outcome;
      node.dataset.run = bar.attempt.run_id || "";
      node.dataset.attempt = String(bar.attempt.n);
      const reason = bar.attempt.ended_at ? bar.attempt.reason : "running";
      const exit = bar.attempt.exit_code === null || bar.attempt.exit_code === undefined
        ? "" : ", exit " + bar.attempt.exit_code;
      node.title = stage + " #" + bar.attempt.n + " (run " + bar.attempt.run_id + "): " + reason + exit + ", "
        + reelstageFmtDuration(bar.end - bar.start) + (bar.attempt.error ? "\n" + bar.attempt.error : "");
      if (width > 4) node.textContent = reelstageFmtDuration(bar.end - bar.start);
      track.appendChild(node);
    }
    row.appendChild(track);
    root.appendChild(row);
  }
  const legend = reelstageNode("div", "g-legend");
  const keys = [["success", "success"], ["skipped", "skipped"], ["failed", "failed (exit code, verify, engine)"],
    ["timeout", "timeout"], ["interrupted", "interrupted"], ["running", "running"]];
  for (const [outcome, label] of keys) {
    const item = reelstageNode("span", "g-key");
    item.appendChild(reelstageNode("i", "g-swatch o-" + outcome));
    item.appendChild(document.createTextNode(label));
    legend.appendChild(item);
  }
  root.appendChild(legend);
  container.replaceChildren(root);
}
