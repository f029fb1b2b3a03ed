// The dashboard: reads the indicators service's JSON, draws it, and follows /api/v1/indicators/stream.
"use strict";

const SCOPES = ["national", "kemendagri", "kominfo"];
const INDICATORS = ["enrolled", "trained", "plans"];
const VERIFIED_INDICATORS = ["trained", "plans"];  // the counts of claims the secretariat verifies
const SVG = "http://www.w3.org/2000/svg";
const $ = (selector) => document.querySelector(selector);

const state = {
  asOf: new URLSearchParams(location.search).get("as_of"),
  boundaries: "2018",
  data: null,            // {indicators, overview, history} as last loaded
  historyRead: null,     // {asOf, at}: the history's day and when it was read
  open: new Set(),       // provinces whose regions are shown
  loading: 0,            // so that an older answer never overwrites a newer one
  updatedAt: null,
  connected: false,
};

function element(tag, attributes = {}, ...children) {
  const node = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

function query(params = {}) {
  const search = new URLSearchParams();
  if (state.asOf) search.set("as_of", state.asOf);
  for (const [name, value] of Object.entries(params)) search.set(name, value);
  const text = search.toString();
  return text ? `?${text}` : "";
}

async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

// ---- loading -------------------------------------------------------------------------------------------

// While following live, the monthly history is read again at most this often: it is the costliest answer
// of the service, and the counts above it move with every event anyway.
const HISTORY_EVERY_MS = 10000;
let historyLater = null;

async function load() {
  const ticket = ++state.loading;
  const history = historyDue() ? getJson(`/api/v1/indicators/history${query()}`) : null;
  const [indicators, overview, historyRead] = await Promise.all([
    getJson(`/api/v1/indicators${query()}`),
    getJson(`/api/v1/overview${query({ boundaries: state.boundaries })}`),
    history,
  ]);
  if (ticket !== state.loading) return;
  if (history) {
    state.historyRead = { asOf: state.asOf, at: Date.now() };
  } else {
    clearTimeout(historyLater);  // what changed meanwhile is shown once the history is due again
    historyLater = setTimeout(scheduleLoad, state.historyRead.at + HISTORY_EVERY_MS - Date.now());
  }
  state.data = { indicators, overview, history: historyRead || state.data.history };
  state.updatedAt = new Date();
  render();
  await Promise.all([...state.open].map(showRegions));
}

function historyDue() {
  const read = state.historyRead;
  return !state.data || !read || read.asOf !== state.asOf || Date.now() - read.at >= HISTORY_EVERY_MS;
}

let pending = null;
function scheduleLoad() {
  clearTimeout(pending);
  pending = setTimeout(() => load().catch(console.error), 100);
}

function render() {
  if (!state.data) return;
  renderIndicators(state.data.indicators.indicators);
  renderCharts(state.data.history.series);
  renderMeeting(state.data.overview);
  renderProvinces(state.data.overview.provinces);
  renderConnection();
  $("#position").textContent = i18n.t("eventsIncluded", { seq: i18n.number(state.data.indicators.as_of_seq) });
  $("#history-csv").href = `/api/v1/indicators/history${query({ format: "csv" })}`;
}

// ---- the nine counts -----------------------------------------------------------------------------------

function renderIndicators(rows) {
  const container = $("#scopes");
  container.replaceChildren(...SCOPES.map((scope) => element("article", { class: "scope", "aria-labelledby": `scope-${scope}` },
    element("h3", { id: `scope-${scope}`, text: i18n.t(`scope.${scope}`) }),
    element("p", { class: "note", text: i18n.t(`scopeName.${scope}`) }),
    element("dl", {}, ...INDICATORS.map((indicator) => indicatorItem(scope, indicator))))));
  for (const row of rows) showCount(row);
}

// One count of a card; `trained` and `plans` show what was reported and what the secretariat verified, side by side.
function indicatorItem(scope, indicator) {
  const name = `${i18n.t(`scope.${scope}`)} · ${i18n.t(`indicator.${indicator}`)}`;
  const checked = VERIFIED_INDICATORS.includes(indicator);
  return element("div", { class: "indicator" },
    element("dt", { text: i18n.t(`indicator.${indicator}`) }),
    element("dd", {},
      element("button", { type: "button", class: "count-button", "aria-haspopup": "dialog", "aria-describedby": `scope-${scope}`,
                          title: i18n.t("whichRegions"), onclick: () => showLineage(scope, indicator) },
        element("span", { class: "count", "data-indicator": `${scope}.${indicator}` })),
      element("span", { class: "target" }),
      element("span", { class: "percent" }),
      checked ? progressBar(name, "claimed") : element("div", { class: "bar", role: "progressbar", "aria-label": name, "aria-valuemin": "0" }, element("div", { class: "fill" })),
      checked ? progressBar(name, "verified") : null,
      checked ? verifiedLine(scope, indicator) : null));
}

function progressBar(name, which) {
  const word = i18n.t(which === "claimed" ? "claimed" : "verifiedWord");
  return element("div", { class: "bar-row" },
    element("span", { class: "bar-name", "aria-hidden": "true", text: word }),
    element("div", { class: `bar ${which}`, role: "progressbar", "aria-label": `${name} · ${word}`, "aria-valuemin": "0" }, element("div", { class: "fill" })));
}

function verifiedLine(scope, indicator) {
  return element("p", { class: "verified-line" },
    element("span", { class: "claimed-words" }),
    element("button", { type: "button", class: "count-button verified-button", "aria-haspopup": "dialog", "aria-describedby": `scope-${scope}`,
                        title: i18n.t("whichVerified"), onclick: () => showLineage(scope, indicator, true) },
      element("span", { "data-verified": `${scope}.${indicator}` }), ` ${i18n.t("verifiedWord")}`),
    element("span", { class: "gap" }));
}

function showCount({ scope, indicator, count, verified, target }) {
  const countElement = document.querySelector(`[data-indicator="${scope}.${indicator}"]`);
  if (!countElement) return;
  const dd = countElement.closest("dd");
  countElement.textContent = i18n.number(count);
  dd.querySelector(".target").textContent = i18n.t("ofTarget", { target: i18n.number(target) });
  dd.querySelector(".percent").textContent = i18n.percent(count / target);
  fillBar(dd.querySelector(".bar"), count, target);
  if (verified !== null && verified !== undefined) showVerified(dd, count, verified, target);
}

function showVerified(dd, count, verified, target) {
  dd.querySelector("[data-verified]").textContent = i18n.number(verified);
  dd.querySelector(".claimed-words").textContent = `${i18n.number(count)} ${i18n.t("claimed")} · `;
  const gap = count > verified ? i18n.t("notYetVerified", { count: i18n.number(count - verified) }) : count ? i18n.t("allVerified") : "";
  dd.querySelector(".gap").textContent = gap ? ` · ${gap}` : "";
  fillBar(dd.querySelector(".bar.verified"), verified, target);
}

function fillBar(bar, count, target) {
  bar.setAttribute("aria-valuemax", target);
  bar.setAttribute("aria-valuenow", count);
  bar.setAttribute("aria-valuetext", `${i18n.number(count)} / ${i18n.number(target)}`);
  bar.querySelector(".fill").style.width = `${Math.min(100, (100 * count) / target)}%`;
  bar.classList.toggle("done", count >= target);
}

// The regions behind a count, each with the events that make it count and their place in the public log; for
// a verified count, each region's claim and the secretariat's decision that verified it.
async function showLineage(scope, indicator, verified = false) {
  const dialog = $("#lineage");
  const path = `/api/v1/indicators/${scope}/${indicator}/regions${query(verified ? { verified: "true" } : {})}`;
  const title = verified ? i18n.t("verifiedTitle", { indicator: i18n.t(`indicator.${indicator}`), scope: i18n.t(`scope.${scope}`) })
    : `${i18n.t(`indicator.${indicator}`)} · ${i18n.t(`scope.${scope}`)}`;
  $("#lineage-title").textContent = title;
  $("#lineage-note").dataset.i18n = verified ? "lineageVerifiedNote" : "lineageNote";
  $("#lineage-note").textContent = i18n.t($("#lineage-note").dataset.i18n);
  $("#lineage-regions").replaceChildren();
  $("#lineage-csv").href = `${path}${path.includes("?") ? "&" : "?"}format=csv`;
  if (!dialog.open) dialog.showModal();
  const body = await getJson(path);
  $("#lineage-title").textContent = `${title}: ${i18n.t("regionsCount", { count: i18n.number(body.count) })}`;
  $("#lineage-regions").replaceChildren(...body.regions.map((region) => element("li", {},
    element("button", { type: "button", class: "link", onclick: () => { dialog.close(); showRegionByCode(region.region_code); }, text: `${region.name} (${region.region_code})` }),
    element("span", { class: "note", text: ` · ${region.province}` }),
    element("ul", { class: "events" }, ...region.events.map((event, index) => element("li", {},
      element("a", { href: `/api/v1/events/${event.event_id}`, text: i18n.t(verified ? LINEAGE_EVENT_NAMES[index] : "eventNumber", { seq: i18n.number(event.seq) }) }), " · ",
      element("a", { href: `/api/v1/log/proof/inclusion?seq=${event.seq}&size=${body.as_of_seq}`, text: i18n.t("inclusionProof") })))))));
}

const LINEAGE_EVENT_NAMES = ["claimEvent", "decisionEvent"];  // a verified region's events: its claim, then the verification

async function showRegionByCode(code) {
  const body = await getJson(`/api/v1/regions${query()}`);
  const region = body.regions.find((r) => r.code === code);
  if (region) await showRegion(region);
}

// ---- the timeline --------------------------------------------------------------------------------------

function renderCharts(series) {
  $("#charts").replaceChildren(...INDICATORS.map((indicator) => chart(indicator, series.filter((s) => s.indicator === indicator))));
}

function chart(indicator, series) {
  const width = 480, height = 230, left = 40, right = 14, top = 16, bottom = 28;
  const points = series[0].points;
  const target = series[0].target;
  const highest = Math.max(target, ...series.flatMap((s) => s.points.map((p) => p.count)));
  const yMax = Math.ceil((highest * 1.1) / 10) * 10;
  const x = (index) => left + (index * (width - left - right)) / Math.max(1, points.length - 1);
  const y = (value) => height - bottom - (value * (height - top - bottom)) / yMax;
  const last = points.length - 1;
  const checked = VERIFIED_INDICATORS.includes(indicator);
  const values = Object.fromEntries(series.flatMap((s) => [
    [s.scope, i18n.number(s.points[last].count)],
    [`${s.scope}Verified`, checked ? i18n.number(s.points[last].verified) : ""],
  ]));
  const label = i18n.t(checked ? "chartLabelVerified" : "chartLabel", { indicator: i18n.t(`indicator.${indicator}`), ...values, date: i18n.date(points[last].as_of), target: i18n.number(target) });

  const svg = element("svg:svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label, class: "chart" });
  const planEnd = points.findIndex((p) => p.month > "2020-12");
  svg.append(element("svg:rect", { class: "period", x: x(0), y: top, width: x(planEnd === -1 ? last : planEnd - 1) - x(0), height: height - top - bottom }));
  for (let tick = 0; tick <= yMax; tick += yMax / 4) {
    svg.append(element("svg:line", { class: "grid", x1: left, x2: width - right, y1: y(tick), y2: y(tick) }));
    svg.append(element("svg:text", { class: "axis", x: left - 6, y: y(tick) + 4, "text-anchor": "end", text: i18n.number(tick) }));
  }
  points.forEach((point, index) => {
    if (point.month.endsWith("-01")) {
      svg.append(element("svg:line", { class: "tick", x1: x(index), x2: x(index), y1: height - bottom, y2: height - bottom + 4 }));
      svg.append(element("svg:text", { class: "axis", x: x(index), y: height - 8, "text-anchor": "middle", text: i18n.year(point.month) }));
    }
  });
  svg.append(element("svg:line", { class: "target-line", x1: left, x2: width - right, y1: y(target), y2: y(target) }));
  svg.append(element("svg:text", { class: "target-label", x: width - right, y: y(target) - 5, "text-anchor": "end", text: i18n.t("target", { target: i18n.number(target) }) }));
  const path = (values) => values.map((value, index) => `${index ? "L" : "M"}${x(index).toFixed(1)},${y(value).toFixed(1)}`).join("");
  for (const s of [...series].reverse()) {
    if (checked) svg.append(...hollowLine(s.scope, path(s.points.map((p) => p.verified))));
    svg.append(element("svg:path", { class: `line-${s.scope}`, "data-line": `${s.scope}.count`, d: path(s.points.map((p) => p.count)) }));
  }
  return element("figure", { class: "chart-box" }, element("figcaption", { text: i18n.t(`indicator.${indicator}`) }), svg);
}

// A verified line is hollow: the scope's stroke with a white core, so that it differs from the reported line by
// its shape as well as by where it lies.
function hollowLine(scope, d) {
  return [
    element("svg:path", { class: `line-${scope} verified-casing`, "data-line": `${scope}.verified`, d }),
    element("svg:path", { class: `line-${scope} verified-core`, d }),
  ];
}

// ---- what the meeting asked about ----------------------------------------------------------------------

function bar(label, count, total) {
  return element("li", {},
    element("span", { class: "bar-label", text: label }),
    element("span", { class: "bar-value", text: `${i18n.number(count)} / ${i18n.number(total)}` }),
    element("div", { class: "bar", "aria-hidden": "true" }, element("div", { class: "fill", style: `width:${total ? (100 * count) / total : 0}%` })));
}

function renderMeeting(overview) {
  const withPlans = state.data.indicators.indicators.find((r) => r.scope === "national" && r.indicator === "plans").count;
  $("#sectors").replaceChildren(...overview.sectors.map((s) => bar(i18n.t(`sector.${s.sector}`), s.regions, withPlans)));
  const e = overview.enrolment;
  $("#enrolment").replaceChildren(bar(i18n.t("ppid"), e.ppid, e.enrolled), bar(i18n.t("commitmentLetter"), e.commitment_letter, e.enrolled), bar(i18n.t("both"), e.both, e.enrolled));
}

// ---- provinces and regions -----------------------------------------------------------------------------

function renderProvinces(provinces) {
  const rows = provinces.flatMap((province) => {
    const key = `${state.boundaries}:${province.code}`;
    const open = state.open.has(key);
    const cell = (value) => element("td", { class: value ? "num" : "num zero", text: value ? i18n.number(value) : "–" });
    return [
      element("tr", {},
        element("th", { scope: "row" }, element("button", {
          type: "button", class: "disclose", "aria-expanded": open ? "true" : "false", "aria-controls": `regions-${province.code}`,
          onclick: () => toggleProvince(key), text: `${province.code} ${province.name}`,
        }), province.enrolled ? null : element("span", { class: "chip behind", text: i18n.t("none") })),
        element("td", { class: "num", text: i18n.number(province.regions) }), cell(province.enrolled), cell(province.trained), cell(province.plans)),
      element("tr", { class: "regions-row", id: `regions-${province.code}`, hidden: !open },
        element("td", { colspan: "5" }, element("ul", { class: "regions", "data-province": key }))),
    ];
  });
  $("#provinces tbody").replaceChildren(...rows);
}

function toggleProvince(key) {
  if (state.open.has(key)) state.open.delete(key);
  else state.open.add(key);
  renderProvinces(state.data.overview.provinces);
  if (state.open.has(key)) showRegions(key).catch(console.error);
}

async function showRegions(key) {
  const [boundaries, code] = key.split(":");
  if (boundaries !== state.boundaries) return;
  const body = await getJson(`/api/v1/regions${query({ province: code, boundaries })}`);
  const list = document.querySelector(`ul[data-province="${key}"]`);
  if (!list) return;
  list.replaceChildren(...body.regions.map((region) => element("li", {},
    element("button", { type: "button", class: "region", onclick: () => showRegion(region), text: region.name }),
    ...chips(region))));
}

function chips(region) {
  if (!region.enrolled && !region.trained && !region.plans) {
    return [element("span", { class: region.ministry ? "chip withdrawn" : "chip behind", text: region.ministry ? i18n.t("withdrawn") : i18n.t("notEnrolled") })];
  }
  return [
    region.enrolled ? element("span", { class: "chip enrolled", text: `${i18n.t("indicator.enrolled")} · ${i18n.t(`scope.${region.ministry}`)}` }) : element("span", { class: "chip withdrawn", text: i18n.t("withdrawn") }),
    region.trained ? element("span", { class: "chip trained", text: i18n.t("indicator.trained") }) : null,
    region.plans ? element("span", { class: "chip plans", text: i18n.t("plansCount", { count: i18n.number(region.plans) }) }) : null,
  ];
}

async function showRegion(region) {
  const dialog = $("#region");
  $("#region-name").textContent = `${region.name} (${region.code})`;
  $("#region-province").textContent = `${region.province_name} · 2018: ${region.code_2018}, ${region.province_name_2018}`;
  const yesNo = (value) => (value === null || value === undefined ? i18n.t("unknown") : i18n.t(value ? "yes" : "no"));
  const facts = [
    ["status", chips(region).filter(Boolean).map((chip) => chip.textContent).join(" · ")],
    ["ministry", region.ministry ? i18n.t(`scopeName.${region.ministry}`) : "–"],
    ["enrolledOn", region.enrolled_on ? i18n.date(region.enrolled_on) : "–"],
    ["commitmentOn", region.commitment_letter_on ? i18n.date(region.commitment_letter_on) : "–"],
    ["ppidShort", region.ministry ? yesNo(region.ppid_established) : "–"],
  ];
  $("#region-status").replaceChildren(...facts.flatMap(([key, value]) => [element("dt", { text: i18n.t(key) }), element("dd", { text: value })]));
  $("#region-events").replaceChildren();
  $("#region-claims").replaceChildren();
  $("#claims-now").hidden = !state.asOf;
  if (!dialog.open) dialog.showModal();
  const [body, claimed] = await Promise.all([
    getJson(`/api/v1/regions/${region.code}/events${query()}`),
    getJson(`/api/v1/claims?region=${encodeURIComponent(region.code)}&order=oldest&limit=500`),
  ]);
  $("#region-events").replaceChildren(...(body.events.length ? body.events.map(describeEvent) : [element("li", { text: i18n.t("noEvents") })]));
  // The claims API knows only today's states: on a past day it lists the claims made by then, with a note.
  const claims = claimed.claims.filter((claim) => !state.asOf || claim.occurred_on <= state.asOf);
  $("#region-claims").replaceChildren(...(claims.length ? claims.map(describeClaim) : [element("li", { text: i18n.t("noClaims") })]));
}

// A claim: what was reported, its state in words, its public files, and its history on request.
function describeClaim(claim) {
  const what = claim.kind === "plan" ? `${i18n.t("claimKind.plan")} ${claim.plan_id}` : i18n.t("claimKind.training");
  const history = element("ol", { class: "claim-history" });
  const details = element("details", { ontoggle: () => { if (details.open && !history.childElementCount) showClaimHistory(claim.claim_event_id, history).catch(console.error); } },
    element("summary", { text: i18n.t("claimHistory") }), history);
  return element("li", { class: "claim", "data-claim": claim.claim_event_id },
    element("time", { datetime: claim.occurred_on, text: i18n.date(claim.occurred_on) }), " ",
    element("strong", { text: what }), " · ",
    element("span", { text: i18n.t("reportedBy", { ministry: organisation(claim.ministry) }) }), " ",
    element("span", { class: `claim-state state-${claim.state}`, "data-state": claim.state, text: i18n.t(`state.${claim.state}`) }),
    element("span", { class: "note", text: ` ${i18n.t("stateSince", { date: i18n.date(claim.state_since) })}` }),
    describeEvidence(evidenceFiles(claim.evidence)),
    details);
}

async function showClaimHistory(claimEventId, list) {
  const claim = await getJson(`/api/v1/claims/${claimEventId}`);
  list.replaceChildren(...(claim.history.length ? claim.history.map(describeDecision) : [element("li", { text: i18n.t("claimHistoryEmpty") })]));
}

function describeDecision(entry) {
  const said = [entry.reason && i18n.t("reason", { text: entry.reason }), entry.note && i18n.t("note", { text: entry.note })].filter(Boolean);
  return element("li", {},
    element("time", { datetime: entry.occurred_on, text: i18n.date(entry.occurred_on) }), " ",
    element("strong", { text: i18n.t(`event.${entry.event_type}`) }), " · ",
    element("span", { text: i18n.t("decidedBy", { who: organisation(entry.reported_by) }) }), " · ",
    element("a", { href: `/api/v1/events/${entry.event_id}`, text: i18n.t("eventNumber", { seq: i18n.number(entry.seq) }) }),
    said.length ? element("div", { class: "note", text: said.join(" · ") }) : null,
    describeEvidence(evidenceFiles(entry.evidence)));
}

// The claims API names public files and only counts private ones; describeEvidence reads the events' form.
function evidenceFiles(evidence) {
  return [...evidence.public.map((file) => ({ ...file, public: true })), ...Array.from({ length: evidence.private }, () => ({ public: false }))];
}

function organisation(id) {
  if (id === "bappenas") return i18n.t("organisation.bappenas");
  if (SCOPES.includes(id)) return i18n.t(`scope.${id}`);
  return i18n.t("observer", { name: id });
}

function describeEvent(event) {
  const details = [];
  if (event.data.plan_id) details.push(event.data.title ? `${event.data.title} (${event.data.plan_id})` : event.data.plan_id);
  if (event.data.sectors) details.push(event.data.sectors.map((s) => i18n.t(`sector.${s}`)).join(", "));
  if (event.data.session_id) details.push(`${event.data.session_id}, ${i18n.number(event.data.participants)}`);
  if (event.data.reason) details.push(event.data.reason);
  if (event.data.note) details.push(event.data.note);
  return element("li", {},
    element("time", { datetime: event.occurred_on, text: i18n.date(event.occurred_on) }), " ",
    element("strong", { text: i18n.t(`event.${event.event_type}`) }), " · ",
    element("span", { text: i18n.t("reportedBy", { ministry: organisation(event.reported_by) }) }),
    details.length ? element("div", { class: "note", text: details.join(" · ") }) : null,
    describeEvidence(event.data.evidence || []));
}

// Public files download from here; of private ones (attendance lists hold personal data) only their number shows.
function describeEvidence(files) {
  if (!files.length) return null;
  const open = files.filter((file) => file.public);
  const closed = files.length - open.length;
  return element("ul", { class: "evidence", "aria-label": i18n.t("evidence") },
    ...open.map((file) => element("li", {}, element("a", { href: `/api/v1/evidence/${file.sha256}`, download: file.name, text: file.name }))),
    closed ? element("li", { class: "note", text: i18n.t("privateFiles", { count: i18n.number(closed) }) }) : null);
}

// ---- live updates --------------------------------------------------------------------------------------

function connect() {
  const source = new EventSource("/api/v1/indicators/stream");
  source.addEventListener("hello", () => { state.connected = true; renderConnection(); scheduleLoad(); });
  source.addEventListener("position", () => { if (!state.asOf) scheduleLoad(); });
  source.addEventListener("indicator", (message) => {
    if (state.asOf) return;
    showCount(JSON.parse(message.data));
    state.updatedAt = new Date();
    renderConnection();
    scheduleLoad();
  });
  source.addEventListener("error", () => {
    state.connected = false;
    renderConnection();
    if (source.readyState === EventSource.CLOSED) setTimeout(connect, 1000);  // EventSource gave up: start again
  });
}

function renderConnection() {
  const box = $("#connection");
  box.classList.toggle("offline", !state.connected && !state.asOf);
  box.classList.toggle("past", Boolean(state.asOf));
  $("#connection-text").textContent = state.asOf ? i18n.t("pastState", { date: i18n.date(state.asOf) })
    : !state.connected ? i18n.t(state.updatedAt ? "reconnecting" : "connecting")
    : i18n.t("live", { time: i18n.time(state.updatedAt || new Date()) });
}

// ---- controls ------------------------------------------------------------------------------------------

function setAsOf(day) {
  state.asOf = day || null;
  const url = new URL(location.href);
  if (state.asOf) url.searchParams.set("as_of", state.asOf);
  else url.searchParams.delete("as_of");
  history.replaceState(null, "", url);
  $("#as-of").value = state.asOf || "";
  renderConnection();
  load().catch(console.error);
}

function start() {
  const today = new Date().toISOString().slice(0, 10);
  $("#as-of").max = today;
  $("#as-of").value = state.asOf || "";
  $("#as-of-form").addEventListener("submit", (event) => { event.preventDefault(); setAsOf($("#as-of").value); });
  $("#latest").addEventListener("click", () => setAsOf(null));
  $("#language").addEventListener("click", () => { i18n.toggle(); document.title = `OGI Tracker · ${i18n.t("dashboard")}`; render(); });
  for (const radio of document.querySelectorAll("input[name=boundaries]")) {
    radio.addEventListener("change", () => { state.boundaries = radio.value; load().catch(console.error); });
  }
  i18n.apply();
  document.title = `OGI Tracker · ${i18n.t("dashboard")}`;
  renderConnection();
  load().catch(console.error);
  connect();
  const region = new URLSearchParams(location.search).get("region");  // a region's page, as the workspace links it
  if (region) showRegionByCode(region).catch(console.error);
}

start();
