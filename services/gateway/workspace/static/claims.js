// Claims: the secretariat's queue (#antrean: verify in two clicks, or return with a reason), a ministry's claims
// returned to it (#dikembalikan, with an amendment form) and disputed (#keberatan), the claims an observer chooses
// from (#klaim-daftar), and one claim with its history (#klaim?id=…), where an observer disputes it. Acting on a
// claim is a submission like any other; each fill keeps its submission id until it has an outcome.
"use strict";

(() => {
  const { $, element } = ws;
  const PREVIEWED = { "application/pdf": "frame", "image/jpeg": "image", "image/png": "image" };
  const DISPUTABLE = new Set(["pending", "verified"]);
  const today = () => new Date().toISOString().slice(0, 10);
  const regionName = (claim) => claim.name || claim.region_code;
  const lists = {};   // view → {claims, next, render}

  // ---- one claim, as a card ----------------------------------------------------------------------------------
  function card(claim, ...actions) {
    const id = `claim-${claim.claim_event_id}`;
    return element("li", { class: `claim-card ${claim.state}`, id, "aria-labelledby": `${id}-title` },
      element("h3", { id: `${id}-title` }, `${regionName(claim)}${claim.province ? `, ${claim.province}` : ""}`),
      element("p", { class: "headline" },
        element("strong", { class: `badge state-${claim.state}`, text: i18n.t(`state.${claim.state}`) }),
        ` ${i18n.t(`claimKind.${claim.kind}`)} · ${i18n.t("occurred", { date: i18n.date(claim.occurred_on) })}`,
        claim.state_since ? element("span", { class: "note", text: ` · ${i18n.t("since", { date: i18n.date(claim.state_since.slice(0, 10)) })}` }) : null),
      element("p", { class: "note", text: i18n.t("ministry", { ministry: claim.ministry }) }),
      latestReason(claim),
      files(claim.files, claim.evidence),
      element("p", {}, element("a", { href: `#klaim?id=${claim.claim_event_id}`, text: i18n.t("openClaim") })),
      ...actions);
  }

  function latestReason(claim) {
    const event = [...(claim.history || [])].reverse().find((e) => e.reason);
    if (!event) return null;
    return element("p", { class: "reason" },
      element("strong", { text: `${i18n.t(`event.${event.event_type}`)} ${i18n.t("reportedBy", { who: event.reported_by })}: ` }), event.reason);
  }

  // The files the person may open, PDFs and images previewed in the page; private ones others named, counted.
  function files(shown, evidence) {
    const items = (shown || []).map((file) => {
      const url = `/workspace/api/evidence/${file.sha256}`;
      const link = element("a", { href: url, target: "_blank", rel: "noopener", text: i18n.t("openFile", { name: file.name }) });
      const how = PREVIEWED[file.media_type];
      const preview = how === "frame" ? element("iframe", { src: url, title: file.name, loading: "lazy", class: "preview" })
        : how === "image" ? element("img", { src: url, alt: file.name, loading: "lazy", class: "preview" }) : null;
      return element("li", { class: "evidence-file" }, preview, link);
    });
    const hidden = Math.max(0, (evidence?.private || 0) - (shown || []).filter((f) => !f.public).length);
    return element("div", { class: "evidence" },
      element("h4", { text: i18n.t("evidence") }),
      items.length ? element("ul", { class: "evidence-files" }, ...items) : element("p", { class: "note", text: i18n.t("noEvidence") }),
      hidden ? element("p", { class: "note", text: i18n.t("privateFiles", { count: i18n.number(hidden) }) }) : null);
  }

  // ---- acting on a claim ---------------------------------------------------------------------------------------
  async function submit(kind, fill, fields) {
    fill.submissionId ||= ws.newSubmissionId();
    const claim = fill.claim;
    const json = { submission_id: fill.submissionId, region_code: claim.region_code, occurred_on: today(), claim_event_id: claim.claim_event_id, ...fields };
    let answer = await ws.api("POST", `/workspace/api/submissions/${kind}`, { json });
    let location = answer.location;
    while (answer.status === 202 || (answer.status === 404 && answer.body.code === "no_outcome")) {
      location = answer.location || location;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      answer = await ws.api("GET", location);
    }
    if ([200, 201, 422].includes(answer.status) && answer.body.status) fill.submissionId = null;  // a definite outcome
    return answer;
  }

  function explainedAnswer(answer) {
    return element("div", { class: "explanation" }, element("h4", { text: i18n.t(answer.body.status === "rejected" ? "rejectedTitle" : "refusedTitle") }),
      ...ws.explained(answer.body.code || "network", answer.body.message || answer.body.detail));
  }

  const accepted = (answer) => answer.body.status === "accepted" || answer.body.status === "duplicate";

  function announce(panel, text, ok = true) {
    panel.className = `outcome ${ok ? "accepted" : "rejected"}`;
    panel.replaceChildren(element("p", { text }));
    panel.focus();
  }

  // ---- the secretariat's queue ----------------------------------------------------------------------------------
  function queueActions(claim) {
    const fill = { claim, submissionId: null };
    const id = `queue-${claim.claim_event_id}`;
    const result = element("div", { class: "claim-result", role: "status", "aria-live": "polite" });
    const note = element("textarea", { id: `${id}-note`, rows: "2", maxlength: "1000" });
    const reason = element("textarea", { id: `${id}-reason`, rows: "3", maxlength: "1000", required: true, "aria-describedby": `${id}-reason-error` });
    const reasonError = element("p", { class: "field-error", id: `${id}-reason-error`, hidden: true });
    const confirmVerify = element("div", { class: "confirm", hidden: true },
      element("div", { class: "field" }, element("label", { for: note.id, text: i18n.t("verifyNote") }), note),
      element("button", { type: "button", class: "primary", text: i18n.t("verifyConfirm"), onclick: () => decide("claim.verify", { note: note.value.trim() || undefined }) }),
      element("button", { type: "button", text: i18n.t("cancel"), onclick: () => { confirmVerify.hidden = true; } }));
    const confirmReturn = element("div", { class: "confirm", hidden: true },
      element("div", { class: "field" }, element("label", { for: reason.id, text: i18n.t("returnReason") }), reason, reasonError),
      element("button", { type: "button", class: "primary", text: i18n.t("returnConfirm"), onclick: () => {
        if (!reason.value.trim()) { reasonError.textContent = i18n.t("reasonNeeded"); reasonError.hidden = false; reason.setAttribute("aria-invalid", "true"); reason.focus(); return; }
        decide("claim.return", { reason: reason.value.trim() });
      } }),
      element("button", { type: "button", text: i18n.t("cancel"), onclick: () => { confirmReturn.hidden = true; } }));
    const buttons = element("div", { class: "actions" },
      element("button", { type: "button", class: "primary", text: i18n.t("verify"), "aria-expanded": "false", onclick: (event) => open(event, confirmVerify, confirmReturn, note) }),
      element("button", { type: "button", text: i18n.t("return"), "aria-expanded": "false", onclick: (event) => open(event, confirmReturn, confirmVerify, reason) }));

    function open(event, shown, other, focus) {
      other.hidden = true;
      shown.hidden = false;
      for (const button of buttons.children) button.setAttribute("aria-expanded", String(button === event.target));
      if (shown === confirmVerify) shown.querySelector("button.primary").focus(); else focus.focus();
    }

    async function decide(kind, fields) {
      result.textContent = i18n.t("sending");
      const answer = await submit(kind, fill, fields);
      if (accepted(answer)) {
        const words = kind === "claim.verify" ? "verifiedOutcome" : "returnedOutcome";
        announce($("#queue-outcome"), i18n.t(words, { region: regionName(claim) }));
        lists.antrean.claims = lists.antrean.claims.filter((c) => c !== claim);
        $(`#claim-${claim.claim_event_id}`)?.remove();
        summarise("antrean");
      } else {
        result.replaceChildren(explainedAnswer(answer));
      }
    }

    return [buttons, confirmVerify, confirmReturn, result];
  }

  // ---- a ministry's returned claims: the amendment form -----------------------------------------------------------
  function amendForm(claim) {
    const fill = { claim, submissionId: null, files: [] };
    const id = `amend-${claim.claim_event_id}`;
    const note = element("textarea", { id: `${id}-note`, rows: "2", maxlength: "1000" });
    const result = element("div", { class: "claim-result", role: "status", "aria-live": "polite" });
    const form = element("form", { class: "stacked amend", novalidate: true, "aria-labelledby": `${id}-title` },
      element("h4", { id: `${id}-title`, text: i18n.t("amendTitle") }),
      ws.evidenceField(`${id}-evidence`, fill),
      element("div", { class: "field" }, element("label", { for: note.id, text: i18n.t("verifyNote") }), note),
      element("button", { type: "submit", text: i18n.t("amend") }), result);
    i18n.apply(form);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!fill.files.length) { result.textContent = i18n.t("amendNeedsFile"); return; }
      result.textContent = i18n.t("waitUploads");
      await Promise.all(fill.files.map((f) => f.done));
      if (fill.files.some((f) => !f.sha256)) { result.textContent = i18n.t("uploadsFailed"); return; }
      result.textContent = i18n.t("sending");
      const evidence = fill.files.map((f) => ({ sha256: f.sha256, name: f.name, public: f.public }));
      const answer = await submit("claim.amend", fill, { evidence, note: note.value.trim() || undefined });
      if (accepted(answer)) {
        announce($("#returned-outcome"), i18n.t("amendedOutcome", { region: regionName(claim) }));
        lists.dikembalikan.claims = lists.dikembalikan.claims.filter((c) => c !== claim);
        $(`#claim-${claim.claim_event_id}`)?.remove();
        summarise("dikembalikan");
        badges();
      } else {
        result.replaceChildren(explainedAnswer(answer));
      }
    });
    return form;
  }

  // ---- lists --------------------------------------------------------------------------------------------------------
  const LISTS = {
    antrean: { path: "/workspace/api/claims/queue", list: "#queue-list", summary: "#queue-summary", more: "#queue-more", outcome: "#queue-outcome", empty: "queueEmpty", actions: queueActions },
    dikembalikan: { path: "/workspace/api/claims/ours?state=returned", list: "#returned-list", summary: "#returned-summary", outcome: "#returned-outcome", actions: (claim) => [amendForm(claim)] },
    keberatan: { path: "/workspace/api/claims/ours?state=disputed", list: "#disputed-list", summary: "#disputed-summary", actions: () => [] },
    "klaim-daftar": { path: "/workspace/api/claims", list: "#claims-list", summary: "#claims-summary", more: "#claims-more", actions: () => [] },
  };

  async function load(view, after = null) {
    const spec = LISTS[view];
    const url = new URL(spec.path, location.href);
    if (view === "klaim-daftar" && $("#claims-state").value) url.searchParams.set("state", $("#claims-state").value);
    if (after !== null) url.searchParams.set("after", after);
    if (after === null) { $(spec.summary).textContent = i18n.t("loading"); $(spec.list).replaceChildren(); }
    const answer = await ws.api("GET", url.pathname + url.search);
    if (answer.status !== 200) { $(spec.summary).textContent = ws.explain(answer.body.code, answer.body.detail).what; return; }
    const shown = lists[view] = { claims: [...(after === null ? [] : lists[view]?.claims || []), ...answer.body.claims], next: answer.body.next };
    $(spec.list).append(...answer.body.claims.map((claim) => card(claim, ...spec.actions(claim))));
    if (spec.more) $(spec.more).hidden = shown.next === null;
    summarise(view);
  }

  function summarise(view) {
    const spec = LISTS[view], count = lists[view].claims.length;
    $(spec.summary).textContent = count ? i18n.t("claimsListed", { count: i18n.number(count) }) : i18n.t(spec.empty || "noClaims");
  }

  function rerender(view) {
    const spec = LISTS[view];
    if (!lists[view]) return;
    $(spec.list).replaceChildren(...lists[view].claims.map((claim) => card(claim, ...spec.actions(claim))));
    summarise(view);
  }

  for (const [view, spec] of Object.entries(LISTS)) {
    ws.onView(view, () => {
      if (spec.outcome) { $(spec.outcome).replaceChildren(); $(spec.outcome).className = "outcome"; }
      load(view);
    });
  }
  $("#queue-more").addEventListener("click", () => load("antrean", lists.antrean.next));
  $("#claims-more").addEventListener("click", () => load("klaim-daftar", lists["klaim-daftar"].next));
  $("#claims-filter").addEventListener("submit", (event) => { event.preventDefault(); load("klaim-daftar"); });

  // ---- badges: how many of a ministry's claims are returned to it, and disputed ------------------------------------
  async function badges() {
    if (ws.session?.person.role !== "responsible") return;
    const answer = await ws.api("GET", "/workspace/api/claims/ours/counts");
    if (answer.status !== 200) return;
    for (const [state, target] of [["returned", "#returned-count"], ["disputed", "#disputed-count"]]) {
      const { count, more } = answer.body[state];
      $(target).textContent = `(${i18n.number(count)}${more ? "+" : ""})`;
    }
  }
  ws.onRoleKnown((role) => { if (role === "responsible") badges(); });

  // ---- one claim, its history, and an observer's dispute ------------------------------------------------------------
  let current = null;

  async function showClaim(params) {
    const id = params.get("id") || "";
    $("#claim-summary").textContent = i18n.t("loading");
    $("#claim-detail").replaceChildren();
    $("#claim-outcome").replaceChildren();
    $("#claim-outcome").className = "outcome";
    const answer = await ws.api("GET", `/workspace/api/claims/${encodeURIComponent(id)}`);
    if (answer.status !== 200) { $("#claim-summary").textContent = ws.explain(answer.body.code, answer.body.detail).what; current = null; return; }
    current = answer.body;
    renderClaim();
  }

  function renderClaim() {
    if (!current) return;
    const claim = current;
    $("#claim-summary").textContent = i18n.t("claimReported", { date: i18n.date(claim.occurred_on) });
    const history = (claim.history || []).map((event) => element("li", {},
      element("strong", { text: i18n.t(`event.${event.event_type}`) }),
      ` ${i18n.t("reportedBy", { who: event.reported_by })} · ${i18n.date(event.occurred_on)}`,
      event.reason ? element("p", { text: i18n.t("reasonWas", { reason: event.reason }) }) : null,
      event.note ? element("p", { text: i18n.t("noteWas", { note: event.note }) }) : null));
    const observer = ws.session?.person.role === "observer" && DISPUTABLE.has(claim.state);
    $("#claim-detail").replaceChildren(element("ol", { class: "claims" }, card(claim)),
      element("h3", { text: i18n.t("history") }),
      history.length ? element("ol", { class: "history" }, ...history) : element("p", { class: "note", text: i18n.t("noHistory") }),
      observer ? disputeForm(claim) : null);
  }

  function disputeForm(claim) {
    const fill = { claim, submissionId: null, files: [] };
    const reason = element("textarea", { id: "dispute-reason", rows: "3", maxlength: "1000", required: true, "aria-describedby": "dispute-reason-error" });
    const reasonError = element("p", { class: "field-error", id: "dispute-reason-error", hidden: true });
    const result = element("div", { class: "outcome", id: "dispute-outcome", role: "status", "aria-live": "polite", tabindex: "-1" });
    const form = element("form", { class: "stacked", id: "dispute-form", novalidate: true, "aria-labelledby": "h-dispute" },
      element("h3", { id: "h-dispute", text: i18n.t("dispute") }),
      element("div", { class: "field" }, element("label", { for: reason.id, text: i18n.t("disputeReason") }), reason, reasonError),
      ws.evidenceField("dispute-evidence", fill),
      element("button", { type: "submit", text: i18n.t("dispute") }));
    i18n.apply(form);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      reasonError.hidden = true;
      reason.removeAttribute("aria-invalid");
      if (!reason.value.trim()) { reasonError.textContent = i18n.t("reasonNeeded"); reasonError.hidden = false; reason.setAttribute("aria-invalid", "true"); reason.focus(); return; }
      await Promise.all(fill.files.map((f) => f.done));
      if (fill.files.some((f) => !f.sha256)) { announce(result, i18n.t("uploadsFailed"), false); return; }
      const evidence = fill.files.map((f) => ({ sha256: f.sha256, name: f.name, public: f.public }));
      const answer = await submit("claim.dispute", fill, { reason: reason.value.trim(), evidence });
      if (accepted(answer)) {
        const again = await ws.api("GET", `/workspace/api/claims/${claim.claim_event_id}`);
        if (again.status === 200) { current = again.body; renderClaim(); }
        announce($("#claim-outcome"), i18n.t("disputedOutcome"));
      } else {
        result.className = "outcome rejected";
        result.replaceChildren(explainedAnswer(answer));
      }
    });
    return element("div", {}, form, result);
  }

  ws.onView("klaim", showClaim);
  ws.onLanguage(() => { for (const view of Object.keys(LISTS)) rerender(view); renderClaim(); badges(); });
})();
