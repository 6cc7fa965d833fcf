// The supervisors' dashboard: signs in through POST /v1/auth/token, keeps the access token in
// sessionStorage (gone when the tab closes), and reads the JSON API with it every 30 seconds.
// Data is written with textContent only, never as HTML.
"use strict";

(() => {
  const TOKEN_KEY = "complaint-service.dashboard.token";
  const WHO_KEY = "complaint-service.dashboard.who";
  const params = new URLSearchParams(window.location.search);
  const REFRESH_MS = Math.max(5, Number(params.get("refresh")) || 30) * 1000;
  const AGE_BUCKETS = [
    ["under_4h", "< 4 h"],
    ["from_4h_to_24h", "4–24 h"],
    ["from_1d_to_3d", "1–3 days"],
    ["over_3d", "> 3 days"],
  ];
  const COLORS = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#ea580c", "#64748b"];

  const $ = (id) => document.getElementById(id);
  const charts = {};
  let timer = null;
  let refreshing = false;
  let refreshes = 0;

  class Unauthorized extends Error {}

  // ---- API ---------------------------------------------------------------------------------
  async function api(path, options = {}) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const headers = { Accept: "application/json", ...(options.headers || {}) };
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(path, { ...options, headers });
    if (response.status === 401) throw new Unauthorized("signed out");
    const body = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
    if (!response.ok) {
      const error = new Error(body?.detail || body?.title || `HTTP ${response.status}`);
      error.status = response.status;
      throw error;
    }
    return body;
  }

  // ---- formatting --------------------------------------------------------------------------
  const percent = (rate) => (rate === null || rate === undefined ? "—" : `${(rate * 100).toFixed(1)}%`);
  const hours = (seconds) => (seconds === null || seconds === undefined ? "—" : `${(seconds / 3600).toFixed(1)} h`);

  function age(iso) {
    const minutes = Math.max(0, (Date.now() - Date.parse(iso)) / 60000);
    if (minutes < 60) return `${Math.round(minutes)} min`;
    if (minutes < 48 * 60) return `${(minutes / 60).toFixed(1)} h`;
    return `${(minutes / 1440).toFixed(1)} d`;
  }

  // ISO timestamps from the API carry the service's time zone: show its wall-clock time as is.
  const bucketLabel = (iso, bucket) => (bucket === "hour" ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(5, 10));
  const shortTime = (iso) => `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  // ---- KPI tiles ---------------------------------------------------------------------------
  function tiles(summary) {
    const f = summary.figures;
    const t = summary.targets;
    const frt = f.first_response_time.wall;
    return [
      { key: "volume", title: "Complaints received", value: String(f.volume), raw: f.volume, detail: "in the period" },
      ratioTile("response_rate", "Response rate", f.response_rate, t.response_rate, "min"),
      ratioTile("resolution_rate", "Resolution rate", f.resolution_rate, t.resolution_rate, "min"),
      ratioTile("sla_first_response", "First-response SLA", f.sla_first_response),
      ratioTile("sla_resolution", "Resolution SLA", f.sla_resolution),
      ratioTile("satisfaction", "Satisfaction (CSAT)", f.satisfaction.satisfied, t.satisfaction, "min"),
      ratioTile("repeat_rate", "Repeat rate", f.repeat_rate, t.repeat_rate, "max"),
      ratioTile("conversion", "Conversion", f.conversion, t.conversion, "min"),
      {
        key: "first_response_median",
        title: "First response (median)",
        value: hours(frt.median_seconds),
        raw: frt.median_seconds,
        target: `target ≤ ${hours(t.first_response_seconds)}`,
        state: frt.median_seconds === null ? "none" : frt.median_seconds <= t.first_response_seconds ? "ok" : "bad",
        detail: `p90 ${hours(frt.p90_seconds)} · ${frt.count} answered`,
      },
      {
        key: "backlog",
        title: "Open backlog",
        value: String(summary.backlog.total),
        raw: summary.backlog.total,
        detail: summary.backlog.by_status.filter((row) => row.total).map((row) => `${row.status} ${row.total}`).join(" · ") || "nothing open",
      },
    ];
  }

  function ratioTile(key, title, ratio, target, kind) {
    const tile = { key, title, value: percent(ratio.rate), raw: ratio.rate, detail: `${ratio.numerator} / ${ratio.denominator}` };
    if (target !== undefined) {
      tile.target = `target ${kind === "max" ? "≤" : "≥"} ${percent(target)}`;
      if (ratio.rate === null) tile.state = "none";
      else tile.state = (kind === "max" ? ratio.rate <= target : ratio.rate >= target) ? "ok" : "bad";
    }
    return tile;
  }

  function renderTiles(summary) {
    const container = $("kpis");
    container.replaceChildren(
      ...tiles(summary).map((tile) => {
        const node = element("article", null, `tile ${tile.state || "none"}`);
        node.dataset.kpi = tile.key;
        node.dataset.raw = tile.raw === null ? "" : String(tile.raw);
        node.append(element("h3", tile.title), element("p", tile.value, "value"));
        node.append(element("p", tile.target || "no target", "target"), element("p", tile.detail, "detail"));
        return node;
      }),
    );
  }

  // ---- charts ------------------------------------------------------------------------------
  function chart(id, config) {
    if (charts[id]) {
      charts[id].data = config.data;
      charts[id].update("none");
      return;
    }
    config.options = {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { position: "bottom" } },
      ...config.options,
    };
    charts[id] = new window.Chart($(id), config);
  }

  function renderTimeseries(series) {
    const labels = series.points.map((p) => bucketLabel(p.start, series.bucket));
    chart("chart-volume", {
      type: "bar",
      data: {
        labels,
        datasets: [
          { label: "Received", data: series.points.map((p) => p.received), backgroundColor: COLORS[0] },
          { label: "Resolved", data: series.points.map((p) => p.resolved), backgroundColor: COLORS[1] },
          { label: "First answered", data: series.points.map((p) => p.first_answered), type: "line", borderColor: COLORS[2], backgroundColor: COLORS[2] },
        ],
      },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
    const pct = (ratio) => (ratio.rate === null ? null : Math.round(ratio.rate * 1000) / 10);
    chart("chart-sla", {
      type: "line",
      data: {
        labels,
        datasets: [
          { label: "Response rate", data: series.points.map((p) => pct(p.response_rate)), borderColor: COLORS[0], backgroundColor: COLORS[0], spanGaps: true },
          { label: "First-response SLA", data: series.points.map((p) => pct(p.sla_first_response)), borderColor: COLORS[2], backgroundColor: COLORS[2], spanGaps: true },
          { label: "Resolution SLA", data: series.points.map((p) => pct(p.sla_resolution)), borderColor: COLORS[1], backgroundColor: COLORS[1], spanGaps: true },
        ],
      },
      options: { scales: { y: { min: 0, max: 100, ticks: { callback: (v) => `${v}%` } } } },
    });
  }

  function renderBreakdowns(byCategory, byChannel) {
    chart("chart-category", {
      type: "bar",
      data: {
        labels: byCategory.items.map((row) => row.label || row.key || "untriaged"),
        datasets: [
          { label: "Received", data: byCategory.items.map((row) => row.figures.volume), backgroundColor: COLORS[0] },
          { label: "Open now", data: byCategory.items.map((row) => row.open), backgroundColor: COLORS[3] },
        ],
      },
      options: { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
    chart("chart-channel", {
      type: "doughnut",
      data: {
        labels: byChannel.items.map((row) => row.label || row.key || "unknown"),
        datasets: [{ data: byChannel.items.map((row) => row.figures.volume), backgroundColor: COLORS }],
      },
      options: { plugins: { legend: { position: "right" } } },
    });
  }

  function renderBacklog(backlog) {
    chart("chart-backlog", {
      type: "bar",
      data: {
        labels: backlog.by_status.map((row) => row.status),
        datasets: AGE_BUCKETS.map(([key, label], i) => ({
          label,
          data: backlog.by_status.map((row) => row[key]),
          backgroundColor: [COLORS[1], COLORS[2], COLORS[8], COLORS[3]][i],
        })),
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }

  // ---- lists -------------------------------------------------------------------------------
  function fill(tableId, rows, empty) {
    const body = $(tableId).tBodies[0];
    if (!rows.length) {
      const cell = element("td", empty, "muted");
      cell.colSpan = $(tableId).tHead.rows[0].cells.length;
      const row = element("tr");
      row.append(cell);
      body.replaceChildren(row);
      return;
    }
    body.replaceChildren(...rows);
  }

  function row(cells, dataset = {}) {
    const tr = element("tr");
    Object.assign(tr.dataset, dataset);
    for (const cell of cells) tr.append(cell instanceof Node ? wrap(cell) : element("td", cell));
    return tr;
  }

  function wrap(node) {
    const td = element("td");
    td.append(node);
    return td;
  }

  function renderAttention(attention) {
    $("attention-total").textContent = String(attention.total);
    fill(
      "attention",
      attention.items.map((c) =>
        row(
          [c.reference, c.urgency || "—", c.status, c.department || "—", c.escalation_level ? `level ${c.escalation_level}` : "—", c.breached.join(", ") || "—", age(c.received_at)],
          { id: c.id, reference: c.reference },
        ),
      ),
      "Nothing breached or escalated.",
    );
  }

  function renderIncidents(page) {
    fill(
      "incidents",
      page.items.map((i) => row([i.title, i.category, i.counts.complaints, i.counts.customers, age(i.created_at)], { id: i.id })),
      "No open incidents.",
    );
  }

  function renderAlerts(page) {
    $("alerts-total").textContent = String(page.items.length);
    fill(
      "alerts",
      page.items.map((a) => {
        const button = element("button", "Acknowledge", "small");
        button.type = "button";
        button.addEventListener("click", () => acknowledge(a.id, button));
        return row(
          [`${a.dimension.replace("_", " ")}: ${a.value}`, a.count, `${a.baseline_mean.toFixed(1)} ± ${a.baseline_stddev.toFixed(1)}`, `${age(a.window_start)} ago`, button],
          { id: a.id },
        );
      }),
      "No unacknowledged alerts.",
    );
  }

  function unavailable(tableId, error) {
    fill(tableId, [], error.status === 403 ? "Not available to your role." : `Could not load: ${error.message}`);
  }

  async function acknowledge(id, button) {
    button.disabled = true;
    try {
      await api(`/v1/alerts/${encodeURIComponent(id)}/acknowledge`, { method: "POST" });
      await refresh();
    } catch (error) {
      handle(error);
      button.disabled = false;
    }
  }

  // ---- refresh loop ------------------------------------------------------------------------
  function period() {
    const days = Number($("period").value);
    const to = new Date();
    const from = new Date(to.getTime() - days * 86400000);
    const query = new URLSearchParams({ from: from.toISOString(), to: to.toISOString() });
    return { query: query.toString(), bucket: days <= 1 ? "hour" : "day" };
  }

  async function refresh() {
    if (refreshing) return;
    refreshing = true;
    const { query, bucket } = period();
    try {
      const [summary, series, byCategory, byChannel, attention, incidents, alerts] = await Promise.allSettled([
        api(`/v1/analytics/summary?${query}`),
        api(`/v1/analytics/timeseries?${query}&bucket=${bucket}`),
        api(`/v1/analytics/breakdown?${query}&by=category`),
        api(`/v1/analytics/breakdown?${query}&by=channel`),
        api("/v1/dashboard/attention?limit=50"),
        api("/v1/incidents?status=open&limit=20"),
        api("/v1/alerts?acknowledged=false&limit=20"),
      ]);
      const results = [summary, series, byCategory, byChannel, attention, incidents, alerts];
      const lost = results.find((r) => r.status === "rejected" && r.reason instanceof Unauthorized);
      if (lost) throw lost.reason;
      const failed = results.filter((r) => r.status === "rejected").map((r) => r.reason.message);
      if (summary.status === "fulfilled") {
        renderTiles(summary.value);
        renderBacklog(summary.value.backlog);
        const p = summary.value.period;
        const label = $("period-label");
        label.textContent = `${shortTime(p.from)} → ${shortTime(p.to)} (${p.timezone})`;
        label.dataset.from = p.from;
        label.dataset.to = p.to;
      }
      if (series.status === "fulfilled") renderTimeseries(series.value);
      if (byCategory.status === "fulfilled" && byChannel.status === "fulfilled") renderBreakdowns(byCategory.value, byChannel.value);
      attention.status === "fulfilled" ? renderAttention(attention.value) : unavailable("attention", attention.reason);
      incidents.status === "fulfilled" ? renderIncidents(incidents.value) : unavailable("incidents", incidents.reason);
      alerts.status === "fulfilled" ? renderAlerts(alerts.value) : unavailable("alerts", alerts.reason);
      showError(failed.length ? `Some panels could not load: ${[...new Set(failed)].join("; ")}` : null);
      refreshes += 1;
      $("dashboard").dataset.refreshes = String(refreshes);
      $("updated").textContent = `Updated ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      handle(error);
    } finally {
      refreshing = false;
    }
  }

  function showError(message) {
    const node = $("error");
    node.hidden = !message;
    node.textContent = message || "";
  }

  function handle(error) {
    if (error instanceof Unauthorized) {
      signOut("Your session has ended; please sign in again.");
      return;
    }
    showError(error.message);
  }

  // ---- sign-in -----------------------------------------------------------------------------
  function showDashboard() {
    $("sign-in").hidden = true;
    $("dashboard").hidden = false;
    $("who").textContent = sessionStorage.getItem(WHO_KEY) || "";
    refresh();
    clearInterval(timer);
    timer = setInterval(refresh, REFRESH_MS);
  }

  function signOut(message) {
    clearInterval(timer);
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(WHO_KEY);
    $("dashboard").hidden = true;
    $("sign-in").hidden = false;
    $("sign-in-error").textContent = message || "";
  }

  async function signIn(event) {
    event.preventDefault();
    const form = event.target;
    const button = form.querySelector("button");
    button.disabled = true;
    $("sign-in-error").textContent = "";
    try {
      const response = await fetch("/v1/auth/token", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ email: form.email.value, password: form.password.value }),
      });
      const body = await response.json();
      if (!response.ok) throw new Error(body.detail || body.title || `HTTP ${response.status}`);
      sessionStorage.setItem(TOKEN_KEY, body.access_token);
      sessionStorage.setItem(WHO_KEY, `${body.me.name} (${body.me.role || "api key"})`);
      form.password.value = "";
      showDashboard();
    } catch (error) {
      $("sign-in-error").textContent = error.message;
    } finally {
      button.disabled = false;
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("sign-in-form").addEventListener("submit", signIn);
    $("sign-out").addEventListener("click", () => signOut());
    $("period").addEventListener("change", refresh);
    if (sessionStorage.getItem(TOKEN_KEY)) showDashboard();
    else signOut();
  });
})();
