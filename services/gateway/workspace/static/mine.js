// "Pengajuan saya" (#pengajuan): the organisation's recent submissions and their outcomes, rejected ones first,
// each with its region on the dashboard and its trace.
"use strict";

(() => {
  const { $, element } = ws;
  let shown = null;

  async function load() {
    const params = new URLSearchParams({ limit: "100" });
    if ($("#mine-status").value) params.set("status", $("#mine-status").value);
    if ($("#mine-kind").value) params.set("kind", $("#mine-kind").value);
    if ($("#mine-rejected-first").checked) params.set("rejected_first", "true");
    $("#mine-summary").textContent = i18n.t("loading");
    const answer = await ws.api("GET", `/workspace/api/outcomes?${params}`);
    if (answer.status !== 200) { $("#mine-summary").textContent = ws.explain(answer.body.code, answer.body.detail).what; return; }
    shown = answer.body.outcomes;
    render();
  }

  function render() {
    if (shown === null) return;
    $("#mine-summary").textContent = shown.length ? i18n.t("listed", { count: i18n.number(shown.length) }) : i18n.t("noOutcomes");
    $("#mine-list").replaceChildren(...shown.map(item));
  }

  function when(time) {
    return time ? new Intl.DateTimeFormat(i18n.lang === "en" ? "en-GB" : "id-ID", { dateStyle: "medium", timeStyle: "short" }).format(new Date(time)) : "";
  }

  function trace(outcome) {
    if (outcome.trace_id && ws.settings.trace_url) {
      return element("p", { class: "note" }, element("a", { href: ws.settings.trace_url.replace("{trace_id}", outcome.trace_id), text: `${i18n.t("openTrace")} (${outcome.trace_id})` }));
    }
    return element("p", { class: "note" },
      outcome.trace_id ? `${i18n.t("traceId")}: ` : null, outcome.trace_id ? element("code", { text: outcome.trace_id }) : null, outcome.trace_id ? " · " : null,
      `${i18n.t("traceCommand")} `, element("code", { text: `ogi trace ${outcome.submission_id || ""}` }));
  }

  function item(outcome) {
    const region = outcome.region;
    return element("li", { class: `outcome-item ${outcome.status}` },
      element("p", { class: "headline" },
        element("strong", { class: `badge ${outcome.status}`, text: i18n.t(`status.${outcome.status}`) }),
        ` ${i18n.t(`kind.${outcome.kind}`)}`,
        region ? ` · ${region.name || region.code}${region.province ? `, ${region.province}` : ""}` : "",
        element("span", { class: "note", text: ` · ${when(outcome.time)}` })),
      outcome.status === "rejected" ? element("div", { class: "explanation" }, ...ws.explained(outcome.code, outcome.message)) : null,
      outcome.event_id ? element("p", { class: "note", text: i18n.t("acceptedNote", { event: outcome.event_id }) }) : null,
      element("p", { class: "note" }, `${i18n.t("submissionId")}: `, element("code", { text: outcome.submission_id || "–" })),
      region && region.name ? element("p", {}, ws.dashboardLink(region)) : null,
      trace(outcome));
  }

  $("#mine-filter").addEventListener("submit", (event) => { event.preventDefault(); load(); });
  ws.onView("pengajuan", load);
  ws.onLanguage(render);
})();
